// Active health probes (engine/gateway/health_prober): every [[deployments]] entry is probed off
// the shards with a GET of a free path (never a completion), all at once (seed-defect 001-5),
// after a start-up grace and with backoff (004-P8). A deployment whose server dies is taken out
// of routing without a failed request, and comes back once its probes pass again. The stand-ins
// are scripted upstreams that record every request, so "only GETs of that path" is checked.
'use strict';

const fs = require('node:fs');
const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const { startConfigGateway, stopAll, tempDir } = require('./lib/processes');
const { waitFor, request, postJson } = require('./lib/http');
const { startScriptedUpstream, chatResponse } = require('./lib/scripted_upstream');
const { scrape, value } = require('./lib/metrics');
const { makeTestCertificates } = require('./lib/tls_certs');

const KEY_A = 'sk-probe-a-2b7c9d';
const KEY_B = 'sk-probe-b-4e1f0a';
const CHAT = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
const MODELS = '{"object":"list","data":[]}';

function modelsResponse(status = 200) {
  return `HTTP/1.1 ${status} X\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${MODELS.length}\r\n\r\n${MODELS}`;
}

// Answers a model list (or the configured path) with `status()` and chats with 200; never
// closes first (the prober sends Connection: close and hangs up itself).
function standIn(name, status = () => 200) {
  return async (ctx) => {
    if (ctx.req.method === 'GET') return ctx.write(modelsResponse(status()));
    return ctx.write(chatResponse(`from ${name}`));
  };
}

function toml(ups, deployments, strategy = 'weighted') {
  const parts = ['[server]\nshards = 1\n', '[auth]\nmode = "none"\n'];
  for (const [name, up] of Object.entries(ups)) {
    const ca = up.caFile ? `ca_file = "${up.caFile}"\n` : '';
    parts.push(`[[upstreams]]\nname = "${name}"\nurl = "${up.apiBase}"\nformat = "openai"\n${ca}`);
  }
  for (const d of deployments) {
    const health = typeof d.health === 'object'
      ? `{ ${Object.entries(d.health).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ')} }`
      : String(d.health);
    parts.push(`[[deployments]]\nname = "${d.name}"\nupstream = "${d.upstream}"\nmodel = "gpt-4o-mini"\n` +
      `keys = ["env:${d.keyEnv}"]\nhealth = ${health}\n`);
  }
  parts.push(`[[models]]\nname = "m"\ndeployments = [${deployments.map((d) => `"${d.name}"`).join(', ')}]\n` +
    `strategy = "${strategy}"\n`);
  return parts.join('\n');
}

async function readyz(gw) {
  const r = await request(`${gw.url}/readyz`);
  assert.equal(r.status, 200, r.text);
  return Object.fromEntries(r.json.deployments.map((d) => [d.name, d]));
}

// Rewrites the gateway's file, sends SIGHUP and waits for stderr to say the reload applied.
async function reloadWith(gw, text) {
  const seen = gw.stderr.split('reload: ok').length;
  fs.writeFileSync(gw.configFile, text);
  gw.proc.kill('SIGHUP');
  await waitFor(() => gw.stderr.split('reload: ok').length > seen, { what: 'reload: ok' });
}

function probesOf(up) {
  return up.requests.filter((r) => r.method === 'GET');
}

describe('health probes', () => {
  after(stopAll);

  it('marks a dead deployment unhealthy, routes around it without a failed attempt, and takes it back', async () => {
    const a = await startScriptedUpstream(standIn('a'));
    const b = await startScriptedUpstream(standIn('b'));
    const health = { interval_ms: 200, grace_ms: 0, timeout_ms: 1000, max_backoff_ms: 400 };
    const gw = await startConfigGateway(toml({ a, b }, [
      { name: 'da', upstream: 'a', keyEnv: 'PROBE_KEY_A', health },
      { name: 'db', upstream: 'b', keyEnv: 'PROBE_KEY_B', health: { ...health, path: '/custom/ping' } },
    ]), { env: { PROBE_KEY_A: KEY_A, PROBE_KEY_B: KEY_B } });
    try {
      await waitFor(async () => {
        const s = await readyz(gw);
        return s.da.state === 'healthy' && s.db.state === 'healthy';
      }, { what: 'both deployments healthy' });
      // Only GETs of the model list (default) or the configured path, with the deployment's key.
      assert.ok(a.requests.length > 0 && b.requests.length > 0);
      for (const r of a.requests) {
        assert.equal(`${r.method} ${r.path}`, 'GET /v1/models');
        assert.equal(r.headers.authorization, `Bearer ${KEY_A}`);
      }
      for (const r of b.requests) {
        assert.equal(`${r.method} ${r.path}`, 'GET /custom/ping');
        assert.equal(r.headers.authorization, `Bearer ${KEY_B}`);
      }

      const port = a.port;
      await a.stop();
      const down = await waitFor(async () => {
        const s = await readyz(gw);
        return s.da.state === 'unhealthy' && s.da;
      }, { what: 'da unhealthy' });
      assert.match(down.last_error, /connect/);
      assert.ok(down.consecutive_failures >= 2);
      assert.ok(down.last_probe_unix_ms > 0);
      const m = await scrape(gw);
      assert.equal(m.samples.get('ringgate_deployment_healthy{deployment="da"}'), 0);
      assert.equal(value(m, 'ringgate_deployment_healthy', { deployment: 'db' }), 1);
      assert.ok(value(m, 'ringgate_health_probes_total', { deployment: 'da', result: 'failed' }) >= 2);
      assert.ok(value(m, 'ringgate_health_probes_total', { deployment: 'da', result: 'ok' }) >= 1);
      // Skipped like an open breaker, before any attempt fails: one attempt each, all on db.
      for (let i = 0; i < 6; ++i) {
        const r = await postJson(gw.url, '/v1/chat/completions', CHAT);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.headers.get('x-ringgate-deployment'), 'db');
        assert.equal(r.headers.get('x-ringgate-attempts'), '1');
      }

      const back = await startScriptedUpstream(standIn('a'), port);
      await waitFor(async () => (await readyz(gw)).da.state === 'healthy', { what: 'da healthy again' });
      const served = new Set();
      for (let i = 0; i < 6; ++i) {
        const r = await postJson(gw.url, '/v1/chat/completions', CHAT);
        assert.equal(r.status, 200, r.text);
        served.add(r.headers.get('x-ringgate-deployment'));
      }
      assert.deepEqual([...served].sort(), ['da', 'db']);
      assert.ok(back.requests.some((r) => r.method === 'POST'));
      for (const up of [b]) {
        assert.ok(up.requests.filter((r) => r.method === 'GET').every((r) => r.path === '/custom/ping'));
      }
      await back.stop();
    } finally {
      await b.stop();
    }
  });

  it('tries unhealthy deployments anyway when every one is unhealthy (fails open)', async () => {
    const status = { code: 503 };
    const a = await startScriptedUpstream(standIn('a', () => status.code));
    const b = await startScriptedUpstream(standIn('b', () => status.code));
    const health = { interval_ms: 150, grace_ms: 0, timeout_ms: 1000, max_backoff_ms: 300 };
    const gw = await startConfigGateway(toml({ a, b }, [
      { name: 'da', upstream: 'a', keyEnv: 'PROBE_KEY_A', health },
      { name: 'db', upstream: 'b', keyEnv: 'PROBE_KEY_B', health },
    ]), { env: { PROBE_KEY_A: KEY_A, PROBE_KEY_B: KEY_B } });
    try {
      const s = await waitFor(async () => {
        const st = await readyz(gw);
        return st.da.state === 'unhealthy' && st.db.state === 'unhealthy' && st;
      }, { what: 'both unhealthy' });
      assert.equal(s.da.last_error, 'status 503');
      const r = await postJson(gw.url, '/v1/chat/completions', CHAT);
      assert.equal(r.status, 200, r.text);
      assert.ok(['da', 'db'].includes(r.headers.get('x-ringgate-deployment')));
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  // seed-defect: 001-5
  it('probes every deployment concurrently: one that stalls holds up no other', async () => {
    const stalled = await startScriptedUpstream(async () => {});  // reads the probe, never answers
    const b = await startScriptedUpstream(standIn('b'));
    const c = await startScriptedUpstream(standIn('c'));
    const health = { interval_ms: 100, grace_ms: 0, timeout_ms: 8000, max_backoff_ms: 8000 };
    const gw = await startConfigGateway(toml({ stalled, b, c }, [
      { name: 'dstall', upstream: 'stalled', keyEnv: 'PROBE_KEY_A', health },
      { name: 'db', upstream: 'b', keyEnv: 'PROBE_KEY_B', health },
      { name: 'dc', upstream: 'c', keyEnv: 'PROBE_KEY_B', health },
    ]), { env: { PROBE_KEY_A: KEY_A, PROBE_KEY_B: KEY_B } });
    try {
      await waitFor(() => probesOf(b).length >= 5 && probesOf(c).length >= 5,
        { deadlineMs: 7000, what: 'five probes at each healthy deployment' });
      // The stalled deployment's first probe is still out (its timeout is 8 s): one probe seen,
      // no result recorded, so probes one after another would not have reached the others yet.
      assert.equal(probesOf(stalled).length, 1);
      const s = await readyz(gw);
      assert.equal(s.dstall.state, 'unknown');
      assert.equal(s.dstall.last_probe_unix_ms, 0);
      assert.equal(s.db.state, 'healthy');
      assert.equal(s.dc.state, 'healthy');
    } finally {
      await stalled.stop();
      await b.stop();
      await c.stop();
    }
  });

  // seed-defect: 004-P8
  it('waits out the start-up grace and backs off while a stand-in is down: spaced, no storm', async () => {
    const state = { code: 503 };
    const times = [];
    const up = await startScriptedUpstream(async (ctx) => {
      times.push(Date.now());
      return ctx.write(modelsResponse(state.code));
    });
    const health = { interval_ms: 100, grace_ms: 600, timeout_ms: 1000, max_backoff_ms: 800 };
    const started = Date.now();
    const gw = await startConfigGateway(toml({ up }, [
      { name: 'dup', upstream: 'up', keyEnv: 'PROBE_KEY_A', health },
      { name: 'doff', upstream: 'up', keyEnv: 'PROBE_KEY_A', health: false },
    ]), { env: { PROBE_KEY_A: KEY_A } });
    try {
      await waitFor(() => times.length >= 6, { deadlineMs: 15000, what: 'six probes while down' });
      // Lower bounds only (a slow machine makes gaps longer, never shorter); 20 ms of slack for
      // the prober's coarse clock.
      assert.ok(times[0] - started >= health.grace_ms - 20, `first probe ${times[0] - started} ms after start`);
      for (let k = 1; k < 6; ++k) {
        const want = Math.min(health.interval_ms * 2 ** (k - 1), health.max_backoff_ms);
        const gap = times[k] - times[k - 1];
        assert.ok(gap >= want - 20, `gap ${k}: ${gap} ms, want >= ${want} (gaps ${times.map((t, i) => i ? t - times[i - 1] : 0)})`);
      }
      const s = await readyz(gw);
      assert.equal(s.dup.state, 'unhealthy');
      assert.equal(s.doff, undefined);  // health = false: not probed, not listed
      state.code = 200;
      await waitFor(async () => (await readyz(gw)).dup.state === 'healthy', { what: 'healthy once up' });
      assert.ok(up.requests.every((r) => r.method === 'GET' && r.path === '/v1/models'));
    } finally {
      await up.stop();
    }
  });

  it('keeps the schedule of an unchanged deployment across a reload and drops a removed one', async () => {
    const a = await startScriptedUpstream(standIn('a'));
    const b = await startScriptedUpstream(standIn('b'));
    const c = await startScriptedUpstream(standIn('c'));
    const health = { interval_ms: 100, grace_ms: 1500, timeout_ms: 1000, max_backoff_ms: 400 };
    const da = { name: 'da', upstream: 'a', keyEnv: 'PROBE_KEY_A', health };
    const db = { name: 'db', upstream: 'b', keyEnv: 'PROBE_KEY_A', health };
    const dc = { name: 'dc', upstream: 'c', keyEnv: 'PROBE_KEY_A', health };
    const gw = await startConfigGateway(toml({ a, b, c }, [da, db]), { env: { PROBE_KEY_A: KEY_A } });
    try {
      await waitFor(async () => {
        const s = await readyz(gw);
        return s.da.state === 'healthy' && s.db.state === 'healthy';
      }, { what: 'both healthy' });
      await reloadWith(gw, toml({ a, b, c }, [da, dc]));
      await waitFor(async () => {
        const s = await readyz(gw);
        return s.db === undefined && s.dc !== undefined;
      }, { what: 'db gone and dc listed in /readyz' });
      const aBefore = probesOf(a).length;
      const bAfter = probesOf(b).length;
      // dc waits out its grace (1.5 s); da, unchanged, goes on at its interval meanwhile: were
      // its schedule restarted, its next probe would come with dc's first.
      await waitFor(() => probesOf(c).length >= 1, { what: 'the first probe of dc' });
      assert.ok(probesOf(a).length - aBefore >= 3,
        `da probed ${probesOf(a).length - aBefore} times before dc's first probe`);
      assert.equal((await readyz(gw)).da.state, 'healthy');
      await waitFor(() => probesOf(a).length - aBefore >= 8, { what: 'more probes of da' });
      assert.ok(probesOf(b).length <= bAfter + 1, 'db still probed after it was removed');
    } finally {
      await a.stop();
      await b.stop();
      await c.stop();
    }
  });

  it('probes https deployments through their ca_file, and a wrong CA fails with a TLS error', async () => {
    const certs = makeTestCertificates(tempDir());
    const otherCa = makeTestCertificates(tempDir()).caFile;  // trusts nothing the stand-ins serve
    const serve = { cert: fs.readFileSync(certs.certFile), key: fs.readFileSync(certs.keyFile) };
    const good = await startScriptedUpstream(standIn('good'), 0, serve);
    const wrong = await startScriptedUpstream(standIn('wrong'), 0, serve);
    assert.match(good.apiBase, /^https:/);
    const health = { interval_ms: 200, grace_ms: 0, timeout_ms: 1000, max_backoff_ms: 400 };
    const ups = {
      good: { apiBase: good.apiBase, caFile: certs.caFile },
      wrong: { apiBase: wrong.apiBase, caFile: otherCa },
    };
    const gw = await startConfigGateway(toml(ups, [
      { name: 'dgood', upstream: 'good', keyEnv: 'PROBE_KEY_A', health },
      { name: 'dwrong', upstream: 'wrong', keyEnv: 'PROBE_KEY_B', health },
    ]), { env: { PROBE_KEY_A: KEY_A, PROBE_KEY_B: KEY_B } });
    try {
      const s = await waitFor(async () => {
        const st = await readyz(gw);
        return st.dgood.state === 'healthy' && st.dwrong.state === 'unhealthy' && st;
      }, { what: 'dgood healthy over TLS, dwrong unhealthy' });
      assert.ok(probesOf(good).length >= 1);
      assert.ok(good.requests.every((r) => r.method === 'GET' && r.path === '/v1/models'));
      assert.equal(probesOf(good)[0].headers.authorization, `Bearer ${KEY_A}`);
      assert.match(s.dwrong.last_error, /certificate verify failed/);
      assert.equal(wrong.requests.length, 0, 'a request got past a failed handshake');
      const text = JSON.stringify(s) + gw.stderr;
      assert.ok(!text.includes(KEY_A) && !text.includes(KEY_B), 'a key in /readyz or the log');

      await good.stop();
      const down = await waitFor(async () => {
        const st = await readyz(gw);
        return st.dgood.state === 'unhealthy' && st.dgood;
      }, { what: 'dgood unhealthy once its server is gone' });
      assert.match(down.last_error, /connect|closed|tls/);
    } finally {
      await good.stop().catch(() => {});
      await wrong.stop();
    }
  });
});
