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
const { request, postJson, waitFor, CHAT } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
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
});
