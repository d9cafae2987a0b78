#!/usr/bin/env node
// bench/failover.js: how long a deployment's death costs. One gateway (one shard), a model on two
// deployments (two mock upstreams, equal weights), C clients in a closed loop. After W seconds
// mock A is killed (SIGKILL); the run goes on for A seconds more. Prints, as one JSON line and a
// sentence: the time from the kill to the last answer that still tried the dead deployment
// (x-ringgate-attempts >= 2, or served by it) before its breaker opened, how many answers did,
// and the client-visible errors (want 0: every failed attempt moved on before a byte went out).
// Usage: node bench/failover.js [-c 8] [--warmup-s 2] [--after-s 3]
// Environment: BUILD (default "build"); RINGGATE_BIN and MOCK_BIN override the binaries.
'use strict';

const { useBuildBinaries, numericFlags } = require('./lib/node_bench');

useBuildBinaries();
const { startMock, startConfigGateway, stopAll } = require('../tests/integration/lib/processes');
const { gatewayToml } = require('../tests/integration/lib/config');

function options(argv) {
  return numericFlags('failover.js', argv,
    { '-c': ['c', 8], '--warmup-s': ['warmupS', 2], '--after-s': ['afterS', 3] });
}

async function main() {
  const o = options(process.argv.slice(2));
  const a = await startMock(['--tokens', '4']);
  const b = await startMock(['--tokens', '4']);
  const gw = await startConfigGateway(gatewayToml({
    apiBase: a.apiBase,
    extraUpstreams: [{ name: 'b', url: b.apiBase }],
    deployments: [
      { name: 'dep-a', upstream: 'mock', model: 'gpt-4o' },
      { name: 'dep-b', upstream: 'b', model: 'gpt-4o' },
    ],
    models: [{ name: 'm', deployments: ['dep-a', 'dep-b'] }],
  }));
  const body = JSON.stringify({ model: 'm', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
  const answers = [];  // {t, status, deployment, attempts}
  let stop = false;
  const client = async () => {
    while (!stop) {
      const t0 = performance.now();
      try {
        const res = await fetch(`${gw.url}/v1/chat/completions`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body,
          signal: AbortSignal.timeout(10000),
        });
        await res.text();
        answers.push({ t: performance.now(), t0, status: res.status,
          deployment: res.headers.get('x-ringgate-deployment'),
          attempts: Number(res.headers.get('x-ringgate-attempts')) });
      } catch (e) {
        answers.push({ t: performance.now(), t0, status: 0, error: String(e) });
      }
    }
  };
  const clients = Array.from({ length: o.c }, client);
  await new Promise((r) => setTimeout(r, o.warmupS * 1000));
  const killedAt = performance.now();
  a.proc.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, o.afterS * 1000));
  stop = true;
  await Promise.all(clients);
  await gw.stop();
  await stopAll();

  const before = answers.filter((x) => x.t0 < killedAt);
  const after = answers.filter((x) => x.t0 >= killedAt || x.t >= killedAt);
  const touched = after.filter((x) => x.deployment === 'dep-a' || x.attempts >= 2);
  const lastTouch = touched.length ? Math.max(...touched.map((x) => x.t)) : killedAt;
  const result = {
    clients: o.c,
    requests_before_kill: before.length,
    share_a_before_kill: before.filter((x) => x.deployment === 'dep-a').length / Math.max(1, before.length),
    requests_after_kill: after.length,
    answers_that_tried_dead: touched.length,
    failover_ms: Math.round((lastTouch - killedAt) * 10) / 10,
    client_errors_after_kill: after.filter((x) => x.status !== 200).length,
    served_by_b_after_failover: after.filter((x) => x.t > lastTouch && x.deployment === 'dep-b').length,
  };
  console.log(JSON.stringify(result));
  console.log(`failover: traffic fully on dep-b ${result.failover_ms} ms after dep-a was killed ` +
    `(${result.answers_that_tried_dead} answers tried it first; ${result.client_errors_after_kill} client errors; ` +
    `${result.served_by_b_after_failover} answers after that, all by dep-b)`);
}

main().catch(async (e) => {
  console.error(e);
  await stopAll();
  process.exit(1);
});
