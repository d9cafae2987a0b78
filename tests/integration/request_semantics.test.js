// A request means one thing: what the gateway routes, caps and accounts on is what the upstream
// reads. Requests that could be read two ways are refused before anything is sent upstream.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startMock, startConfigGateway, stopAll } = require('./lib/processes');
const { postJson, mockStats, assertOpenAiError } = require('./lib/http');
const { gatewayToml } = require('./lib/config');

const MESSAGES = '"messages":[{"role":"user","content":"hello"}]';

describe('request semantics', () => {
  let mock;
  let gw;

  before(async () => {
    mock = await startMock();
    // gpt-4o-mini is capped at 1000 tokens (lib/config.js defaults).
    gw = await startConfigGateway(gatewayToml({ apiBase: mock.apiBase }));
  });
  after(stopAll);

  // Posts the raw text `body` and returns the response with the mock's request count around it.
  async function post(path, body) {
    const before = (await mockStats(mock)).requests;
    const res = await postJson(gw.url, path, body);
    const after = (await mockStats(mock)).requests;
    return { res, forwarded: after - before };
  }

  // The gateway read the first value, upstream parsers read the last: the cap was bypassed.
  it('a repeated top-level key is a 400 naming it, and the upstream never sees the request', async () => {
    const cases = [
      ['/v1/chat/completions', `{"model":"gpt-4o-mini",${MESSAGES},"max_tokens":10,"max_tokens":100000}`,
        'max_tokens'],
      ['/v1/chat/completions', `{"model":"gpt-4o-mini",${MESSAGES},"mod\\u0065l":"renamed-model"}`, 'model'],
      ['/v1/chat/completions',
        `{"model":"gpt-4o-mini",${MESSAGES},"max_completion_tokens":5,"max_completion_tokens":50000}`,
        'max_completion_tokens'],
      ['/v1/messages', `{"model":"gpt-4o-mini","max_tokens":5,${MESSAGES},"max_tokens":99999}`, 'max_tokens'],
      ['/v1/embeddings', '{"model":"text-embedding-3-small","input":"a","input":"b"}', 'input'],
    ];
    for (const [path, body, key] of cases) {
      const { res, forwarded } = await post(path, body);
      const e = path === '/v1/messages' ? res.json?.error : assertOpenAiError(res, 400, /invalid_request_body/);
      assert.equal(res.status, 400, `${body}: ${res.text}`);
      assert.ok(e && e.message.includes(`duplicate key '${key}'`), `${body}: ${res.text}`);
      assert.equal(forwarded, 0, `${body} reached the upstream`);
    }
  });

  it('duplicates inside objects the gateway does not read are forwarded as they are', async () => {
    const { res, forwarded } = await post('/v1/chat/completions',
      '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"a","content":"b"}],"max_tokens":10}');
    assert.equal(res.status, 200, res.text);
    assert.equal(forwarded, 1);
  });
});
