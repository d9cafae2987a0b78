#!/usr/bin/env node
// bench/health_detect.js: how long after a deployment's server dies its health probes mark it
// unhealthy (README "Health probes"). One gateway, a model on two deployments (two mock
// upstreams) probed every --interval-ms with no grace; for each of --runs runs mock A is killed
// (SIGKILL) once both are healthy, and /readyz is polled every 5 ms until A shows "unhealthy".
// Two failed probes in a row make a deployment unhealthy, so the expected bound is about
// interval + interval (the first retry after a failure waits one interval) plus a connect.
// Prints one JSON line and a sentence.
// Usage: node bench/health_detect.js [--interval-ms 200] [--runs 5]
// Environment: BUILD (default "build"); RINGGATE_BIN and MOCK_BIN override the binaries.
'use strict';

const { useBuildBinaries, numericFlags } = require('./lib/node_bench');

useBuildBinaries();
const { startMock, startConfigGateway, stopAll } = require('../tests/integration/lib/processes');
const { gatewayToml } = require('../tests/integration/lib/config');
const { waitFor, request } = require('../tests/integration/lib/http');

function options(argv) {
  return numericFlags('health_detect.js', argv,
    { '--interval-ms': ['intervalMs', 200], '--runs': ['runs', 5] });
}

async function states(gw) {
  const r = await request(`${gw.url}/readyz`);
  return Object.fromEntries(r.json.deployments.map((d) => [d.name, d.state]));
}

async function oneRun(o) {
  const a = await startMock();
  const b = await startMock();
  const health = { interval_ms: o.intervalMs, grace_ms: 0, timeout_ms: 1000 };
  const gw = await startConfigGateway(gatewayToml({
    apiBase: a.apiBase,
    extraUpstreams: [{ name: 'b', url: b.apiBase }],
    deployments: [
      { name: 'dep-a', upstream: 'mock', model: 'gpt-4o', health },
      { name: 'dep-b', upstream: 'b', model: 'gpt-4o', health },
    ],
    models: [{ name: 'm', deployments: ['dep-a', 'dep-b'] }],
  }));
  await waitFor(async () => {
    const s = await states(gw);
    return s['dep-a'] === 'healthy' && s['dep-b'] === 'healthy';
  }, { what: 'both healthy' });
  const killedAt = performance.now();
  a.proc.kill('SIGKILL');
  await waitFor(async () => (await states(gw))['dep-a'] === 'unhealthy',
    { deadlineMs: 20 * o.intervalMs + 5000, what: 'dep-a unhealthy' });
  const ms = performance.now() - killedAt;
  await stopAll();
  return ms;
}

async function main() {
  const o = options(process.argv.slice(2));
  const times = [];
  for (let i = 0; i < o.runs; ++i) times.push(await oneRun(o));
  times.sort((x, y) => x - y);
  const round = (x) => Math.round(x * 10) / 10;
  const result = {
    interval_ms: o.intervalMs,
    runs: o.runs,
    detect_ms_median: round(times[Math.floor(times.length / 2)]),
    detect_ms_max: round(times[times.length - 1]),
    detect_ms_min: round(times[0]),
  };
  console.log(JSON.stringify(result));
  console.log(`a killed deployment was marked unhealthy after ${result.detect_ms_median} ms (median of ` +
    `${o.runs}; max ${result.detect_ms_max} ms) with probes every ${o.intervalMs} ms`);
}

main().catch(async (e) => {
  console.error(e);
  await stopAll();
  process.exit(1);
});
