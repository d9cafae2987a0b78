// What the client side of HTTP/1.1 (and 1.0) gets, byte for byte: HEAD answers without bodies,
// HTTP/1.0 clients without chunked framing, and what a half-closed client gets. Raw sockets, so
// the bytes on the wire are what is checked; waits are conditions with deadlines.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startConfigGateway, stopAll } = require('./lib/processes');
const { RawConn, parseResponses, CHAT } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const { startScriptedUpstream, chatResponse } = require('./lib/scripted_upstream');

const SSE_HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n';
const chunk = (s) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;
const EVENTS = ['data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n', 'data: [DONE]\n\n'];

// Scripted answers by path: HEAD on /v1/files gets a head with a body it must not have, a
// streamed chat gets a chunked SSE stream, a plain chat a JSON answer.
async function scripted(ctx) {
  const { method, path, body } = ctx.req;
  if (method === 'HEAD') {
    return ctx.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n' +
                     'BODY-ON-HEAD');
  }
  if (path.endsWith('/files')) {
    return ctx.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n` +
                     `${chunk('{"data":[]}')}0\r\n\r\n`);
  }
  if (JSON.parse(body).stream) return ctx.write(SSE_HEAD + EVENTS.map(chunk).join('') + '0\r\n\r\n');
  return ctx.write(chatResponse('plain'));
}

function post(path, body, version = '1.1', extra = '') {
  const b = JSON.stringify(body);
  return `POST ${path} HTTP/${version}\r\nHost: x\r\nContent-Type: application/json\r\n${extra}` +
         `Content-Length: ${Buffer.byteLength(b)}\r\n\r\n${b}`;
}

// The head of the first response on a raw connection, once it is complete.
async function firstHead(conn) {
  await conn.until((c) => c.text.includes('\r\n\r\n'), 'a response head');
  return conn.text.slice(0, conn.text.indexOf('\r\n\r\n') + 4);
}

describe('client protocol', () => {
  let up;
  let gw;
  before(async () => {
    up = await startScriptedUpstream(scripted);
    gw = await startConfigGateway(`passthrough = true\n${gatewayToml({ apiBase: up.apiBase, models: [] })}`);
  });
  after(async () => {
    await up.stop();
    await stopAll();
  });

  it("ringgate's own answers to HEAD carry no body", async () => {
    const conn = await RawConn.open(gw.port);
    try {
      // Health, a 405 (with Allow) and a 404, then a GET proving the framing held.
      await conn.write('HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n' +
                       'HEAD /v1/chat/completions HTTP/1.1\r\nHost: x\r\n\r\n' +
                       'HEAD /nowhere HTTP/1.1\r\nHost: x\r\n\r\n' +
                       'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      await conn.until((c) => c.text.includes('{"status":"ok"}'), 'the final GET answer');
      const heads = conn.text.split('\r\n\r\n');
      assert.equal(heads.length, 5, conn.text);  // four heads, then the GET's body
      assert.match(heads[0], /^HTTP\/1\.1 200 /);
      assert.match(heads[1], /^HTTP\/1\.1 405 [^]*\r\nAllow: POST/i);
      assert.match(heads[2], /^HTTP\/1\.1 404 /);
      assert.match(heads[3], /^HTTP\/1\.1 200 /);
      assert.equal(heads[4], '{"status":"ok"}');
    } finally {
      conn.destroy();
    }
  });

  // Claude Code sends HEAD / to its base URL before its first request.
  it('HEAD / answers 200 with no body; GET / says where the APIs are', async () => {
    const conn = await RawConn.open(gw.port);
    try {
      await conn.write('HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n' +
                       'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');
      await conn.until((c) => (c.text.match(/HTTP\/1\.1 /g) ?? []).length === 3 && c.text.endsWith('}'), 'three answers');
      const [headHead, getHead, getBody] = conn.text.split('\r\n\r\n');
      assert.match(headHead, /^HTTP\/1\.1 200 /);
      assert.match(getHead, /^HTTP\/1\.1 200 [^]*Content-Type: application\/json/i);
      const length = /Content-Length: (\d+)/i.exec(headHead)[1];
      assert.equal(/Content-Length: (\d+)/i.exec(getHead)[1], length, 'HEAD describes the GET answer');
      assert.ok(getBody.startsWith('{"status":"ok","apis":"/v1/"}HTTP/1.1 404 '), conn.text);
    } finally {
      conn.destroy();
    }
  });

  it('a forwarded HEAD ends at its head, and a body the upstream sends is not relayed', async () => {
    const conn = await RawConn.open(gw.port);
    try {
      await conn.write('HEAD /v1/files HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      await conn.until((c) => c.text.includes('{"status":"ok"}'), 'the GET after the HEAD');
      assert.ok(!conn.text.includes('BODY'), conn.text);
      const [head] = conn.text.split('\r\n\r\n');
      assert.match(head, /^HTTP\/1\.1 200 [^]*Content-Length: 11/i);
    } finally {
      conn.destroy();
    }
  });

  it('an HTTP/1.0 client gets a stream delimited by the close, never chunked', async () => {
    const conn = await RawConn.open(gw.port);
    try {
      await conn.write(post('/v1/chat/completions', { ...CHAT, stream: true }, '1.0'));
      await conn.untilClosed();
      const head = conn.text.slice(0, conn.text.indexOf('\r\n\r\n'));
      assert.doesNotMatch(head, /transfer-encoding/i);
      assert.doesNotMatch(head, /content-length/i);
      assert.match(head, /\r\nConnection: close/i);
      assert.equal(conn.text.slice(head.length + 4), EVENTS.join(''));
    } finally {
      conn.destroy();
    }
  });

  it('an HTTP/1.0 client gets a chunked upstream body de-chunked and closed', async () => {
    const conn = await RawConn.open(gw.port);
    try {
      await conn.write('GET /v1/files HTTP/1.0\r\nHost: x\r\n\r\n');
      await conn.untilClosed();
      const head = conn.text.slice(0, conn.text.indexOf('\r\n\r\n'));
      assert.doesNotMatch(head, /transfer-encoding/i);
      assert.equal(conn.text.slice(head.length + 4), '{"data":[]}');
    } finally {
      conn.destroy();
    }
  });

  it('a kept-alive HTTP/1.0 connection is answered with Connection: keep-alive', async () => {
    const conn = await RawConn.open(gw.port);
    try {
      await conn.write(post('/v1/chat/completions', CHAT, '1.0', 'Connection: keep-alive\r\n'));
      const head = await firstHead(conn);
      assert.match(head, /\r\nConnection: keep-alive\r\n/i);
      assert.match(head, /\r\nContent-Length: \d+\r\n/i);
      await conn.until((c) => parseResponses(c.text).length === 1, 'the whole answer');
      // Still open: a second request on it is answered.
      await conn.write('GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
      await conn.until((c) => parseResponses(c.text).length === 2, 'the second answer');
    } finally {
      conn.destroy();
    }
  });

  // Decision: a client that half-closes after its request is treated as gone before the answer
  // (nginx's behaviour): over loopback or the internet a FIN from a client that quit looks the
  // same, and cancelling is what keeps the upstream from generating for nobody (004-P14). Local
  // answers, which cost nothing upstream, are still written.
  // seed-defect: 004-P14
  it('a half-closed client: a proxied request is cancelled, a local answer is written', async () => {
    const before = up.requests.length;
    const proxied = await RawConn.open(gw.port);
    await proxied.write(post('/v1/chat/completions', CHAT));
    proxied.socket.end();
    await proxied.untilClosed();
    assert.ok(!proxied.text.includes('plain'), 'no answer after a half-close');
    assert.ok(up.requests.length - before <= 1);

    const local = await RawConn.open(gw.port);
    await local.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    local.socket.end();
    await local.untilClosed();
    assert.match(local.text, /^HTTP\/1\.1 200 [^]*\{"status":"ok"\}$/);
  });
});
