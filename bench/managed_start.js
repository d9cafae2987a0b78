#!/usr/bin/env node
// bench/managed_start.js: time from first request to first token for a managed deployment
// (README "Managed local deployments"). The gateway runs the mock upstream as its stand-in model
// server with --startup-delay-ms (default 2000: /health answers 503 until then); --queued
// streaming requests (default 10) are sent at once to the stopped deployment, and each one's
// time to its first content token is measured. The same requests are then sent again to the
// now-ready server, side by side, so the start's cost reads as the difference.
// Prints one JSON line and a sentence.
// Usage: node bench/managed_start.js [--startup-delay-ms 2000] [--queued 10]
// Environment: BUILD (default "build"); RINGGATE_BIN and MOCK_BIN override the binaries.
'use strict';

const { useBuildBinaries, numericFlags } = require('./lib/node_bench');

useBuildBinaries();
const { startConfigGateway, stopAll, tempDir, freePort } = require('../tests/integration/lib/processes');
const { request } = require('../tests/integration/lib/http');
const { mockCommand, managedToml, managedStatus } = require('../tests/integration/lib/managed');

function options(argv) {
  return numericFlags('managed_start.js', argv,
    { '--startup-delay-ms': ['startupDelayMs', 2000], '--queued': ['queued', 10] });
}

// Milliseconds from sending a streaming chat request to the first content delta.
async function firstTokenMs(url) {
  const t0 = performance.now();
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'local-model', stream: true, max_tokens: 8,
      messages: [{ role: 'user', content: 'hi' }] }),
    signal: AbortSignal.timeout(60000),
  });
  if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
  const decoder = new TextDecoder();
  let seen = '';
  let at;
  for await (const chunk of res.body) {
    seen += decoder.decode(chunk, { stream: true });
    if (at === undefined && /"content":"[^"]/.test(seen)) at = performance.now() - t0;
  }
  if (at === undefined) throw new Error('no content token in the stream');
  return at;
}

function summary(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const r = (x) => Math.round(x);
  return { min_ms: r(s[0]), median_ms: r(s[Math.floor(s.length / 2)]), max_ms: r(s[s.length - 1]) };
}

async function main() {
  const o = options(process.argv.slice(2));
  const port = await freePort();
  const gw = await startConfigGateway(managedToml({
    port, stateDir: tempDir(), command: mockCommand(port, { startupDelayMs: o.startupDelayMs }),
    managed: { start_timeout_ms: o.startupDelayMs + 30000, max_queued: Math.max(64, o.queued) },
  }));
  const cold = await Promise.all(Array.from({ length: o.queued }, () => firstTokenMs(gw.url)));
  const st = await managedStatus(gw);
  const warm = await Promise.all(Array.from({ length: o.queued }, () => firstTokenMs(gw.url)));
  const metrics = (await request(`${gw.url}/metrics`)).text;
  const probes = Number(/ringgate_managed_health_probes_total\{deployment="local"\} (\d+)/.exec(metrics)[1]);
  await stopAll();
  const out = {
    bench: 'managed_start', startup_delay_ms: o.startupDelayMs, queued: o.queued, starts: st.starts,
    health_probes: probes, cold: summary(cold), warm: summary(warm),
    start_overhead_ms: Math.round(summary(cold).median_ms - o.startupDelayMs),
  };
  console.log(JSON.stringify(out));
  console.log(`${o.queued} requests queued on a stopped deployment whose server takes ${o.startupDelayMs} ms ` +
    `to start: first token after ${out.cold.median_ms} ms (median; ${out.cold.min_ms}-${out.cold.max_ms}), ` +
    `${out.start_overhead_ms} ms beyond the start itself, ${st.starts} start, ${probes} health probes; ` +
    `once ready the same requests take ${out.warm.median_ms} ms (median).`);
}

main().catch(async (e) => {
  console.error(e);
  await stopAll();
  process.exit(1);
});
