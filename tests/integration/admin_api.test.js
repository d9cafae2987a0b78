// The admin API (issue 18) through the real binary, with traffic from the mock: only the admin
// key opens it (401 otherwise, 403 when none is configured), each view's shape and numbers match
// what was sent (requests, errors, spend at a configured price, a failing deployment's breaker
// open), /admin/requests filters and pages (from the ledger, or without one from the accounting
// thread's last records), and bad query strings are 400s. Waits are
// conditions with deadlines: the views read the accounting thread's published snapshot.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { startMock, startConfigGateway, tempDir, stopAll } = require('./lib/processes');
const { request, postJson, waitFor, sha256Hex, assertOpenAiError, CHAT } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const { startScriptedUpstream } = require('./lib/scripted_upstream');

const newKey = () => 'rg-' + crypto.randomBytes(32).toString('base64url');
const VIEWS = ['overview', 'keys', 'teams', 'deployments', 'cache', 'requests'];
const PRICE = { input_per_mtok: 2, output_per_mtok: 8 };

// An upstream answering every request with a 500.
function failing() {
  return startScriptedUpstream(async (ctx) => {
    const body = JSON.stringify({ error: { message: 'scripted 500', type: 'server_error' } });
    await ctx.write('HTTP/1.1 500 Scripted\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
}

describe('admin API with an admin key', () => {
  const ADMIN = newKey(), ALICE = newKey(), BOB = newKey();
  const UPSTREAM_KEY = `sk-upstream-${crypto.randomBytes(12).toString('hex')}`;
  const admin = { authorization: `Bearer ${ADMIN}` };
  const get = (view) => request(`${gw.url}/admin/${view}`, { headers: admin });
  let mock, bad, gw;
  const sent = { alice: 0, bob: 0, dead: 0 };
  const chat = (key, model) => postJson(gw.url, '/v1/chat/completions', { ...CHAT, model },
    { authorization: `Bearer ${key}` });

  before(async () => {
    mock = await startMock();
    bad = await failing();
    const toml = gatewayToml({
      apiBase: mock.apiBase,
      server: { shards: 2 },
      auth: { mode: 'keys' },
      upstream: { api_key: 'env:RG_TEST_UPSTREAM_KEY' },
      extraUpstreams: [{ name: 'bad', url: bad.apiBase }],
      deployments: [{ name: 'dead-d', upstream: 'bad', model: 'x', breaker: { consecutive_failures: 1 } }],
      models: [{ name: 'gpt-4o-mini', upstream: 'mock', price: PRICE }, { name: 'dead', deployments: ['dead-d'] }],
      teams: [{ name: 'eng', limits: { rpm: 100 } }],
      keys: [
        { id: 'alice', sha256: sha256Hex(ALICE), team: 'eng', limits: { rpm: 60, rpd: 1000 }, budget: { daily_usd: 5 } },
        { id: 'bob', sha256: sha256Hex(BOB) },
      ],
      metrics: { admin_key: 'env:RG_TEST_ADMIN_KEY' },
      ledger: { path: 'ledger.db', flush_interval_ms: 50 },  // /admin/requests reads it
    });
    gw = await startConfigGateway(toml, { env: { RG_TEST_ADMIN_KEY: ADMIN, RG_TEST_UPSTREAM_KEY: UPSTREAM_KEY } });
  });
  after(async () => {
    await stopAll();
    await bad.stop();
  });

  it('refuses without the admin key (401), whatever else is presented', async () => {
    for (const view of [...VIEWS, 'nope']) {
      for (const headers of [{}, { authorization: `Bearer ${ALICE}` }, { authorization: `Bearer ${ADMIN}x` },
        { authorization: ADMIN }, { 'x-api-key': ADMIN }]) {
        const res = await request(`${gw.url}/admin/${view}`, { headers });
        assertOpenAiError(res, 401, /invalid_api_key/);
        assert.equal(res.headers.get('cache-control'), 'no-store');
      }
    }
  });

  it('answers JSON, uncached; unknown views 404 and other methods 405 after auth', async () => {
    for (const view of VIEWS) {
      const res = await get(view);
      assert.equal(res.status, 200, `${view}: ${res.text}`);
      assert.match(res.headers.get('content-type'), /^application\/json/);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.ok(res.json, view);
    }
    assertOpenAiError(await get('nope'), 404, /not_found/);
    // POST /admin/keys and DELETE /admin/keys/{id} manage keys (admin_keys.test.js); the views
    // themselves are read-only.
    for (const method of ['POST', 'DELETE']) {
      const res = await request(`${gw.url}/admin/overview`, { method, headers: admin, body: '{}' });
      assertOpenAiError(res, 405);
      assert.equal(res.headers.get('allow'), 'GET');
    }
    // A method the gateway serves nowhere is refused before any stage, with its own Allow.
    assertOpenAiError(await request(`${gw.url}/admin/keys`, { method: 'PUT', headers: admin, body: '{}' }), 405);
  });

  it('counts the traffic sent: overview, keys, teams, spend at the configured price', async () => {
    for (let i = 0; i < 3; i++, sent.alice++) assert.equal((await chat(ALICE, 'gpt-4o-mini')).status, 200);
    for (let i = 0; i < 2; i++, sent.bob++) assert.equal((await chat(BOB, 'gpt-4o-mini')).status, 200);
    const total = sent.alice + sent.bob;
    const ov = await waitFor(async () => {
      const r = (await get('overview')).json;
      return r.series.points.reduce((n, p) => n + p.requests, 0) === total && r;
    }, { what: `the overview to count ${total} requests` });
    assert.equal(ov.shards, 2);
    assert.ok(ov.uptime_s >= 0 && Math.abs(ov.now - Date.now() / 1000) < 5);
    assert.equal(ov.series.step_s, 10);
    assert.ok(ov.series.points.length >= 1 && ov.series.points.length <= 360);
    assert.equal(ov.series.points.reduce((n, p) => n + p.errors, 0), 0);
    assert.ok(Math.abs(ov.requests_per_s['1m'] - total / 60) < 1e-9, JSON.stringify(ov.requests_per_s));
    assert.equal(ov.error_rate['1m'], 0);
    assert.ok(ov.open_connections >= 1);  // this request's
    assert.equal(ov.open_streams, 0);
    assert.ok(ov.latency_ms.p50 > 0 && ov.latency_ms.p50 <= ov.latency_ms.p95 && ov.latency_ms.p95 <= ov.latency_ms.p99);
    assert.ok(ov.ttft_ms.p50 > 0);
    assert.ok(ov.spend_today_usd > 0);
    const spendSeries = ov.series.points.reduce((n, p) => n + p.spend_usd, 0);
    assert.ok(Math.abs(spendSeries - ov.spend_today_usd) < 1e-9);

    const { keys } = (await get('keys')).json;
    assert.deepEqual(keys.map((k) => k.id).sort(), ['alice', 'bob']);
    const alice = keys.find((k) => k.id === 'alice'), bob = keys.find((k) => k.id === 'bob');
    assert.equal(alice.team, 'eng');
    assert.equal(bob.team, null);
    assert.equal(alice.source, 'config');
    assert.equal(alice.revoked, false);
    assert.equal(alice.expires_at, null);
    assert.equal(alice.requests, sent.alice);
    assert.equal(bob.requests, sent.bob);
    assert.ok(alice.spend_usd > 0 && bob.spend_usd > 0);
    assert.ok(Math.abs(alice.spend_usd + bob.spend_usd - ov.spend_today_usd) < 1e-9);
    assert.deepEqual(alice.limits.map((l) => [l.name, l.limit]), [['requests_per_minute', 60], ['requests_per_day', 1000]]);
    // A day's bucket refills one request every 86 s: the three taken show.
    const rpd = alice.limits.find((l) => l.name === 'requests_per_day');
    assert.ok(rpd.remaining >= 1000 - sent.alice && rpd.remaining <= 1000 - sent.alice + 1, JSON.stringify(rpd));
    assert.ok(rpd.reset_s > 0 && rpd.reset_s <= 86400);
    assert.deepEqual(bob.limits, []);
    assert.equal(alice.budgets.length, 1);
    const day = alice.budgets[0];
    assert.equal(day.period, 'day');
    assert.equal(day.limit_usd, 5);
    assert.ok(Math.abs(day.spent_usd - alice.spend_usd) < 1e-9, JSON.stringify(day));
    assert.ok(day.remaining_usd < 5 && day.remaining_usd > 4.9);
    const midnight = (Math.floor(Date.now() / 86400000) + 1) * 86400;
    assert.equal(day.resets_at, midnight);

    const { teams } = (await get('teams')).json;
    assert.equal(teams.length, 1);
    assert.equal(teams[0].id, 'eng');
    assert.equal(teams[0].keys, 1);
    assert.equal(teams[0].requests, sent.alice);
    assert.ok(Math.abs(teams[0].spend_usd - alice.spend_usd) < 1e-9);
    assert.equal(teams[0].limits.find((l) => l.name === 'requests_per_minute').limit, 100);
  });

  // seed-defect: 000-M2 (the error rate's errors and requests come from the same window)
  it('a deployment whose upstream fails shows its breaker open and its errors', async () => {
    const dep = (r) => r.json.deployments.find((d) => d.name === 'dead-d');
    // Shards keep their own breakers: the view shows the worst, so one failure on any opens it.
    assert.equal(dep(await get('deployments')).breaker, 'closed');
    sent.dead++;
    assert.equal((await chat(ALICE, 'dead')).status, 500);
    sent.alice++;
    const d = await waitFor(async () => {
      const x = dep(await get('deployments'));
      return x.errors === sent.dead && x;
    }, { what: 'the failing deployment\'s errors' });
    assert.ok(d.breaker === 'open' || d.breaker === 'half_open', d.breaker);
    assert.deepEqual(d.models, ['dead']);
    assert.equal(d.upstream, 'bad');
    assert.equal(d.health, 'unknown');  // not probed
    assert.equal(d.requests, sent.dead);
    assert.equal(d.in_flight, 0);
    assert.equal(d.managed, null);
    // Tries count apart from answers: the one refused connection is a failed attempt here.
    assert.equal(d.attempts, sent.dead);
    assert.equal(d.failed_attempts, sent.dead);
    const { deployments } = (await get('deployments')).json;
    const ok = deployments.find((x) => x.models.includes('gpt-4o-mini'));
    assert.equal(ok.breaker, 'closed');
    assert.equal(ok.errors, 0);
    assert.equal(ok.failed_attempts, 0);
    assert.equal(ok.requests, sent.alice - sent.dead + sent.bob);
    assert.ok(ok.latency_ewma_ms > 0);
    const ov = (await get('overview')).json;
    assert.ok(ov.error_rate['1m'] > 0);
  });

  it('lists recent requests from the ledger newest first, filtered by key and model, paged by cursor', async () => {
    const total = sent.alice + sent.bob;
    const all = await waitFor(async () => {
      const r = (await get('requests')).json;
      return r.requests.length === total && r;
    }, { what: 'every request in /admin/requests' });
    assert.equal(all.next_before, null);
    const times = all.requests.map((r) => r.time);
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
    const first = all.requests[0];
    assert.equal(first.model, 'dead');
    assert.equal(first.deployment, 'dead-d');
    assert.equal(first.status, 500);
    for (const r of all.requests) {
      assert.deepEqual(Object.keys(r).sort(), ['cache', 'cost_usd', 'deployment', 'input_tokens', 'key', 'latency_ms',
        'model', 'output_tokens', 'request_id', 'status', 'team', 'time'].sort());
      assert.ok(r.request_id.length > 0);
    }
    const priced = all.requests.filter((r) => r.model === 'gpt-4o-mini');
    assert.ok(priced.every((r) => r.cost_usd > 0 && r.input_tokens > 0 && r.output_tokens > 0));

    const bobs = (await get('requests?key=bob')).json.requests;
    assert.equal(bobs.length, sent.bob);
    assert.ok(bobs.every((r) => r.key === 'bob' && r.team === null));
    const dead = (await get('requests?model=dead&key=alice')).json.requests;
    assert.equal(dead.length, sent.dead);
    assert.equal((await get('requests?key=nobody')).json.requests.length, 0);
    assert.equal((await get(`requests?since=${Math.floor(Date.now() / 1000) + 60}`)).json.requests.length, 0);
    assert.equal((await get(`requests?since=${Math.floor(Date.now() / 1000) - 600}`)).json.requests.length, total);

    const seen = [];
    let cursor = null;
    for (let page = 0; page < total; page++) {
      const r = (await get(`requests?limit=2${cursor ? `&before=${cursor}` : ''}`)).json;
      assert.ok(r.requests.length <= 2);
      seen.push(...r.requests.map((x) => x.request_id));
      cursor = r.next_before;
      if (!cursor) break;
    }
    assert.deepEqual(seen, all.requests.map((r) => r.request_id));
  });

  it('refuses a bad query string with a 400 that echoes nothing', async () => {
    for (const q of ['limit=0', 'limit=201', 'limit=ten', 'since=-1', 'before=abc', 'key=', `key=${'a'.repeat(129)}`,
      'color=red', 'limit=5&limit=6', 'key=%zz', 'model']) {
      const res = await get(`requests?${q}`);
      const e = assertOpenAiError(res, 400);
      assert.ok(!e.message.includes('aaaa') && !e.message.includes('red'), e.message);
    }
    assert.equal((await get(`requests?key=${'a'.repeat(128)}`)).status, 200);
  });

  it('shows the caches (off here) in the spec\'s shape', async () => {
    const c = (await get('cache')).json;
    assert.deepEqual(Object.keys(c.exact).sort(), ['bytes', 'coalesced', 'enabled', 'entries', 'hit_ratio', 'hits', 'misses']);
    assert.deepEqual(Object.keys(c.semantic).sort(),
      ['bytes', 'embedder_errors', 'enabled', 'hit_ratio', 'hits', 'index_size', 'misses']);
    assert.equal(c.exact.enabled, false);
    assert.equal(c.semantic.enabled, false);
  });

  // seed-defect: 004-P4
  it('never shows a key in any view', async () => {
    for (const view of VIEWS) {
      const res = await get(view);
      for (const secret of [ADMIN, ALICE, BOB, UPSTREAM_KEY]) assert.ok(!res.text.includes(secret), view);
    }
  });
});

describe('admin API without an admin key', () => {
  before(async () => {
    await startMock();
  });
  after(stopAll);

  it('every view is closed (403) and says to set [metrics] admin_key, even in open access', async () => {
    const mock = await startMock();
    for (const auth of [{ mode: 'none' }, undefined]) {
      const gw = await startConfigGateway(gatewayToml({ apiBase: mock.apiBase, ...(auth ? { auth } : { keys: [{ id: 'k', sha256: sha256Hex(newKey()) }] }) }));
      for (const view of [...VIEWS, 'nope']) {
        const res = await request(`${gw.url}/admin/${view}`, { headers: { authorization: `Bearer ${newKey()}` } });
        const e = assertOpenAiError(res, 403, /configuration_error/);
        assert.match(e.message, /\[metrics\] admin_key/);
      }
      await gw.stop();
    }
  });
});

describe('admin API with exact caching on', () => {
  const ADMIN = newKey();
  let gw;
  before(async () => {
    const mock = await startMock();
    gw = await startConfigGateway(gatewayToml({ apiBase: mock.apiBase, cache: { enabled: true },
      metrics: { admin_key: 'env:RG_TEST_ADMIN_KEY' } }), { env: { RG_TEST_ADMIN_KEY: ADMIN } });
  });
  after(stopAll);

  it('counts a miss then a hit, with the entry and its bytes; without a ledger, requests come from memory', async () => {
    const body = { ...CHAT, model: 'gpt-4o-mini', temperature: 0 };
    for (let i = 0; i < 2; i++) assert.equal((await postJson(gw.url, '/v1/chat/completions', body)).status, 200);
    const c = (await request(`${gw.url}/admin/cache`, { headers: { authorization: `Bearer ${ADMIN}` } })).json;
    assert.equal(c.exact.enabled, true);
    assert.equal(c.exact.hits, 1);
    assert.equal(c.exact.misses, 1);
    assert.equal(c.exact.hit_ratio, 0.5);
    assert.equal(c.exact.entries, 1);
    assert.ok(c.exact.bytes > 0);
    const rows = await waitFor(async () => {
      const r = (await request(`${gw.url}/admin/requests`, { headers: { authorization: `Bearer ${ADMIN}` } })).json;
      return r.requests.length === 2 && r.requests;
    }, { what: 'both requests listed' });
    assert.deepEqual(rows.map((r) => r.cache), ['hit', 'miss']);
  });
});

describe('admin API requests from the ledger', () => {
  const ADMIN = newKey();
  after(stopAll);

  it('lists rows written before a restart (the ledger, not memory), the view\'s own calls not among them', async () => {
    const mock = await startMock();
    const dir = tempDir();
    const toml = gatewayToml({ apiBase: mock.apiBase, metrics: { admin_key: 'env:RG_TEST_ADMIN_KEY' },
      ledger: { path: 'ledger.db', flush_interval_ms: 50 } });
    const env = { env: { RG_TEST_ADMIN_KEY: ADMIN }, dir };
    const list = (gw, q = '') => request(`${gw.url}/admin/requests${q}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    let gw = await startConfigGateway(toml, env);
    for (let i = 0; i < 2; i++) assert.equal((await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: 'gpt-4o-mini' })).status, 200);
    const before = await waitFor(async () => {
      const r = (await list(gw)).json;
      return r.requests.length === 2 && r.requests;
    }, { what: 'both rows in the ledger' });
    await gw.stop();
    gw = await startConfigGateway(toml, env);
    const again = (await list(gw)).json;
    assert.deepEqual(again.requests.map((r) => r.request_id), before.map((r) => r.request_id));
    assert.ok(again.requests.every((r) => r.key === 'anonymous' && r.status === 200));
    const ov = (await request(`${gw.url}/admin/overview`, { headers: { authorization: `Bearer ${ADMIN}` } })).json;
    assert.equal(ov.series.points.length, 0);  // counters start with the process
    const page = (await list(gw, '?limit=1')).json;
    assert.equal(page.requests.length, 1);
    assert.equal(page.requests[0].request_id, before[0].request_id);
    const rest = (await list(gw, `?limit=1&before=${page.next_before}`)).json;
    assert.deepEqual(rest.requests.map((r) => r.request_id), [before[1].request_id]);
    assert.equal(rest.next_before, null);
  });
});
