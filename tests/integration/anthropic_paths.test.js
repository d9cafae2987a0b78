// Anthropic's API beyond /v1/messages through ringgate: files (multipart uploads), message
// batches, models/{id}, legacy complete and count_tokens pass through to an Anthropic-format
// upstream as the official SDK sends them; the upload cap and the JSON endpoints' 415; errors in
// the Anthropic shape wherever the client is Anthropic (404, 403, 413); OpenAI-format upstreams
// keep passing their own paths; fields that need state a server keeps between requests get a 400
// saying what to send instead, and the SDK's toolRunner goes on without its message thread.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const OpenAI = require('openai');
const Anthropic = require('@anthropic-ai/sdk');
const { toFile } = require('@anthropic-ai/sdk');
const { betaTool } = require('@anthropic-ai/sdk/helpers/beta/json-schema');
const { startMock, startQuickGateway, startConfigGateway, stopAll } = require('./lib/processes');
const { request, postJson, mockStats, mockLastRequest, sha256Hex } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const { recordingFetch } = require('./lib/translation_helpers');

const CLIENT_KEY = `sk-client-${crypto.randomBytes(12).toString('hex')}`;
const ANTHROPIC_HEADERS = { 'x-api-key': CLIENT_KEY, 'anthropic-version': '2023-06-01' };
const MULTIPART_HEADERS = { ...ANTHROPIC_HEADERS, 'content-type': 'multipart/form-data; boundary=b0undary' };

function multipart(content, filename = 'notes.txt') {
  return `--b0undary\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
    `Content-Type: text/plain\r\n\r\n${content}\r\n--b0undary--\r\n`;
}

// {"type":"error","error":{"type":...,"message":...}} and nothing else.
function assertAnthropicError(res, status, type) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.json?.type, 'error', res.text);
  assert.equal(res.json.error.type, type, res.text);
  assert.equal(typeof res.json.error.message, 'string');
  assert.ok(!('code' in res.json.error) && !('param' in res.json.error), res.text);
}

function assertOpenAiShape(res, status) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.json?.type, undefined, res.text);
  assert.equal(typeof res.json?.error?.message, 'string', res.text);
}

async function requestCount(mock) {
  return (await mockStats(mock)).requests;
}

let mock;
before(async () => { mock = await startMock(['--tokens', '4']); });
after(stopAll);

describe('Anthropic SDK -> ringgate -> Anthropic-format upstream: every /v1 path passes (quick mode)', () => {
  let gw;
  let client;

  before(async () => {
    gw = await startQuickGateway({ upstream: mock.apiBase, extraArgs: ['--upstream-format', 'anthropic'] });
    client = new Anthropic({ baseURL: gw.url, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 20000 });
  });

  it('beta.files.upload: a multipart upload reaches the upstream byte for byte', async () => {
    const content = `hello from the files API ${crypto.randomBytes(8).toString('hex')}\n`;
    const meta = await client.beta.files.upload({
      file: await toFile(Buffer.from(content), 'notes.txt', { type: 'text/plain' }), betas: ['files-api-2025-04-14'],
    });
    // The mock names an upload after its content's SHA-256: the bytes arrived as sent.
    assert.equal(meta.id, `file_${sha256Hex(content).slice(0, 24)}`);
    assert.equal(meta.type, 'file');
    assert.equal(meta.filename, 'notes.txt');
    assert.equal(meta.size_bytes, Buffer.byteLength(content));
    const last = await mockLastRequest(mock);
    assert.equal(last.method, 'POST');
    assert.equal(last.path, '/v1/files');
    assert.match(last.headers['content-type'], /^multipart\/form-data; boundary=/);
    assert.equal(last.headers['anthropic-beta'], 'files-api-2025-04-14', 'forwarded as the client sent it');
    assert.equal(last.headers['x-api-key']?.present, undefined, 'quick mode without --upstream-key sends no key');
  });

  it('beta.files list, retrieve, download and delete', async () => {
    const page = await client.beta.files.list();
    assert.ok(Array.isArray(page.data) && page.data.length === 1);
    const meta = await client.beta.files.retrieveMetadata('file_abc');
    assert.equal(meta.id, 'file_abc');
    assert.equal((await mockLastRequest(mock)).path, '/v1/files/file_abc');
    const download = await client.beta.files.download('file_abc');
    assert.equal(await download.text(), 'mock file content\n');
    const deleted = await client.beta.files.delete('file_abc');
    assert.equal(deleted.type, 'file_deleted');
    assert.equal((await mockLastRequest(mock)).method, 'DELETE');
  });

  it('messages.batches create, retrieve, list, cancel; results through the gateway', async () => {
    const created = await client.messages.batches.create({
      requests: [{ custom_id: 'one', params: { model: 'claude-3-5-haiku-20241022', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] } }],
    });
    assert.equal(created.type, 'message_batch');
    assert.equal(created.processing_status, 'in_progress');
    assert.equal(created.request_counts.processing, 1);
    assert.equal((await mockLastRequest(mock)).path, '/v1/messages/batches');
    const got = await client.messages.batches.retrieve(created.id);
    assert.equal(got.id, created.id);
    assert.equal(got.processing_status, 'ended');
    const ids = [];
    for await (const b of client.messages.batches.list()) ids.push(b.id);
    assert.deepEqual(ids, ['msgbatch_mock']);
    const canceled = await client.messages.batches.cancel(created.id);
    assert.equal(canceled.processing_status, 'canceling');
    assert.equal((await mockLastRequest(mock)).path, `/v1/messages/batches/${created.id}/cancel`);
    // The upstream names the results by its own absolute URL; relayed, it is a path, so the SDK's
    // results() fetches it through the gateway, never straight from the upstream with the
    // client's gateway key.
    assert.equal(got.results_url, `/v1/messages/batches/${created.id}/results`);
    const recorder = recordingFetch();
    const recorded = new Anthropic({ baseURL: gw.url, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 20000, fetch: recorder.fetch });
    const lines = [];
    for await (const line of await recorded.messages.batches.results(created.id)) lines.push(line);
    assert.equal(lines[0].result.type, 'succeeded');
    assert.deepEqual(recorder.sent.map((r) => new URL(r.url).origin), [gw.url, gw.url]);
  });

  it('models.retrieve: /v1/models/{id} in Anthropic\'s shape', async () => {
    const model = await client.models.retrieve('claude-3-5-sonnet-20241022');
    assert.equal(model.id, 'claude-3-5-sonnet-20241022');
    assert.equal(model.type, 'model');
    assert.equal((await mockLastRequest(mock)).path, '/v1/models/claude-3-5-sonnet-20241022');
    await assert.rejects(client.models.retrieve('no-such-model'), (err) => {
      assert.equal(err.status, 404);
      assert.equal(err.error?.type, 'error', 'the upstream\'s own 404, relayed as it is');
      return true;
    });
  });

  it('legacy text completions (/v1/complete, which SDK 1.x no longer wraps), streamed and not', async () => {
    const body = { model: 'claude-2.1', prompt: '\n\nHuman: hi\n\nAssistant:', max_tokens_to_sample: 3 };
    const c = await client.post('/v1/complete', { body });
    assert.equal(c.type, 'completion');
    assert.equal(c.stop_reason, 'max_tokens');
    assert.equal((await mockLastRequest(mock)).path, '/v1/complete');
    const res = await postJson(gw.url, '/v1/complete', { ...body, stream: true }, ANTHROPIC_HEADERS);
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
    assert.equal((res.text.match(/^event: completion$/gm) ?? []).length, 4);
  });

  it('messages.countTokens passes to the Anthropic upstream', async () => {
    const n = await client.messages.countTokens({ model: 'claude-x', messages: [{ role: 'user', content: 'count me' }] });
    assert.ok(n.input_tokens > 0);
    assert.equal((await mockLastRequest(mock)).path, '/v1/messages/count_tokens');
  });

  it('a multipart body is no JSON endpoint\'s business; on a JSON endpoint it is a 415 in Anthropic\'s shape', async () => {
    const up = await request(`${gw.url}/v1/files`, { method: 'POST', headers: MULTIPART_HEADERS, body: multipart('raw upload') });
    assert.equal(up.status, 200, up.text);
    assert.equal(up.json.id, `file_${sha256Hex('raw upload').slice(0, 24)}`);
    const before = await requestCount(mock);
    const res = await request(`${gw.url}/v1/messages`, { method: 'POST', headers: MULTIPART_HEADERS, body: multipart('x') });
    assertAnthropicError(res, 415, 'invalid_request_error');
    assert.equal(await requestCount(mock), before, 'never sent');
  });

  it('an OpenAI endpoint Anthropic does not serve is a 404 in the OpenAI shape, never sent', async () => {
    const before = await requestCount(mock);
    const res = await postJson(gw.url, '/v1/embeddings', { model: 'claude-x', input: 'hi' });
    assertOpenAiShape(res, 404);
    assert.match(res.json.error.message, /not available for an Anthropic-format upstream/);
    assert.equal(await requestCount(mock), before);
  });
});

describe('upload cap and Anthropic-shaped errors (config mode)', () => {
  let pass;
  let routed;

  before(async () => {
    // Pass-through from a file, so the caps can be set: JSON bodies to 1 KiB, uploads to 4 KiB.
    const upstream = { format: 'anthropic' };
    pass = await startConfigGateway(`passthrough = true\n${gatewayToml({
      apiBase: mock.apiBase, upstream, models: [], server: { max_body_bytes: 1024, max_upload_bytes: 4096 },
    })}`);
    routed = await startConfigGateway(gatewayToml({
      apiBase: mock.apiBase, upstream, models: [{ name: 'claude-x', upstream: 'mock' }],
    }));
  });

  it('an upload above max_body_bytes passes; above max_upload_bytes it is a 413 in Anthropic\'s shape', async () => {
    const fits = 'u'.repeat(3000);
    const ok = await request(`${pass.url}/v1/files`, { method: 'POST', headers: MULTIPART_HEADERS, body: multipart(fits) });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.size_bytes, 3000);
    const before = await requestCount(mock);
    const big = await request(`${pass.url}/v1/files`, { method: 'POST', headers: MULTIPART_HEADERS, body: multipart('u'.repeat(5000)) });
    assertAnthropicError(big, 413, 'request_too_large');
    assert.match(big.json.error.message, /max_upload_bytes/);
    const json = await postJson(pass.url, '/v1/messages',
      { model: 'claude-x', max_tokens: 5, messages: [{ role: 'user', content: 'j'.repeat(2000) }] }, ANTHROPIC_HEADERS);
    assertAnthropicError(json, 413, 'request_too_large');
    assert.match(json.json.error.message, /max_body_bytes/);
    assert.equal(await requestCount(mock), before, 'neither was sent');
  });

  it('a JSON batch is an upload too: capped by max_upload_bytes, not by max_body_bytes', async () => {
    const requests = Array.from({ length: 20 }, (_, i) => ({
      custom_id: `r${i}`, params: { model: 'claude-x', max_tokens: 5, messages: [{ role: 'user', content: 'hello there' }] },
    }));
    const res = await postJson(pass.url, '/v1/messages/batches', { requests }, ANTHROPIC_HEADERS);
    assert.ok(JSON.stringify({ requests }).length > 1024);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.request_counts.processing, 20);
  });

  it('with a model table, a path that names no model is a 404: Anthropic\'s shape for an Anthropic client', async () => {
    const before = await requestCount(mock);
    for (const path of ['/v1/files', '/v1/models/no-such-model', '/v1/nope', '/nope']) {
      const anthropic = await request(`${routed.url}${path}`, { headers: ANTHROPIC_HEADERS });
      assertAnthropicError(anthropic, 404, 'not_found_error');
      const openai = await request(`${routed.url}${path}`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } });
      assertOpenAiShape(openai, 404);
    }
    // On Anthropic's own paths the path alone says so.
    assertAnthropicError(await request(`${routed.url}/v1/messages/batches`), 404, 'not_found_error');
    assert.equal(await requestCount(mock), before);
  });
});

describe('a key may use paths that name no model only when its config says so', () => {
  const plainKey = 'rg-' + crypto.randomBytes(32).toString('base64url');
  const filesKey = 'rg-' + crypto.randomBytes(32).toString('base64url');
  let gw;

  before(async () => {
    gw = await startConfigGateway(`passthrough = true\n${gatewayToml({
      apiBase: mock.apiBase, upstream: { format: 'anthropic' }, models: [],
      keys: [
        { id: 'plain', sha256: sha256Hex(plainKey), models: ['claude-*'] },
        { id: 'files', sha256: sha256Hex(filesKey), allow_modelless_paths: true },
      ],
    })}`);
  });

  it('403 in Anthropic\'s shape for the SDK; the same key may still call the models its patterns allow', async () => {
    const plain = new Anthropic({ baseURL: gw.url, apiKey: plainKey, maxRetries: 0, timeout: 20000 });
    for (const call of [() => plain.models.retrieve('claude-x'), () => plain.beta.files.list(),
      () => plain.messages.batches.list()]) {
      await assert.rejects(call(), (err) => {
        assert.equal(err.status, 403);
        assert.equal(err.error?.type, 'error');
        assert.equal(err.error.error.type, 'permission_error');
        assert.match(err.error.error.message, /allow_modelless_paths/);
        return true;
      });
    }
    const msg = await plain.messages.create({ model: 'claude-x', max_tokens: 4, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(msg.type, 'message');
    await assert.rejects(plain.messages.create({ model: 'gpt-4o', max_tokens: 4, messages: [{ role: 'user', content: 'hi' }] }),
      (err) => err.status === 403 && err.error.error.type === 'permission_error');
    const openai = await request(`${gw.url}/v1/files`, { headers: { authorization: `Bearer ${plainKey}` } });
    assertOpenAiShape(openai, 403);
    assert.equal(openai.json.error.code, 'model_not_allowed');
  });

  it('a key with allow_modelless_paths uses them', async () => {
    const files = new Anthropic({ baseURL: gw.url, apiKey: filesKey, maxRetries: 0, timeout: 20000 });
    assert.equal((await files.models.retrieve('claude-3-5-haiku-20241022')).type, 'model');
    assert.equal((await files.beta.files.list()).data.length, 1);
  });
});

describe('OpenAI-format upstreams keep their own paths (quick mode)', () => {
  let gw;

  before(async () => {
    gw = await startQuickGateway({ upstream: mock.apiBase });
  });

  it('openai SDK files.create: multipart passes through, under the upload cap', async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 20000 });
    const content = 'x'.repeat(5 << 20);  // 5 MiB: above max_body_bytes (4 MiB), below max_upload_bytes
    const file = await client.files.create({ file: await OpenAI.toFile(Buffer.from(content), 'big.jsonl'), purpose: 'batch' });
    assert.equal(file.id, `file-${sha256Hex(content).slice(0, 24)}`);
    assert.equal(file.bytes, content.length);
    assert.equal(file.purpose, 'batch');
  });

  it('paths the gateway does not know pass to the upstream, which answers them', async () => {
    const res = await postJson(gw.url, '/v1/batches', { input_file_id: 'file-1', endpoint: '/v1/chat/completions' });
    assertOpenAiShape(res, 404);
    assert.match(res.json.error.message, /Unknown request URL: POST \/v1\/batches/, 'the upstream\'s answer');
  });

  it('Anthropic\'s batches and legacy complete are a 404 in Anthropic\'s shape, never sent', async () => {
    const before = await requestCount(mock);
    const batch = await postJson(gw.url, '/v1/messages/batches', { requests: [] });
    assertAnthropicError(batch, 404, 'not_found_error');
    assert.match(batch.json.error.message, /OpenAI-format upstream/);
    const complete = await postJson(gw.url, '/v1/complete', { model: 'm', prompt: 'x', max_tokens_to_sample: 1 });
    assertAnthropicError(complete, 404, 'not_found_error');
    assert.equal(await requestCount(mock), before);
  });
});

describe('server-side state ringgate cannot provide: a 400 that says what to send instead', () => {
  let toOpenAi;
  let toAnthropic;

  before(async () => {
    toOpenAi = await startQuickGateway({ upstream: mock.apiBase });
    toAnthropic = await startQuickGateway({ upstream: mock.apiBase, extraArgs: ['--upstream-format', 'anthropic'] });
  });

  const weather = () => betaTool({
    name: 'get_weather',
    description: 'Current weather in a city',
    inputSchema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
    run: async ({ location }) => `18C and sunny in ${location}`,
  });

  // The SDK's Anthropic client holds message threads, so toolRunner sends `thread` by default.
  it('the SDK\'s toolRunner, translated to an OpenAI-format upstream, goes on without its thread', async () => {
    const seen = [];
    const client = new Anthropic({
      baseURL: toOpenAi.url, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 20000,
      fetch: async (url, init) => {
        const res = await fetch(url, init);
        seen.push({ body: JSON.parse(init.body), status: res.status, text: await res.clone().text() });
        return res;
      },
    });
    const runner = client.beta.messages.toolRunner({
      model: 'gpt-4o-mini', max_tokens: 64, tools: [weather()],
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
    });
    const final = await runner.runUntilDone();
    assert.equal(final.stop_reason, 'end_turn');
    assert.equal(final.content[0].type, 'text');
    // Turn 1 asked for a thread and got the recoverable 400; every later request went threadless
    // with the whole history, the tool's result answering the model's call.
    assert.deepEqual(seen[0].body.thread, { type: 'create' });
    assert.equal(seen[0].status, 400);
    const refusal = JSON.parse(seen[0].text);
    assert.equal(refusal.type, 'error');
    assert.equal(refusal.error.type, 'invalid_request_error');
    assert.deepEqual(refusal.error.details, { error_code: 'thread_unsupported_request', unsupported: ['thread'] });
    assert.match(refusal.error.message, /without 'thread'/);
    assert.ok(seen.length >= 3, `${seen.length} requests`);
    for (const s of seen.slice(1)) {
      assert.equal(s.status, 200, s.text);
      assert.ok(!('thread' in s.body), 'threadless after the refusal');
    }
    const last = seen.at(-1).body.messages;
    assert.equal(last[0].content, 'What is the weather in Paris?');
    assert.equal(last[1].content.find((b) => b.type === 'tool_use').name, 'get_weather');
    assert.match(last[2].content[0].content?.[0]?.text ?? last[2].content[0].content, /18C and sunny/);
  });

  it('thread: false skips the round trip; thread() with its default behaviour throws the 400', async () => {
    const client = new Anthropic({ baseURL: toOpenAi.url, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 20000 });
    const final = await client.beta.messages.toolRunner({
      model: 'gpt-4o-mini', max_tokens: 64, tools: [weather()], thread: false,
      messages: [{ role: 'user', content: 'Weather in Rome?' }],
    }).runUntilDone();
    assert.equal(final.stop_reason, 'end_turn');
    const thread = client.beta.messages.thread({ model: 'gpt-4o-mini', max_tokens: 16 });
    await assert.rejects(thread.send({ role: 'user', content: 'hi' }), (err) => {
      assert.equal(err.status, 400);
      assert.match(err.message, /send the whole history in 'messages' without 'thread'/);
      return true;
    });
  });

  it('toward an Anthropic-format upstream the thread passes through untouched', async () => {
    const client = new Anthropic({ baseURL: toAnthropic.url, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 20000 });
    const final = await client.beta.messages.toolRunner({
      model: 'claude-x', max_tokens: 64, tools: [weather()],
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
    }).runUntilDone();
    assert.equal(final.stop_reason, 'end_turn');
    const last = JSON.parse((await mockLastRequest(mock)).body);
    assert.equal(last.thread?.type, 'continue', 'the upstream holds the thread');
  });

  it('store: true toward an Anthropic-format upstream', async () => {
    const client = new OpenAI({ baseURL: `${toAnthropic.url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 20000 });
    await assert.rejects(client.chat.completions.create({
      model: 'claude-x', store: true, messages: [{ role: 'user', content: 'hi' }],
    }), (err) => {
      assert.equal(err.status, 400);
      assert.equal(err.param, 'store');
      assert.match(err.message, /send 'store': false or leave it out/);
      return true;
    });
    await assert.rejects(client.chat.completions.retrieve('chatcmpl-1'), (err) => {
      assert.equal(err.status, 404);
      assert.match(err.message, /stored chat completions/);
      return true;
    });
  });

  it('an unknown previous_response_id, stored responses and conversations toward an Anthropic-format upstream', async () => {
    const client = new OpenAI({ baseURL: `${toAnthropic.url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 20000 });
    // Never silently ignored: answering without the history would answer another question.
    await assert.rejects(client.responses.create({ model: 'claude-x', input: 'hi', previous_response_id: 'resp_1' }), (err) => {
      assert.equal(err.status, 400);
      assert.equal(err.param, 'previous_response_id');
      assert.match(err.message, /send the whole conversation in `input`/);
      return true;
    });
    await assert.rejects(client.responses.retrieve('resp_1'), (err) => {
      assert.equal(err.status, 404);
      assert.match(err.message, /stored responses are OpenAI's server state/);
      return true;
    });
    const conv = await postJson(toAnthropic.url, '/v1/conversations', {});
    assertOpenAiShape(conv, 404);
    assert.match(conv.json.error.message, /conversations are state OpenAI's servers keep/);
  });
});
