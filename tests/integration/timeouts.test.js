// Every [timeouts] entry, each set small in a config file and each shown to act. Nothing here
// asserts a duration: each test waits, with a generous deadline, for the outcome the timeout
// must cause (a 408/504, a closed connection, a final SSE error event).
// seed-defect: 000-L4 (one documented timeout table: README "Timeouts"; each of its rows acts here)
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
  startMock, startConfigGateway, startStalledListener, stopAll,
} = require('./lib/processes');
const {
  postJson, curl, RawConn, parseResponses, assertOpenAiError, sseData, CHAT,
} = require('./lib/http');
const { gatewayToml } = require('./lib/config');

const SHORT = 400;  // ms: the timeouts under test
const TIMEOUTS = {
  header_read_ms: SHORT,
  body_read_ms: SHORT,
  keepalive_idle_ms: SHORT,
  upstream_connect_ms: SHORT,
  upstream_ttfb_ms: SHORT,
  stream_idle_ms: 3 * SHORT,
  total_ms: 60000,
};
const STREAM = JSON.stringify({ ...CHAT, stream: true });

function parseOne(conn) {
  const [r] = parseResponses(conn.text);
  return { status: r.status, text: r.body, json: JSON.parse(r.body), headers: r.headers };
}

describe('timeouts', () => {
  let mock;
  let stalled;
  let gw;

  before(async () => {
    mock = await startMock();
    stalled = await startStalledListener();
    gw = await startConfigGateway(gatewayToml({
      apiBase: mock.apiBase,
      timeouts: TIMEOUTS,
      extraUpstreams: [{ name: 'stalled', url: `http://127.0.0.1:${stalled.port}/v1` }],
      models: [
        { name: 'gpt-4o-mini', upstream: 'mock' },
        { name: 'stalled-model', upstream: 'stalled' },
      ],
    }));
  });
  after(stopAll);

  it('header_read_ms: a slowloris head is answered 408 and closed', async () => {
    const conn = await RawConn.open(gw.port);
    try {
      await conn.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n');
      // Keep the connection busy with one header byte at a time: a per-read idle timer would
      // never fire, the head deadline must. Bounded: the filler is finite.
      const filler = `X-Slow: ${'a'.repeat(400)}`;
      for (let i = 0; i < filler.length && !conn.closed && conn.data.length === 0; ++i) {
        await conn.write(filler[i]);
        await new Promise((r) => setTimeout(r, SHORT / 8));
      }
      await conn.until((c) => parseResponses(c.text).length === 1, '408 response');
      const r = parseOne(conn);
      assertOpenAiError(r, 408);
      await conn.untilClosed();
    } finally {
      conn.destroy();
    }
  });

  it('header_read_ms: a connection that never sends a request is closed', async () => {
    const conn = await RawConn.open(gw.port);
    try {
      await conn.untilClosed();
    } finally {
      conn.destroy();
    }
  });

  it('body_read_ms: a body that never completes is answered 408 and closed', async () => {
    const conn = await RawConn.open(gw.port);
    try {
      await conn.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
                       'Content-Length: 100\r\n\r\n{"model":');
      await conn.until((c) => parseResponses(c.text).length === 1, '408 response');
      assertOpenAiError(parseOne(conn), 408);
      await conn.untilClosed();
    } finally {
      conn.destroy();
    }
  });

  it('keepalive_idle_ms: an idle keep-alive connection is closed without a response', async () => {
    const conn = await RawConn.open(gw.port);
    try {
      await conn.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      await conn.until((c) => parseResponses(c.text).length === 1, 'the /healthz response');
      assert.equal(parseOne(conn).status, 200);
      const afterFirst = conn.data.length;
      await conn.untilClosed();
      assert.equal(conn.data.length, afterFirst, 'nothing after the first response');
    } finally {
      conn.destroy();
    }
  });

  // seed-defect: 001-6
  it('upstream_connect_ms: a connect that hangs is answered 504', async () => {
    const res = await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: 'stalled-model' });
    const e = assertOpenAiError(res, 504);
    assert.match(e.message, /connect/i);
  });

  // seed-defect: 001-6
  it('upstream_ttfb_ms: an upstream slower than the first-byte budget is answered 504', async () => {
    const res = await postJson(gw.url, '/v1/chat/completions', CHAT, { 'x-mock-ttft-ms': String(20 * SHORT) });
    const e = assertOpenAiError(res, 504);
    assert.match(e.message, /in time/i);
  });

  it('stream_idle_ms: a stream gone silent ends with a final error event and a clean end', async () => {
    const r = await curl(['-N', `${gw.url}/v1/chat/completions`, '-H', 'content-type: application/json',
      '-H', `x-mock-interval-ms: ${20 * SHORT}`, '-H', 'x-mock-tokens: 5', '-d', STREAM]);
    assert.equal(r.code, 0, r.stderr);
    const events = sseData(r.stdout);
    assert.ok(events.length >= 2, r.stdout);
    const last = JSON.parse(events.at(-1));
    assert.match(last.error.message, /idle/);
    assert.ok(!events.includes('[DONE]'));
  });

  // seed-defect: 000-L1
  it('a stream longer than upstream_ttfb_ms with events flowing is not cut', async () => {
    // 12 events, 100 ms apart: well past the first-byte budget, never idle for long.
    const tokens = Math.ceil((3 * SHORT) / 100);
    const r = await curl(['-N', `${gw.url}/v1/chat/completions`, '-H', 'content-type: application/json',
      '-H', 'x-mock-interval-ms: 100', '-H', `x-mock-tokens: ${tokens}`, '-d', STREAM]);
    assert.equal(r.code, 0, r.stderr);
    const events = sseData(r.stdout);
    assert.equal(events.at(-1), '[DONE]', r.stdout);
    assert.ok(events.every((e) => e === '[DONE]' || !JSON.parse(e).error), r.stdout);
    const text = events.slice(0, -1).map((e) => JSON.parse(e).choices[0]?.delta?.content ?? '').join('');
    assert.equal(text.trim().split(/\s+/).length, tokens);
  });

  it('total_ms: a stream running past the total budget is cut with a final error event', async () => {
    const own = await startConfigGateway(gatewayToml({
      apiBase: mock.apiBase,
      timeouts: { ...TIMEOUTS, stream_idle_ms: 20 * SHORT, total_ms: 3 * SHORT },
      models: [{ name: 'gpt-4o-mini', upstream: 'mock' }],
    }));
    // 1000 events 100 ms apart: without the total budget this would run for 100 s.
    const r = await curl(['-N', `${own.url}/v1/chat/completions`, '-H', 'content-type: application/json',
      '-H', 'x-mock-interval-ms: 100', '-H', 'x-mock-tokens: 1000', '-d', STREAM]);
    assert.equal(r.code, 0, r.stderr);
    const events = sseData(r.stdout);
    assert.ok(events.length >= 2, r.stdout);
    const last = JSON.parse(events.at(-1));
    assert.match(last.error.message, /total/);
  });
});

// Each timeout that the README calls a deadline stays one when the peer keeps trickling bytes.
describe('deadlines are not extended by trickled bytes', () => {
  after(stopAll);
  const { startScriptedUpstream } = require('./lib/scripted_upstream');
  const net = require('node:net');

  async function gatewayFor(apiBase, extra = {}) {
    return startConfigGateway(gatewayToml({ apiBase, timeouts: TIMEOUTS, ...extra }));
  }

  // seed-defect: 001-6
  it('upstream_ttfb_ms: a head trickled a byte at a time is answered 504', async () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: ' +
                 'p'.repeat(60) + '\r\nContent-Length: 2\r\n\r\n{}';
    // One byte every SHORT/4 ms: each read comes well inside SHORT, the whole head takes ~30 x SHORT.
    const up = await startScriptedUpstream((ctx) => ctx.trickle(head, SHORT / 4));
    const own = await gatewayFor(up.apiBase);
    try {
      const e = assertOpenAiError(await postJson(own.url, '/v1/chat/completions', CHAT), 504);
      assert.match(e.message, /in time/i);
    } finally {
      await up.stop();
      await own.stop();
    }
  });

  // seed-defect: 001-6
  it('upstream_ttfb_ms: a stream of 1xx interim responses is answered 504', async () => {
    const up = await startScriptedUpstream(async (ctx) => {
      // 100 interim responses SHORT/4 ms apart (~25 x SHORT), then a final one.
      for (let i = 0; i < 100 && !ctx.closed; ++i) {
        await ctx.trickle('HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n', SHORT / 4, 1 << 20);
      }
      await ctx.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}');
    });
    const own = await gatewayFor(up.apiBase);
    try {
      assertOpenAiError(await postJson(own.url, '/v1/chat/completions', CHAT), 504);
    } finally {
      await up.stop();
      await own.stop();
    }
  });

  // seed-defect: 001-6
  it('upstream_connect_ms: a TLS handshake trickled a byte at a time is answered 504', async () => {
    // A TLS record header announcing 16 KiB, then its body a byte at a time: every read is prompt,
    // the handshake never ends. Connect plus handshake is one deadline.
    const sockets = new Set();
    const srv = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
      s.once('data', async () => {
        s.write(Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00]));
        for (let i = 0; i < 200 && !s.destroyed; ++i) {
          s.write(Buffer.from([0x02]));
          await new Promise((r) => setTimeout(r, SHORT / 4));
        }
        s.destroy();
      });
    });
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    const own = await gatewayFor(`https://127.0.0.1:${srv.address().port}/v1`,
      { upstream: { tls_verify: false } });
    try {
      const e = assertOpenAiError(await postJson(own.url, '/v1/chat/completions', CHAT), 504);
      assert.match(e.message, /connect/i);
    } finally {
      for (const s of sockets) s.destroy();
      srv.close();
      await own.stop();
    }
  });

  it('body_read_ms: a body trickled a byte at a time is answered 408', async () => {
    const own = await gatewayFor('http://127.0.0.1:9/v1');  // never reached
    const conn = await RawConn.open(own.port);
    try {
      await conn.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
                       'Content-Length: 400\r\n\r\n');
      for (let i = 0; i < 400 && !conn.closed && conn.data.length === 0; ++i) {
        await conn.write(' ');
        await new Promise((r) => setTimeout(r, SHORT / 4));
      }
      await conn.until((c) => parseResponses(c.text).length === 1, '408 response');
      assertOpenAiError(parseOne(conn), 408);
    } finally {
      conn.destroy();
      await own.stop();
    }
  });
});
