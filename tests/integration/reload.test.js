// Config reload (SIGHUP and `ringgate reload`): a valid file is swapped in on every shard, an
// invalid one is refused with its reason while the old config keeps serving, streams in flight
// finish, upstream pools survive when their upstream did not change, and 20 reloads under load
// fail no request.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const {
  startMock, startConfigGateway, startQuickGateway, runRinggate, stopAll, tempDir, writeTemp,
} = require('./lib/processes');
const { postJson, mockStats, waitFor, CHAT } = require('./lib/http');
const { SseReader } = require('./lib/sse_reader');
const { gatewayToml } = require('./lib/config');
const { makeTestCertificates } = require('./lib/tls_certs');

const BASE_MODELS = [{ name: 'gpt-4o-mini', upstream: 'mock', aliases: ['fast'] }];

function count(text, needle) {
  return text.split(needle).length - 1;
}

// Rewrites the gateway's file, sends SIGHUP and waits for the n-th "reload: ok" or refusal.
async function reloadWith(gw, toml, { expect = 'reload: ok' } = {}) {
  const seen = count(gw.stderr, expect);
  fs.writeFileSync(gw.configFile, toml);
  gw.proc.kill('SIGHUP');
  await waitFor(() => count(gw.stderr, expect) > seen,
    { what: `"${expect}" on stderr; stderr: ${gw.stderr.slice(-2000)}` });
}

function chat(gw, model = 'gpt-4o-mini') {
  return postJson(gw.url, '/v1/chat/completions', { ...CHAT, model });
}

// Serves `model` once the shards adopted the reloaded tables (a reload reaches each shard
// through its eventfd a moment after stderr reports it).
function waitServed(gw, model) {
  return waitFor(async () => (await chat(gw, model)).status === 200, { what: `${model} served` });
}

describe('config reload', () => {
  let mock;

  before(async () => {
    mock = await startMock(['--tokens', '4']);
  });
  after(stopAll);

  it('serves a model added by SIGHUP, on every shard', async () => {
    const gw = await startConfigGateway(gatewayToml({ apiBase: mock.apiBase, server: { shards: 2 }, models: BASE_MODELS }));
    assert.equal((await chat(gw, 'added-model')).status, 404);
    await reloadWith(gw, gatewayToml({
      apiBase: mock.apiBase, server: { shards: 2 },
      models: [...BASE_MODELS, { name: 'added-model', upstream: 'mock', upstream_model: 'gpt-4o' }],
    }));
    assert.match(gw.stderr, /reload: ok \(2 models, 1 upstreams\)/);
    await waitServed(gw, 'added-model');
    // New connections land on either shard; every one of them must know the model by now.
    for (let i = 0; i < 10; ++i) {
      const r = await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: 'added-model' },
        { connection: 'close' });
      assert.equal(r.status, 200, r.text);
    }
    await gw.stop();
  });

  it('refuses an invalid file with file:line:column on stderr and keeps the old config', async () => {
    const gw = await startConfigGateway(gatewayToml({ apiBase: mock.apiBase, models: BASE_MODELS }));
    const bad = gatewayToml({ apiBase: mock.apiBase, models: [{ name: 'orphan', upstream: 'nowhere' }] });
    await reloadWith(gw, bad, { expect: 'reload: refused' });
    const file = path.basename(gw.configFile).replace('.', '\\.');
    assert.match(gw.stderr, new RegExp(`reload: refused: \\S*${file}:\\d+:\\d+: .*nowhere`));
    assert.doesNotMatch(gw.stderr, /reload: ok/);
    assert.equal((await chat(gw)).status, 200);
    assert.equal((await chat(gw, 'orphan')).status, 404);
    // A file that is not TOML at all is refused the same way; a good one afterwards is taken.
    await reloadWith(gw, '[server\nshards = 1\n', { expect: 'reload: refused' });
    assert.equal((await chat(gw, 'fast')).status, 200);
    await reloadWith(gw, gatewayToml({ apiBase: mock.apiBase, models: [{ name: 'second', upstream: 'mock' }] }));
    await waitFor(async () => (await chat(gw)).status === 404, { what: 'the removed model to go' });
    assert.equal((await chat(gw, 'second')).status, 200);
    await gw.stop();
  });

  it('applies a file whose [server] shards changed, and warns that shards wait for a restart', async () => {
    const gw = await startConfigGateway(gatewayToml({ apiBase: mock.apiBase, models: BASE_MODELS }));
    await reloadWith(gw, gatewayToml({
      apiBase: mock.apiBase, server: { shards: 3 },
      models: [...BASE_MODELS, { name: 'with-warning', upstream: 'mock' }],
    }));
    assert.match(gw.stderr, /reload: warning: \[server\] shards changed; it takes effect at the next restart/);
    await waitServed(gw, 'with-warning');
    await gw.stop();
  });

  it('ringgate reload --pid-file signals the gateway; the pid file goes at exit', async () => {
    const pidFile = path.join(tempDir(), 'ringgate.pid');
    const gw = await startConfigGateway(gatewayToml({ apiBase: mock.apiBase, models: BASE_MODELS }),
      { extraArgs: ['--pid-file', pidFile] });
    assert.equal(fs.readFileSync(pidFile, 'utf8').trim(), String(gw.pid));
    fs.writeFileSync(gw.configFile, gatewayToml({
      apiBase: mock.apiBase, models: [...BASE_MODELS, { name: 'via-cli', upstream: 'mock' }],
    }));
    const r = await runRinggate(['reload', '--pid-file', pidFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`sent SIGHUP to ringgate ${gw.pid}`));
    await waitFor(() => gw.stderr.includes('reload: ok'), { what: 'reload: ok' });
    await waitServed(gw, 'via-cli');
    await gw.stop();
    assert.equal(gw.exitCode, 0, gw.stderr);
    assert.equal(fs.existsSync(pidFile), false);
    // Now the file is gone: the command says so rather than signal anything.
    const stale = await runRinggate(['reload', '--pid-file', pidFile]);
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /no pid in .*ringgate\.pid/);
  });

  it('ringgate reload refuses a pid that is not ringgate', async () => {
    const pidFile = path.join(tempDir(), 'other.pid');
    fs.writeFileSync(pidFile, `${mock.pid}\n`);  // a live process, but the mock
    const r = await runRinggate(['reload', '--pid-file', pidFile]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not ringgate/);
    assert.ok(mock.running, 'the mock got a SIGHUP meant for ringgate');
  });

  it('quick mode refuses a reload, says why, and keeps serving', async () => {
    const gw = await startQuickGateway({ upstream: mock.apiBase });
    gw.proc.kill('SIGHUP');
    await waitFor(() => gw.stderr.includes('reload: refused'), { what: 'the refusal' });
    assert.match(gw.stderr, /reload: refused: quick mode has no config file/);
    assert.equal((await chat(gw)).status, 200);
    await gw.stop();
  });

  it('a stream in flight finishes across a reload that removes its model and upstream', async () => {
    const gw = await startConfigGateway(gatewayToml({ apiBase: mock.apiBase, models: BASE_MODELS }));
    const r = await SseReader.open(gw.url, '/v1/chat/completions', { ...CHAT, stream: true },
      { 'x-mock-interval-ms': '50', 'x-mock-tokens': '20' });
    try {
      assert.equal(r.status, 200);
      await r.untilEvents(2);
      // The new file renames the upstream (a new id: the old pool is retired) and drops the model.
      await reloadWith(gw, gatewayToml({
        apiBase: mock.apiBase, upstream: { name: 'other' },
        models: [{ name: 'replacement', upstream: 'other' }],
      }));
      await waitServed(gw, 'replacement');
      assert.equal((await chat(gw)).status, 404);
      await r.untilEnd();
      assert.equal(r.events.at(-1), '[DONE]');
      assert.ok(r.events.length >= 20, `events: ${r.events.length}`);
    } finally {
      r.abort();
    }
    await gw.stop();
  });

  it('keeps the upstream pool across a reload that leaves the upstream unchanged', async () => {
    const gw = await startConfigGateway(gatewayToml({ apiBase: mock.apiBase, models: BASE_MODELS }));
    assert.equal((await chat(gw)).status, 200);  // opens the gateway's one upstream connection
    const s0 = await mockStats(mock);
    // Same upstream, a model more and the upstream list reordered behind a new second entry.
    await reloadWith(gw, gatewayToml({
      apiBase: mock.apiBase,
      extraUpstreams: [{ name: 'spare', url: `http://127.0.0.1:${mock.port}/v2` }],
      models: [...BASE_MODELS, { name: 'kept-pool', upstream: 'mock' }],
    }));
    await waitServed(gw, 'kept-pool');
    for (let i = 0; i < 5; ++i) assert.equal((await chat(gw)).status, 200);
    const s1 = await mockStats(mock);
    // The only connection the mock accepted since s0 is this stats call's own.
    assert.equal(s1.connections_accepted - s0.connections_accepted, 1, JSON.stringify({ s0, s1 }));
    assert.equal(s1.requests - s0.requests, 6);  // the requests did reach the mock

    // Control: a renamed upstream is a new upstream, with a new connection.
    await reloadWith(gw, gatewayToml({
      apiBase: mock.apiBase, upstream: { name: 'renamed' },
      models: [{ name: 'on-renamed', upstream: 'renamed' }],
    }));
    await waitServed(gw, 'on-renamed');
    const s2 = await mockStats(mock);
    assert.equal(s2.connections_accepted - s1.connections_accepted, 2, JSON.stringify({ s1, s2 }));
    await gw.stop();
  });

  it('an https upstream added by a reload works; an unusable CA bundle refuses the reload', async () => {
    const dir = tempDir();
    const certs = makeTestCertificates(dir);
    const tlsMock = await startMock(['--tls-cert', certs.certFile, '--tls-key', certs.keyFile]);
    const gw = await startConfigGateway(gatewayToml({ apiBase: mock.apiBase, models: BASE_MODELS }));
    const withTls = (caFile) => gatewayToml({
      apiBase: mock.apiBase,
      extraUpstreams: [{ name: 'secure', url: tlsMock.apiBase, ca_file: caFile }],
      models: [...BASE_MODELS, { name: 'over-tls', upstream: 'secure' }],
    });
    await reloadWith(gw, withTls(certs.caFile));
    await waitServed(gw, 'over-tls');
    // The loader reads only that the file exists; OpenSSL finds no certificate in it, and the
    // reload is refused before any shard sees it.
    const junk = writeTemp('junk-ca.pem', 'not a certificate\n', dir);
    await reloadWith(gw, withTls(junk), { expect: 'reload: refused' });
    assert.match(gw.stderr, /reload: refused: upstream secure: /);
    assert.equal((await chat(gw, 'over-tls')).status, 200);
    await gw.stop();
    await tlsMock.stop();
  });

  it('20 reloads under load fail no request', async (t) => {
    const base = { apiBase: mock.apiBase, server: { shards: 2 } };
    // Alternate between two files: the second adds a model and changes the pool's limits (so its
    // pool is replaced and the old one drains while requests still use it).
    const files = [
      gatewayToml({ ...base, models: BASE_MODELS }),
      gatewayToml({ ...base, upstream: { max_connections: 64 },
        models: [...BASE_MODELS, { name: 'extra', upstream: 'mock' }] }),
    ];
    const gw = await startConfigGateway(files[0]);
    let stop = false;
    let ok = 0;
    const failures = [];
    async function worker(id) {
      for (let i = 0; !stop && i < 100000; ++i) {
        // Half the requests stream, half open a new connection each, so reloads meet every state.
        const stream = (i + id) % 2 === 0;
        const headers = i % 3 === 0 ? { connection: 'close' } : {};
        try {
          const r = await postJson(gw.url, '/v1/chat/completions', { ...CHAT, stream }, headers);
          if (r.status === 200 && (!stream || r.text.includes('[DONE]'))) ok++;
          else failures.push(`${r.status} ${r.text.slice(0, 200)}`);
        } catch (e) {
          failures.push(String(e));
        }
      }
    }
    const workers = Array.from({ length: 8 }, (_, id) => worker(id));
    try {
      await waitFor(() => ok >= 20, { what: 'load to start' });
      for (let n = 1; n <= 20; ++n) {
        const before = ok;
        await reloadWith(gw, files[n % 2]);
        // Some requests complete between reloads, so each reload lands on live traffic.
        await waitFor(() => ok >= before + 5, { what: `requests after reload ${n}` });
      }
    } finally {
      stop = true;
      await Promise.all(workers);
    }
    assert.equal(count(gw.stderr, 'reload: ok'), 20, gw.stderr.slice(-2000));
    assert.deepEqual(failures, []);
    assert.ok(ok > 100, `only ${ok} requests completed`);
    t.diagnostic(`20 reloads, ${ok} requests, ${failures.length} failed`);
    await gw.stop();
  });
});
