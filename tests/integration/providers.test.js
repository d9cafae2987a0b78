// Provider adapters on the wire: what each upstream family receives. An Azure OpenAI upstream
// gets its deployment URL with api-version and the key in `api-key` (never Authorization); an
// Anthropic upstream gets the key in x-api-key, a default anthropic-version when the client sent
// none and the client's anthropic-beta untouched. The upstreams are scripted and record every
// request, so each path and header is checked as it arrived.
'use strict';

const { describe, it, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { startConfigGateway, stopAll } = require('./lib/processes');
const { postJson, request } = require('./lib/http');
const { startScriptedUpstream, chatResponse } = require('./lib/scripted_upstream');

const AZURE_KEY = 'az-provider-key-0c1d2e3f';
const ANTHROPIC_KEY = 'sk-ant-provider-key-9a8b7c';
const CLIENT_KEY = 'sk-client-key-should-not-travel';
const API_VERSION = '2024-10-21';
const DEPLOYMENT_PATH = `/openai/deployments/prod-4o/chat/completions?api-version=${API_VERSION}`;

function jsonResponse(obj) {
  const body = JSON.stringify(obj);
  return 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

const ANTHROPIC_MESSAGE = {
  id: 'msg_scripted', type: 'message', role: 'assistant', model: 'claude-x',
  content: [{ type: 'text', text: 'hello' }], stop_reason: 'end_turn', stop_sequence: null,
  usage: { input_tokens: 1, output_tokens: 1 },
};

// Header lines of a recorded request with this name (the recorder keeps only the last one).
function headerLines(req, name) {
  return req.head.split('\r\n').filter((l) => l.toLowerCase().startsWith(`${name}:`));
}

function azureToml(url, { passthrough = false } = {}) {
  return [
    passthrough ? 'passthrough = true\n' : '',  // a top-level key: before any table
    '[server]\nshards = 1\n[auth]\nmode = "none"\n',
    `[[upstreams]]\nname = "az"\nurl = "${url}"\nformat = "azure"\n` +
      `api_version = "${API_VERSION}"\napi_key = "env:RG_AZURE_KEY"\n`,
    passthrough ? '' : '[[models]]\nname = "gpt-4o"\nupstream = "az"\nupstream_model = "prod-4o"\n',
  ].join('\n');
}

describe('azure upstream', () => {
  let up;
  let gw;
  let passthrough;

  before(async () => {
    up = await startScriptedUpstream((ctx) => ctx.write(chatResponse('hi')));
    const env = { RG_AZURE_KEY: AZURE_KEY };
    gw = await startConfigGateway(azureToml(up.url), { env });
    passthrough = await startConfigGateway(azureToml(up.url, { passthrough: true }), { env });
  });
  after(async () => {
    await stopAll();
    await up.stop();
  });
  beforeEach(() => { up.requests.length = 0; });

  it('chat goes to the deployment URL with api-version and the key in api-key', async () => {
    const res = await postJson(gw.url, '/v1/chat/completions',
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] },
      { authorization: `Bearer ${CLIENT_KEY}` });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.choices[0].message.content, 'hi');
    assert.equal(up.requests.length, 1);
    const r = up.requests[0];
    assert.equal(r.path, DEPLOYMENT_PATH);
    assert.equal(r.headers['api-key'], AZURE_KEY);
    assert.equal(r.headers.authorization, undefined, 'no Authorization header goes to Azure');
    assert.equal(JSON.parse(r.body).model, 'prod-4o');
    assert.ok(!r.head.includes(CLIENT_KEY), 'the client credential stays with the gateway');
  });

  it('an Anthropic client is translated onto the same deployment URL', async () => {
    const res = await postJson(gw.url, '/v1/messages',
      { model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
      { 'x-api-key': CLIENT_KEY, 'anthropic-version': '2023-06-01' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.type, 'message');
    assert.equal(res.json.content[0].text, 'hi');
    const r = up.requests[0];
    assert.equal(r.path, DEPLOYMENT_PATH);
    assert.equal(r.headers['api-key'], AZURE_KEY);
    assert.equal(r.headers['x-api-key'], undefined);
  });

  it('passthrough: the client model names the deployment, models list at the resource', async () => {
    const chat = await postJson(passthrough.url, '/v1/chat/completions',
      { model: 'prod-4o', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(chat.status, 200, chat.text);
    const models = await request(`${passthrough.url}/v1/models?api-version=1999-01-01`);
    assert.equal(models.status, 200, models.text);
    assert.deepEqual(up.requests.map((r) => r.path),
      [DEPLOYMENT_PATH, `/openai/models?api-version=${API_VERSION}`]);
  });

  it('passthrough: a model name that would steer the path is a 400 and never sent', async () => {
    for (const model of ['../admin', 'a/b', 'x?y=1']) {
      const res = await postJson(passthrough.url, '/v1/chat/completions',
        { model, messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(res.status, 400, `${model}: ${res.text}`);
      assert.equal(res.json.error.code, 'invalid_model');
    }
    assert.equal(up.requests.length, 0);
  });
});

describe('anthropic upstream', () => {
  let up;
  let gw;

  before(async () => {
    up = await startScriptedUpstream((ctx) => ctx.write(jsonResponse(ANTHROPIC_MESSAGE)));
    const toml = '[server]\nshards = 1\n[auth]\nmode = "none"\n\n' +
      `[[upstreams]]\nname = "claude"\nurl = "${up.apiBase}"\nformat = "anthropic"\n` +
      'api_key = "env:RG_ANTHROPIC_KEY"\n\n' +
      '[[models]]\nname = "claude-x"\nupstream = "claude"\n';
    gw = await startConfigGateway(toml, { env: { RG_ANTHROPIC_KEY: ANTHROPIC_KEY } });
  });
  after(async () => {
    await stopAll();
    await up.stop();
  });
  beforeEach(() => { up.requests.length = 0; });

  const MESSAGES = { model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };

  it('x-api-key, the default anthropic-version and the client anthropic-beta', async () => {
    const res = await postJson(gw.url, '/v1/messages', MESSAGES,
      { 'x-api-key': CLIENT_KEY, 'anthropic-beta': 'tools-2024-04-04,prompt-caching-2024-07-31' });
    assert.equal(res.status, 200, res.text);
    const r = up.requests[0];
    assert.equal(r.path, '/v1/messages');
    assert.equal(r.headers['x-api-key'], ANTHROPIC_KEY);
    assert.deepEqual(headerLines(r, 'x-api-key').length, 1);
    assert.equal(r.headers['anthropic-version'], '2023-06-01');
    assert.equal(r.headers['anthropic-beta'], 'tools-2024-04-04,prompt-caching-2024-07-31');
    assert.equal(r.headers.authorization, undefined);
  });

  it("the client's own anthropic-version is forwarded instead of the default", async () => {
    const res = await postJson(gw.url, '/v1/messages', MESSAGES, { 'anthropic-version': '2024-01-01' });
    assert.equal(res.status, 200, res.text);
    const r = up.requests[0];
    assert.deepEqual(headerLines(r, 'anthropic-version'), ['anthropic-version: 2024-01-01']);
  });

  it('an OpenAI client goes to /messages with the key and the default version', async () => {
    const res = await postJson(gw.url, '/v1/chat/completions',
      { model: 'claude-x', messages: [{ role: 'user', content: 'hi' }] },
      { authorization: `Bearer ${CLIENT_KEY}` });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.choices[0].message.content, 'hello');
    const r = up.requests[0];
    assert.equal(r.path, '/v1/messages');
    assert.equal(r.headers['x-api-key'], ANTHROPIC_KEY);
    assert.equal(r.headers['anthropic-version'], '2023-06-01');
    assert.equal(r.headers.authorization, undefined);
  });

  it('an endpoint Anthropic does not serve is a 404 and never sent', async () => {
    const res = await postJson(gw.url, '/v1/embeddings', { model: 'claude-x', input: 'hi' });
    assert.equal(res.status, 404, res.text);
    assert.match(res.text, /not available for an Anthropic-format upstream/);
    assert.equal(up.requests.length, 0);
  });
});
