// What pass-through forwards: only allow-listed methods reach an upstream, OPTIONS is answered by
// the gateway, targets with dot segments or fragments are refused, and headers that are
// hop-by-hop for this connection (named in Connection) or could be folded into another name by a
// CGI-style back end (underscores) are not forwarded. The upstream is scripted and records every
// request it gets, so "never reached the upstream" is checked, not assumed. Quick mode with a
// provider key: every check also asserts the key never comes back to the client.
'use strict';

const { describe, it, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { startQuickGateway, stopAll } = require('./lib/processes');
const { RawConn, parseResponses } = require('./lib/http');
const { startScriptedUpstream } = require('./lib/scripted_upstream');

const KEY = 'sk-forwarding-test-key-7f3a9c1e5b';
const ALLOW_ALL = 'GET, POST, DELETE, HEAD, OPTIONS';
const CHAT_BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

// Echoes the request head it got as the body, the way an upstream answering TRACE does: a
// forwarded request that carried the provider key would hand it to the client. It also names a
// header of its own in Connection, which must not reach the client.
async function echoScript(ctx) {
  const body = ctx.req.head;
  const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n' +
    'Connection: X-Up-Hop\r\nX-Up-Hop: upstream-only\r\nX-Up-Kept: yes\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  await ctx.write(ctx.req.method === 'HEAD' ? head : head + body);
}

// Sends one raw request and resolves with the first complete response, plus the raw text.
async function exchange(gw, wire) {
  const c = await RawConn.open(gw.port);
  try {
    await c.write(wire);
    await c.until((x) => parseResponses(x.text).length >= 1, 'one complete response');
    return { ...parseResponses(c.text)[0], raw: c.text };
  } finally {
    c.destroy();
  }
}

function assertNoKey(res) {
  // seed-defect: 004-P4 — the provider key is never in an answer.
  assert.ok(!res.raw.includes(KEY), `provider key echoed to the client: ${res.raw}`);
}

describe('forwarding', () => {
  let up;
  let gw;

  before(async () => {
    up = await startScriptedUpstream(echoScript);
    gw = await startQuickGateway({ upstream: up.apiBase, keyRef: 'env:TEST_KEY', env: { TEST_KEY: KEY } });
  });
  after(async () => {
    await stopAll();
    await up.stop();
  });
  beforeEach(() => { up.requests.length = 0; });

  it('GET, POST, DELETE and HEAD are forwarded with the provider key (the control case)', async () => {
    const cases = [
      ['GET', '/v1/models', ''],
      ['POST', '/v1/chat/completions', CHAT_BODY],
      ['DELETE', '/v1/files/file-abc', ''],
    ];
    for (const [method, path, body] of cases) {
      const type = body ? 'Content-Type: application/json\r\n' : '';
      const res = await exchange(gw, `${method} ${path} HTTP/1.1\r\nHost: x\r\n${type}` +
        `Content-Length: ${body.length}\r\n\r\n${body}`);
      assert.equal(res.status, 200, `${method} ${path}: ${res.raw}`);
    }
    const c = await RawConn.open(gw.port);
    await c.write('HEAD /v1/models HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.until((x) => x.text.includes('\r\n\r\n'), 'the HEAD response head');
    c.destroy();
    assert.deepEqual(up.requests.map((r) => r.method), ['GET', 'POST', 'DELETE', 'HEAD']);
    for (const r of up.requests) assert.equal(r.headers.authorization, `Bearer ${KEY}`);
  });

  it('TRACE, CONNECT, PUT, PATCH and unknown methods get 405 with Allow and never reach the upstream', async () => {
    const cases = [
      'TRACE /v1/models', 'TRACE /v1/chat/completions', 'CONNECT /v1/models', 'CONNECT api.openai.com:443',
      'PUT /v1/files/file-abc', 'PATCH /v1/files/file-abc', 'PROPFIND /v1/models', 'BREW /v1/models',
      'TRACE /healthz',
    ];
    for (const line of cases) {
      const res = await exchange(gw, `${line} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`);
      assert.equal(res.status, 405, `${line}: ${res.raw}`);
      assert.equal(res.headers.allow, ALLOW_ALL, line);
      assert.equal(JSON.parse(res.body).error.code, 'method_not_allowed', line);
      assertNoKey(res);
    }
    assert.deepEqual(up.requests, [], 'no refused method reached the upstream');
  });

  it('the POST-only API endpoints answer other methods with 405 and Allow: POST', async () => {
    for (const line of ['GET /v1/chat/completions', 'DELETE /v1/messages', 'GET /v1/embeddings']) {
      const res = await exchange(gw, `${line} HTTP/1.1\r\nHost: x\r\n\r\n`);
      assert.equal(res.status, 405, `${line}: ${res.raw}`);
      assert.equal(res.headers.allow, 'POST', line);
    }
    assert.deepEqual(up.requests, []);
  });

  it('OPTIONS is answered by the gateway with 204 and Allow, never forwarded', async () => {
    const c = await RawConn.open(gw.port);
    // Two OPTIONS and a request after them on one connection: the 204s must frame exactly.
    await c.write('OPTIONS /v1/chat/completions HTTP/1.1\r\nHost: x\r\n' +
      'Origin: https://app.example\r\nAccess-Control-Request-Method: POST\r\n\r\n' +
      'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n' +
      'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.until((x) => parseResponses(x.text).length >= 3, 'three responses');
    c.destroy();
    const [a, b, health] = parseResponses(c.text);
    for (const res of [a, b]) {
      assert.equal(res.status, 204, c.text);
      assert.equal(res.headers.allow, ALLOW_ALL);
      assert.equal(res.headers['content-length'], undefined, 'a 204 carries no Content-Length');
      assert.equal(res.body, '');
    }
    assert.equal(health.status, 200);
    assert.ok(!c.text.includes(KEY));
    assert.deepEqual(up.requests, [], 'OPTIONS never reached the upstream');
  });

  it('dot segments (also %2e-encoded) and fragments in the target get 400 and never reach the upstream', async () => {
    const targets = [
      '/v1/../admin', '/v1/./models', '/v1/models/..', '/v1/models/.', '/v1/%2e%2e/admin',
      '/v1/%2E%2E/admin', '/v1/.%2e/x', '/v1/%2e./x', '/v1/..%2fadmin', '/v1/..;/admin',
      '/v1/models#frag', '/v1/chat/completions?x=1#frag',
    ];
    for (const t of targets) {
      for (const method of ['GET', 'POST']) {
        const body = method === 'POST' ? CHAT_BODY : '';
        const res = await exchange(gw, `${method} ${t} HTTP/1.1\r\nHost: x\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        assert.equal(res.status, 400, `${method} ${t}: ${res.raw}`);
        assert.equal(JSON.parse(res.body).error.code, 'invalid_request_target', t);
        assertNoKey(res);
      }
    }
    assert.deepEqual(up.requests, [], 'no refused target reached the upstream');
  });

  it('a refused target leaves the connection usable (the request was framed fine)', async () => {
    const c = await RawConn.open(gw.port);
    await c.write('GET /v1/../admin HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.until((x) => parseResponses(x.text).length >= 2, 'two responses');
    c.destroy();
    assert.deepEqual(parseResponses(c.text).map((r) => r.status), [400, 200]);
    assert.deepEqual(up.requests.map((r) => r.path), ['/v1/models']);
  });

  it('headers named in Connection and names with underscores are not forwarded', async () => {
    const res = await exchange(gw, 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n' +
      'Connection: keep-alive, X-Secret-Hop\r\nConnection: x-second-hop\r\n' +
      'X-Secret-Hop: hop-value-1\r\nX-Second-Hop: hop-value-2\r\n' +
      'X_Api_Key: sk-smuggled\r\nX-Real_IP: 10.0.0.1\r\nX-Kept: kept-value\r\n' +
      `Content-Type: application/json\r\nContent-Length: ${CHAT_BODY.length}\r\n\r\n${CHAT_BODY}`);
    assert.equal(res.status, 200, res.raw);
    assert.equal(up.requests.length, 1);
    const { head, headers } = up.requests[0];
    for (const gone of ['hop-value-1', 'hop-value-2', 'sk-smuggled', '10.0.0.1', '_']) {
      assert.ok(!head.includes(gone), `${JSON.stringify(gone)} was forwarded:\n${head}`);
    }
    assert.equal(headers['x-kept'], 'kept-value', 'an ordinary header still goes through');
  });

  it('headers the upstream names in its Connection header are not forwarded to the client', async () => {
    const res = await exchange(gw, 'GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.headers['x-up-hop'], undefined, res.raw);
    assert.equal(res.headers['x-up-kept'], 'yes');
  });
});
