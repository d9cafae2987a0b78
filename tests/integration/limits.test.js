// Resource limits: running out of descriptors, memory a burst leaves behind, and more concurrent
// requests than the upstream connection bound. Waits are conditions with deadlines; the one
// measurement window (CPU share while out of descriptors) is bounded and asserts a condition,
// not the speed of a feature.
'use strict';

const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const { startMock, startQuickGateway, startConfigGateway, stopAll, withDeadline } = require('./lib/processes');
const http = require('node:http');
const { request, postJson, waitFor, mockStats, sseData, CHAT } = require('./lib/http');
const { SseReader } = require('./lib/sse_reader');
const { gatewayToml } = require('./lib/config');
const { records } = require('./lib/records');
const { openFds, rssBytes } = require('./lib/hardening_probe');

// utime + stime of `pid`, in seconds (fields 14 and 15 of /proc/PID/stat, after the comm).
function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100;  // USER_HZ, fixed at 100 on Linux
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

// Share of one CPU `pid` used over a window of `ms` milliseconds. The window is a measurement
// interval, not a wait for something to happen.
async function cpuShare(pid, ms) {
  const cpu0 = cpuSeconds(pid);
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, ms));
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  return (cpuSeconds(pid) - cpu0) / wall;
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

// Runs `fn(i)` for i in [0, n) with at most `width` calls in flight.
async function inParallel(n, width, fn) {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker));
}

const MiB = 1048576;

// A client that sends a request head announcing `length` body bytes, `sent` of them, then
// hangs up; resolves once the gateway closed its side (it has read everything sent by then).
async function partialBody(port, length, sent) {
  const s = await connect(port);
  const closed = new Promise((resolve) => s.once('close', resolve));
  s.on('error', () => {});
  s.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${length}\r\n\r\n`);
  s.end(Buffer.alloc(sent, 'a'));
  await withDeadline(closed, 20000, 'the gateway to close a partial body');
}

const STREAM = Object.freeze({ ...CHAT, stream: true });

// A streamed chat request whose whole answer is collected. `req` is there to hang up early;
// `done` resolves {status, headers, text} or {error}.
function streamRequest(base, headers = {}, path = '/v1/chat/completions', body = STREAM) {
  const text = JSON.stringify(body);
  let req;
  const done = new Promise((resolve) => {
    req = http.request(`${base}${path}`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers },
    }, (res) => {
      let out = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { out += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: out }));
      res.on('error', (error) => resolve({ error }));
    });
    req.on('error', (error) => resolve({ error }));
    req.end(text);
  });
  return { req, done };
}

function assertStreamOk(r) {
  assert.ok(!r.error, `stream failed: ${r.error}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(sseData(r.text).at(-1), '[DONE]', r.text.slice(-200));
}

// Sends two streamed requests with ids `idA` and `idB` while the only upstream connection is
// busy and the queue has one free place. Waits for the first answer, which must be the refusal
// of a full queue; resolves [queued, refused], each a streamRequest with its `id`.
async function oneQueuedOneRefused(gw, idA, idB) {
  const paced = { 'x-mock-tokens': '10', 'x-mock-interval-ms': '20' };
  const reqs = [idA, idB].map((id) => ({ id, ...streamRequest(gw.url, { ...paced, 'x-request-id': id }) }));
  const first = await withDeadline(Promise.race(reqs.map((r, i) => r.done.then((res) => ({ res, i })))),
    10000, `one of ${idA}, ${idB} to be refused`);
  assert.equal(first.res.status, 503, JSON.stringify(first.res));
  assert.match(first.res.text, /queue is full/);
  return [reqs[1 - first.i], reqs[first.i]];
}

function count(results, status) {
  return results.filter((r) => r.status === status).length;
}

describe('limits', () => {
  after(stopAll);

  describe('out of descriptors', () => {
    const FD_LIMIT = 64;
    // More than the gateway can hold: the rest wait in the listen backlog.
    const CLIENTS = 100;

    it('warns at start, backs off accept while out of fds instead of spinning, then serves again', async () => {
      const mock = await startMock();
      const gw = await startQuickGateway({
        upstream: mock.apiBase, shards: 1, prefix: ['prlimit', `--nofile=${FD_LIMIT}:${FD_LIMIT}`],
      });
      // (a) the configured bounds cannot fit under 64 descriptors, and the gateway says so.
      await waitFor(() => /open-file limit/.test(gw.stderr), { what: 'the fd limit warning', deadlineMs: 5000 });
      assert.match(gw.stderr, /warning: open-file limit 64 /, gw.stderr);

      const clients = [];
      try {
        for (let i = 0; i < CLIENTS; ++i) clients.push(await connect(gw.port));
        // Every descriptor the gateway may have is in use: accept now fails with EMFILE.
        await waitFor(() => openFds(gw.pid) >= FD_LIMIT, { what: 'the gateway to run out of fds', deadlineMs: 5000 });
        // (b) a core spinning on a failing accept would show as ~100% here.
        const share = await cpuShare(gw.pid, 1500);
        assert.ok(share < 0.2, `gateway used ${(share * 100).toFixed(0)}% of a CPU while out of fds`);
      } finally {
        for (const c of clients) c.destroy();
      }
      // (c) descriptors come back and so does service.
      await waitFor(async () => {
        try {
          return (await request(`${gw.url}/healthz`)).status === 200;
        } catch {
          return false;
        }
      }, { what: '/healthz after the clients left', deadlineMs: 10000 });
      assert.ok(gw.running);
    });
  });

  describe('memory after a burst of large bodies', () => {
    const BODY = 240 * 1024;
    const SENT = BODY - 10 * 1024;  // most of the body, then the client hangs up
    const WARM = 64;
    const WARM_WIDTH = 16;
    const BURST = 600;
    const BURST_WIDTH = 100;
    // Allocator and kernel noise on a ~30 MiB process: partly used mimalloc pages, socket
    // buffers, page tables. Far below what an unbounded pool keeps (BURST_WIDTH x 256 KiB).
    const SLACK = 3 * MiB;

    // seed-defect: 004-P14
    it('600 partial 240 KiB bodies, 100 at a time: RSS returns to within 10% of the warm baseline', async () => {
      const mock = await startMock();
      const gw = await startConfigGateway(gatewayToml({ apiBase: mock.apiBase }));
      // Warm-up: ordinary requests, and large bodies at low concurrency, so the baseline has the
      // code, the provided-buffer ring and a pool filled to its bound.
      for (let i = 0; i < 20; ++i) assert.equal((await postJson(gw.url, '/v1/chat/completions', CHAT)).status, 200);
      await inParallel(WARM, WARM_WIDTH, () => partialBody(gw.port, BODY, SENT));
      const baseline = rssBytes(gw.pid);

      await inParallel(BURST, BURST_WIDTH, () => partialBody(gw.port, BODY, SENT));
      const peak = rssBytes(gw.pid);
      const bound = baseline * 1.1 + SLACK;
      const mb = (b) => `${(b / MiB).toFixed(1)} MiB`;
      await waitFor(() => rssBytes(gw.pid) <= bound, {
        deadlineMs: 10000,
        what: `RSS back near baseline ${mb(baseline)} (peak ${mb(peak)}, now ${mb(rssBytes(gw.pid))})`,
      });
      assert.equal((await postJson(gw.url, '/v1/chat/completions', CHAT)).status, 200);
    });
  });

  describe('more concurrent requests than upstream connections', () => {
    const SLOW = { 'x-mock-tokens': '10', 'x-mock-interval-ms': '20' };

    it('max_connections = 4: 40 concurrent streams wait their turn and all succeed', async () => {
      const mock = await startMock();
      const gw = await startConfigGateway(gatewayToml({
        apiBase: mock.apiBase, upstream: { max_connections: 4, max_idle: 4 },
      }));
      const results = await Promise.all(Array.from({ length: 40 }, () => streamRequest(gw.url, SLOW).done));
      for (const r of results) assertStreamOk(r);
      // The bound held: at most 4 upstream connections besides the stats calls' own.
      const s = await mockStats(mock);
      assert.ok(s.connections_accepted <= 4 + 1, JSON.stringify(s));
    });

    it('queue_depth = 2: the excess gets a 503 with Retry-After in the client\'s API shape', async () => {
      const mock = await startMock();
      const gw = await startConfigGateway(gatewayToml({
        apiBase: mock.apiBase,
        upstream: { max_connections: 4, max_idle: 4, queue_depth: 2, queue_timeout_ms: 3000 },
      }));
      const long = { 'x-mock-tokens': '40', 'x-mock-interval-ms': '25' };
      const results = await Promise.all(Array.from({ length: 40 }, () => streamRequest(gw.url, long).done));
      const ok = results.filter((r) => r.status === 200);
      const refused = results.filter((r) => r.status === 503);
      assert.equal(ok.length + refused.length, 40, JSON.stringify(results.map((r) => r.status ?? String(r.error))));
      assert.ok(ok.length >= 6, `4 connections and 2 queued should succeed, got ${ok.length}`);
      assert.ok(refused.length > 0, 'some requests should be refused');
      for (const r of ok) assertStreamOk(r);
      for (const r of refused) {
        assert.equal(r.headers['retry-after'], '3', JSON.stringify(r.headers));
        const e = JSON.parse(r.text).error;
        assert.match(e.message, /queue is full/, r.text);
        assert.equal(e.code, 'upstream_unavailable', r.text);
      }
    });

    it('a client that hangs up while queued leaves the queue', async () => {
      const mock = await startMock();
      const gw = await startConfigGateway(gatewayToml({
        apiBase: mock.apiBase,
        upstream: { max_connections: 1, max_idle: 1, queue_depth: 1, queue_timeout_ms: 20000 },
      }), { env: { RINGGATE_LOG: 'debug' } });
      // A holds the only connection until it hangs up below (its stream would last 30 s).
      const a = await SseReader.open(gw.url, '/v1/chat/completions', STREAM,
        { 'x-mock-tokens': '600', 'x-mock-interval-ms': '50' });
      assert.equal(a.status, 200);
      await a.untilEvents(1);
      // Two requests want the one queue place: the one the gateway reads second is refused at
      // once, so the other holds the place, whichever of the two the gateway read first.
      const [holder] = await oneQueuedOneRefused(gw, 'queued-b', 'queued-c');
      // The holder hangs up; its request's record says client_gone once the gateway noticed.
      holder.req.destroy();
      await waitFor(() => records(gw).get(holder.id)?.outcome === 'client_gone',
        { what: `the record of ${holder.id} leaving the queue`, deadlineMs: 10000 });
      // From then on the place is free: of two more requests one is queued (had the gone client
      // kept its place, both would be refused) and gets A's connection once A hangs up.
      const [d] = await oneQueuedOneRefused(gw, 'queued-d', 'queued-e');
      a.abort();
      assertStreamOk(await d.done);
    });

    it('quick mode: --upstream-max-connections bounds the pool, and requests queue', async () => {
      const mock = await startMock();
      const gw = await startQuickGateway({
        upstream: mock.apiBase, shards: 1, extraArgs: ['--upstream-max-connections', '2'],
      });
      const results = await Promise.all(Array.from({ length: 10 }, () => streamRequest(gw.url, SLOW).done));
      for (const r of results) assertStreamOk(r);
      const s = await mockStats(mock);
      assert.ok(s.connections_accepted <= 2 + 1, JSON.stringify(s));
    });

    it('defaults (quick mode): 300 concurrent streams through one shard all succeed', async () => {
      const mock = await startMock();
      const gw = await startQuickGateway({ upstream: mock.apiBase, shards: 1 });
      const paced = { 'x-mock-tokens': '20', 'x-mock-interval-ms': '50' };  // ~1 s each: all overlap
      const results = await Promise.all(Array.from({ length: 300 }, () => streamRequest(gw.url, paced).done));
      assert.equal(count(results, 200), 300, `statuses: ${[...new Set(results.map((r) => r.status))]}`);
      for (const r of results) assertStreamOk(r);
    });
  });
});
