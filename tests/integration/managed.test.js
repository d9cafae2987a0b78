// Managed local deployments (README "Managed local deployments"): the gateway runs the mock
// upstream itself as a stand-in model server that takes a while to start (--startup-delay-ms),
// starts it once however many first requests race, spaces its health probes while it starts,
// retries a failed start after a backoff, stops it when idle and never leaves it orphaned.
'use strict';

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { startConfigGateway, startMock, stopAll, tempDir, freePort, withDeadline } = require('./lib/processes');
const { postJson, request, waitFor } = require('./lib/http');
const { MOCK_PATH, mockCommand, managedToml, managedStatus, procStat, alive, groupMembers } = require('./lib/managed');

after(stopAll);

const chat = { model: 'local-model', messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 };

function mockStatsAt(port) {
  return request(`http://127.0.0.1:${port}/mock/stats`).then((r) => r.json);
}

// seed-defect: 004-P2
// seed-defect: 004-P8
test('ten concurrent first requests start the server once, all succeed, probes are spaced', async () => {
  const port = await freePort();
  const gw = await startConfigGateway(managedToml({
    port, stateDir: tempDir(), command: mockCommand(port, { startupDelayMs: 2000 }),
  }));
  assert.equal((await managedStatus(gw)).state, 'stopped');
  const answers = await Promise.all(Array.from({ length: 10 }, () => postJson(gw.url, '/v1/chat/completions', chat)));
  for (const a of answers) {
    assert.equal(a.status, 200, a.text);
    assert.equal(a.headers.get('x-ringgate-deployment'), 'local');
  }
  const st = await managedStatus(gw);
  assert.equal(st.state, 'ready');
  assert.equal(st.starts, 1, 'one start for ten racing first requests');
  assert.equal(st.requests, 10);
  assert.ok(alive(st.pid));
  // At the stand-in: one prober, after a grace, backing off; never a probe per waiting request.
  const stats = await mockStatsAt(port);
  const times = stats.health_check_ms;
  assert.ok(stats.health_checks >= 2 && stats.health_checks <= 12, `health checks: ${stats.health_checks}`);
  assert.ok(times[0] >= 150, `first probe at ${times[0]} ms, before the grace`);
  for (let i = 1; i < times.length; ++i) {
    assert.ok(times[i] - times[i - 1] >= 60, `probes ${i - 1} and ${i} ${times[i] - times[i - 1]} ms apart: ${times}`);
  }
  const metrics = await request(`${gw.url}/metrics`);
  assert.match(metrics.text, /ringgate_managed_starts_total\{deployment="local"\} 1/);
  assert.match(metrics.text, /ringgate_managed_state\{deployment="local",state="ready"\} 1/);
  await gw.stop();
});

test('a failing start answers 503 naming the deployment and is retried after a backoff', async () => {
  const port = await freePort();
  const dir = tempDir();
  const mark = path.join(dir, 'failed-once');
  const script = `if [ ! -e '${mark}' ]; then touch '${mark}'; echo 'model file missing' >&2; exit 3; fi; ` +
    `exec '${MOCK_PATH}' --listen 127.0.0.1:{port}`;
  const gw = await startConfigGateway(managedToml({ port, stateDir: dir, command: ['/bin/sh', '-c', script] }));
  const first = await postJson(gw.url, '/v1/chat/completions', chat);
  assert.equal(first.status, 503, first.text);
  assert.match(first.json.error.message, /managed deployment local failed to start/);
  assert.doesNotMatch(first.text, /model file missing/, 'its output goes to the log, not the response');
  assert.ok(first.headers.get('retry-after'));
  // Within the backoff: refused at once, no second start.
  const second = await postJson(gw.url, '/v1/chat/completions', chat);
  assert.equal(second.status, 503);
  assert.match(second.json.error.message, /backoff/);
  assert.ok(Number(second.headers.get('retry-after')) >= 1);
  assert.equal((await managedStatus(gw)).starts, 1);
  const ok = await waitFor(async () => {
    const r = await postJson(gw.url, '/v1/chat/completions', chat);
    return r.status === 200 ? r : null;
  }, { deadlineMs: 10000, what: 'a start after the backoff' });
  assert.equal(ok.status, 200);
  const st = await managedStatus(gw);
  assert.equal(st.starts, 2);
  assert.equal(st.start_failures, 1);
  assert.match(gw.stderr, /managed: local: start failed: exited with status 3[^]*model file missing/);
  await gw.stop();
});

test('max_queued bounds the requests waiting for a start', async () => {
  const port = await freePort();
  const gw = await startConfigGateway(managedToml({
    port, stateDir: tempDir(), command: mockCommand(port, { startupDelayMs: 1000 }), managed: { max_queued: 3 },
  }));
  const answers = await Promise.all(Array.from({ length: 8 }, () => postJson(gw.url, '/v1/chat/completions', chat)));
  const ok = answers.filter((a) => a.status === 200);
  const refused = answers.filter((a) => a.status === 503);
  assert.equal(ok.length, 3, answers.map((a) => a.status).join(','));
  assert.equal(refused.length, 5);
  for (const r of refused) {
    assert.match(r.json.error.message, /managed deployment local is starting and max_queued \(3\)/);
    assert.ok(r.headers.get('retry-after'));
  }
  await gw.stop();
});

test('while_starting = "fallback" serves from the fallback while the start goes on', async () => {
  const port = await freePort();
  const cloud = await startMock();
  const gw = await startConfigGateway(managedToml({
    port, stateDir: tempDir(), command: mockCommand(port, { startupDelayMs: 500 }), apiBase: cloud.apiBase,
    models: [
      { name: 'local-model', deployments: ['local'], fallbacks: ['gpt-4o-mini'], while_starting: 'fallback' },
      { name: 'gpt-4o-mini', upstream: 'mock' },
    ],
  }));
  const first = await postJson(gw.url, '/v1/chat/completions', chat);
  assert.equal(first.status, 200, first.text);
  assert.equal(first.headers.get('x-ringgate-model'), 'gpt-4o-mini');
  assert.equal(first.headers.get('x-ringgate-deployment'), 'gpt-4o-mini');
  // The request that went to the fallback still started the local server.
  await waitFor(async () => (await managedStatus(gw)).state === 'ready', { what: 'local ready' });
  const next = await postJson(gw.url, '/v1/chat/completions', chat);
  assert.equal(next.status, 200);
  assert.equal(next.headers.get('x-ringgate-deployment'), 'local');
  assert.equal((await managedStatus(gw)).starts, 1);
  await gw.stop();
});

test('an idle deployment stops, and the next request starts it again', async () => {
  const port = await freePort();
  const gw = await startConfigGateway(managedToml({
    port, stateDir: tempDir(), command: mockCommand(port, { startupDelayMs: 300 }),
    managed: { idle_stop_ms: 500, stop_grace_ms: 2000 },
  }));
  assert.equal((await postJson(gw.url, '/v1/chat/completions', chat)).status, 200);
  const firstPid = (await managedStatus(gw)).pid;
  await waitFor(async () => (await managedStatus(gw)).state === 'stopped', { what: 'idle stop' });
  await waitFor(() => !alive(firstPid), { what: `pid ${firstPid} gone` });
  assert.match(gw.stderr, /managed: local: stopping pid \d+ \(idle\)/);
  assert.equal((await postJson(gw.url, '/v1/chat/completions', chat)).status, 200);
  const st = await managedStatus(gw);
  assert.equal(st.starts, 2);
  assert.notEqual(st.pid, firstPid);
  await gw.stop();
});

// seed-defect: 004-P1
test('kill -9 of the gateway leaves no child running (parent-death signal)', async () => {
  const port = await freePort();
  const gw = await startConfigGateway(managedToml({ port, stateDir: tempDir(), command: mockCommand(port) }));
  assert.equal((await postJson(gw.url, '/v1/chat/completions', chat)).status, 200);
  const pid = (await managedStatus(gw)).pid;
  assert.ok(alive(pid));
  gw.proc.kill('SIGKILL');
  await withDeadline(gw.exited, 5000, 'gateway exit');
  await waitFor(() => !alive(pid), { deadlineMs: 5000, what: `child ${pid} gone after kill -9 of the gateway` });
});

// seed-defect: 004-P1
test('a restart reaps a child left by kill -9 of both in the wrong order, and only its own', async () => {
  const port = await freePort();
  const stateDir = tempDir();
  // A wrapper whose server is a grandchild: fork clears the parent-death signal, so only the
  // process group and the state record can find it once both parents are gone.
  const script = `'${MOCK_PATH}' --listen 127.0.0.1:{port} & wait`;
  const toml = managedToml({ port, stateDir, command: ['/bin/sh', '-c', script] });
  const gw = await startConfigGateway(toml);
  assert.equal((await postJson(gw.url, '/v1/chat/completions', chat)).status, 200);
  const wrapper = (await managedStatus(gw)).pid;
  const server = groupMembers(wrapper).find((p) => p !== wrapper);
  assert.ok(server, 'the server runs in the wrapper\'s group');
  // The wrong order: the child first, then the gateway (frozen first, so it cannot clean up).
  gw.proc.kill('SIGSTOP');
  process.kill(wrapper, 'SIGKILL');
  gw.proc.kill('SIGKILL');
  await withDeadline(gw.exited, 5000, 'gateway exit');
  await waitFor(() => !alive(wrapper), { what: 'wrapper gone' });
  assert.ok(alive(server), 'the server outlived both: an orphan');

  // A record naming a live process that is not what it recorded (a pid reused): left alone.
  const bystander = spawn('sleep', ['60'], { stdio: 'ignore' });
  const bst = procStat(bystander.pid);
  const hex = (s) => Buffer.from(s).toString('hex');
  fs.writeFileSync(path.join(stateDir, '1-reused.state'), 'ringgate-managed 1\nowner_pid=1\n' +
    `owner_start=1\npid=${bystander.pid}\nstart=${bst.start + 1}\ndeployment=reused\n` +
    `cmdline=${hex('sleep\0' + '60\0')}\nend\n`);

  const again = await startConfigGateway(toml);
  await waitFor(() => !alive(server), { deadlineMs: 5000, what: `orphan ${server} reaped` });
  assert.match(again.stderr, /managed: local: reaped process group \d+ left by an earlier run/);
  assert.match(again.stderr, /managed: reused: pid \d+ now names another process; left alone/);
  assert.ok(alive(bystander.pid), 'a process that is not the recorded one is never killed');
  assert.deepEqual(fs.readdirSync(stateDir).filter((f) => f.endsWith('.state')), []);
  bystander.kill('SIGKILL');
  // The port is free again: the restarted gateway starts its own server there.
  assert.equal((await postJson(again.url, '/v1/chat/completions', chat)).status, 200);
  await again.stop();
});

// seed-defect: 004-P1
test('SIGTERM lets the drain finish, then stops the children', async () => {
  const port = await freePort();
  const gw = await startConfigGateway(managedToml({
    port, stateDir: tempDir(), command: mockCommand(port, { args: ['--ttft-ms', '1500'] }),
  }));
  assert.equal((await postJson(gw.url, '/v1/chat/completions', { ...chat, max_tokens: 1 })).status, 200);
  const pid = (await managedStatus(gw)).pid;
  const slow = postJson(gw.url, '/v1/chat/completions', chat);
  await waitFor(async () => (await mockStatsAt(port)).requests >= 2, { what: 'the slow request upstream' });
  gw.proc.kill('SIGTERM');
  const r = await slow;
  assert.equal(r.status, 200, 'the server lived through the drain');
  const { code } = await withDeadline(gw.exited, 15000, 'gateway exit');
  assert.equal(code, 0);
  assert.ok(!alive(pid), 'stopped with the gateway');
  assert.match(gw.stderr, /draining[^]*managed: local: stopped/);
});

test('reload keeps the child of an unchanged deployment', async () => {
  const port = await freePort();
  const stateDir = tempDir();
  const gw = await startConfigGateway(managedToml({ port, stateDir, command: mockCommand(port) }));
  assert.equal((await postJson(gw.url, '/v1/chat/completions', chat)).status, 200);
  const pid = (await managedStatus(gw)).pid;
  fs.appendFileSync(gw.configFile, '\n# touched\n');
  gw.proc.kill('SIGHUP');
  await waitFor(() => /reload: ok/.test(gw.stderr), { what: 'reload' });
  const st = await managedStatus(gw);
  assert.equal(st.pid, pid);
  assert.equal(st.state, 'ready');
  assert.equal(st.starts, 1);
  assert.equal((await postJson(gw.url, '/v1/chat/completions', chat)).status, 200);
  await gw.stop();
});

test('ringgate deployments prints the running gateway\'s managed deployments', async () => {
  const { runRinggate } = require('./lib/processes');
  const port = await freePort();
  const gw = await startConfigGateway(managedToml({ port, stateDir: tempDir(), command: mockCommand(port) }));
  let out = await runRinggate(['deployments', '--url', gw.url]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /^local\s+stopped\s+-\s+\d+/m);
  assert.equal((await postJson(gw.url, '/v1/chat/completions', chat)).status, 200);
  out = await runRinggate(['deployments', '--url', gw.url]);
  const pid = (await managedStatus(gw)).pid;
  assert.match(out.stdout, new RegExp(`^local\\s+ready\\s+${pid}\\s+${port}\\s+\\S+\\s+1$`, 'm'));
  await gw.stop();
  // Nothing listens at the config's own address now: the config's deployments, all stopped.
  const idle = path.join(tempDir(), 'idle.toml');
  fs.writeFileSync(idle, fs.readFileSync(gw.configFile, 'utf8')
    .replace('[server]\n', `[server]\nlisten = "127.0.0.1:${await freePort()}"\n`));
  out = await runRinggate(['deployments', '--config', idle]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /no gateway answers/);
  assert.match(out.stdout, new RegExp(`^local\\s+stopped\\s+-\\s+${port}`, 'm'));
});
