// The provider presets under examples/presets: each loads as written (`ringgate check-config`),
// and a request through each, its upstream pointed at a scripted upstream (which answers any
// path), arrives with the path, the auth header and the model that server expects.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startConfigGateway, runRinggate, stopAll } = require('./lib/processes');
const { postJson } = require('./lib/http');
const { startScriptedUpstream, chatResponse } = require('./lib/scripted_upstream');

const PRESETS = path.join(__dirname, '..', '..', 'examples', 'presets');
const KEY = 'sk-preset-test-key';
const ENV = Object.fromEntries(['VLLM_API_KEY', 'LLAMACPP_API_KEY', 'OPENROUTER_API_KEY', 'GEMINI_API_KEY',
  'AZURE_OPENAI_API_KEY'].map((n) => [n, KEY]));

// file, the model a client names, and what the server behind it must receive.
const CASES = [
  { file: 'vllm.toml', model: 'local/llama-3.1-8b', path: '/v1/chat/completions', auth: 'authorization',
    sent: 'meta-llama/Llama-3.1-8B-Instruct' },
  { file: 'ollama.toml', model: 'local/llama3', path: '/v1/chat/completions', auth: null, sent: 'llama3.2' },
  { file: 'llamacpp.toml', model: 'local/qwen2.5-7b', path: '/v1/chat/completions', auth: 'authorization',
    sent: 'qwen2.5-7b-instruct' },
  { file: 'openrouter.toml', model: 'openrouter/claude-sonnet-4.5', path: '/api/v1/chat/completions',
    auth: 'authorization', sent: 'anthropic/claude-sonnet-4.5' },
  { file: 'gemini.toml', model: 'gemini/gemini-2.5-flash', path: '/v1beta/openai/chat/completions',
    auth: 'authorization', sent: 'gemini-2.5-flash' },
  { file: 'azure.toml', model: 'openai/gpt-4o',
    path: /^\/openai\/deployments\/gpt-4o-prod\/chat\/completions\?api-version=2024-10-21$/, auth: 'api-key' },
];

describe('provider presets', () => {
  let upstream;
  before(async () => { upstream = await startScriptedUpstream((ctx) => ctx.write(chatResponse('ok'))); });
  after(async () => {
    await stopAll();
    await upstream.stop();
  });

  for (const c of CASES) {
    it(`${c.file} loads and reaches its server with the right path, auth header and model`, async () => {
      const file = path.join(PRESETS, c.file);
      const check = await runRinggate(['check-config', file], ENV);
      assert.equal(check.code, 0, check.stderr);
      // Only the scheme and authority change: the preset's base path is what is under test.
      const toml = fs.readFileSync(file, 'utf8').replace(/^url = "https?:\/\/[^/"]+/m, `url = "${upstream.url}`)
        .replace(/^listen = .*$/m, 'listen = "127.0.0.1:0"');
      const gw = await startConfigGateway(toml, { env: ENV });
      const r = await postJson(gw.url, '/v1/chat/completions',
        { model: c.model, messages: [{ role: 'user', content: 'hi' }] }, { authorization: 'Bearer client-cred' });
      assert.equal(r.status, 200, r.text);
      const last = upstream.requests.at(-1);
      if (c.path instanceof RegExp) assert.match(last.path, c.path);
      else assert.equal(last.path, c.path);
      const creds = Object.keys(last.headers).filter((h) => ['authorization', 'api-key', 'x-api-key'].includes(h));
      if (c.auth === null) {
        assert.deepEqual(creds, [], 'no credential is sent where the server takes none');
      } else {
        assert.deepEqual(creds, [c.auth]);
        assert.equal(last.headers[c.auth], c.auth === 'authorization' ? `Bearer ${KEY}` : KEY);
      }
      if (c.sent) assert.equal(JSON.parse(last.body).model, c.sent);
      await gw.stop();
    });
  }
});
