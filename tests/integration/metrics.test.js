// GET /metrics through the real binary: Prometheus text whose counters move by exactly the
// requests sent (successes, unknown models, upstream failures, auth failures, limit refusals),
// label values only from the config whatever model names clients send (seed-defect 000-H2), the
// admin key, and no secret anywhere in a scrape. Waits are conditions with deadlines.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { startMock, startConfigGateway, stopAll } = require('./lib/processes');
const { request, postJson, waitFor, sha256Hex, assertOpenAiError, CHAT } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const { key, value, scrape } = require('./lib/metrics');

const newKey = () => 'rg-' + crypto.randomBytes(32).toString('base64url');

// "name{a="x",b="y"}" with labels sorted by name -> value; the text is checked line by line.
async function waitForDeltas(gw, before, expected, headers = {}) {
  let last;
  try {
    return await waitFor(async () => {
      last = await scrape(gw, headers);
      return expected.every(([name, labels, d]) => value(last, name, labels) - value(before, name, labels) === d) && last;
    }, { what: 'the counters to move' });
  } catch (e) {
    const got = expected.map(([name, labels, d]) => `${key(name, labels)}: +${value(last, name, labels) - value(before, name, labels)} (want +${d})`);
    throw new Error(`${e.message}\n${got.join('\n')}`);
  }
}

const REQ = 'ringgate_requests_total';
const req = (model, deployment, team, statusClass) => ({ model, deployment, team, status_class: statusClass });

describe('metrics in open access', () => {
  let mock, gw;
  before(async () => {
    mock = await startMock();
    gw = await startConfigGateway(gatewayToml({ apiBase: mock.apiBase, server: { shards: 2 } }));
  });
  after(stopAll);

  it('serves the text format with every family, open access said as a gauge', async () => {
    const s = await scrape(gw);
    for (const name of ['ringgate_requests_total', 'ringgate_request_duration_seconds',
      'ringgate_time_to_first_byte_seconds', 'ringgate_tokens_total', 'ringgate_cost_microdollars_total',
      'ringgate_auth_failures_total', 'ringgate_limit_refusals_total', 'ringgate_budget_refusals_total',
      'ringgate_access_refusals_total', 'ringgate_open_connections', 'ringgate_record_ring_drops_total',
      'ringgate_tap_drops_total', 'ringgate_ledger_lag_records', 'ringgate_open_access']) {
      assert.ok(s.typed.has(name), name);
    }
    assert.equal(value(s, 'ringgate_open_access'), 1);
    assert.ok(value(s, 'ringgate_open_connections') >= 1);  // the scrape's own connection
    assert.equal(value(s, 'ringgate_record_ring_drops_total'), 0);
    const post = await request(`${gw.url}/metrics`, { method: 'POST', body: '' });
    assert.equal(post.status, 405);
  });

  it('counters move by exactly the requests sent, on whichever shard served them', async () => {
    const before = await scrape(gw);
    for (let i = 0; i < 3; i++) {
      assert.equal((await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: 'fast' })).status, 200);
    }
    for (let i = 0; i < 2; i++) {
      assert.equal((await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: 'nope' })).status, 404);
    }
    const failed = await postJson(gw.url, '/v1/chat/completions', CHAT, { 'x-mock-fail-status': '500' });
    assert.equal(failed.status, 500);
    const after = await waitForDeltas(gw, before, [
      [REQ, req('gpt-4o-mini', 'mock', 'none', '2xx'), 3],
      [REQ, req('gpt-4o-mini', 'mock', 'none', '5xx'), 1],
      [REQ, req('other', 'none', 'none', '4xx'), 2],
      ['ringgate_request_duration_seconds_count', { model: 'gpt-4o-mini' }, 4],
      ['ringgate_time_to_first_byte_seconds_count', { model: 'gpt-4o-mini' }, 4],
      ['ringgate_request_duration_seconds_count', { model: 'other' }, 2],
    ]);
    const inf = value(after, 'ringgate_request_duration_seconds_bucket', { model: 'gpt-4o-mini', le: '+Inf' });
    assert.equal(inf, value(after, 'ringgate_request_duration_seconds_count', { model: 'gpt-4o-mini' }));
    assert.ok(value(after, 'ringgate_request_duration_seconds_sum', { model: 'gpt-4o-mini' }) > 0);
  });

  // seed-defect: 000-H2 — a client sending any number of distinct model names cannot grow the
  // label set or the scrape: every unknown name is "other".
  it('many distinct unknown model names leave the label set and the scrape size bounded', async () => {
    const hostile = (i) => `unknown-${i}-${crypto.randomBytes(4).toString('hex')}-"}\\`;
    // One unknown name first, so every series an unknown name can reach exists already.
    const start = await scrape(gw);
    await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: hostile(0) });
    const before = await waitForDeltas(gw, start, [[REQ, req('other', 'none', 'none', '4xx'), 1]]);
    const names = [];
    for (let i = 1; i <= 500; i++) {
      names.push(hostile(i));
      const r = await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: names.at(-1) });
      assert.equal(r.status, 404);
    }
    const after = await waitForDeltas(gw, before, [[REQ, req('other', 'none', 'none', '4xx'), 500]]);
    // The scrapes in between added only counts of series that existed (model "none", 2xx).
    const series = (s) => [...s.samples.keys()].sort();
    assert.deepEqual(series(after), series(before));
    // Counts grew by a few digits; 500 names would have added some 20 KiB.
    assert.ok(after.text.length <= before.text.length + 300, `${before.text.length} -> ${after.text.length}`);
    for (const n of names) assert.ok(!after.text.includes(n.slice(0, 12)), n);
  });
});

describe('metrics with keys and an admin key', () => {
  const ADMIN = newKey();
  const ALICE = newKey();
  const UPSTREAM_KEY = `sk-upstream-${crypto.randomBytes(12).toString('hex')}`;
  const admin = { authorization: `Bearer ${ADMIN}` };
  let mock, gw;
  before(async () => {
    mock = await startMock();
    const toml = gatewayToml({
      apiBase: mock.apiBase,
      auth: { mode: 'keys' },
      upstream: { api_key: 'env:RG_TEST_UPSTREAM_KEY' },
      teams: [{ name: 'research' }],
      keys: [{ id: 'alice', sha256: sha256Hex(ALICE), team: 'research', limits: { rpd: 2 } }],
    }) + '\n[metrics]\nadmin_key = "env:RG_TEST_METRICS_ADMIN_KEY"\n';
    gw = await startConfigGateway(toml, {
      env: { RG_TEST_METRICS_ADMIN_KEY: ADMIN, RG_TEST_UPSTREAM_KEY: UPSTREAM_KEY },
    });
  });
  after(stopAll);

  // seed-defect: 000-X1 (the scrape is behind the admin key; the next describe's bounded-label test caps its size)
  it('answers only the admin key, with a 401 in the OpenAI shape otherwise', async () => {
    for (const headers of [{}, { authorization: `Bearer ${ALICE}` }, { authorization: `Bearer ${newKey()}` },
      { authorization: `Bearer ${ADMIN}x` }, { authorization: ADMIN }, { 'x-api-key': ADMIN }]) {
      const res = await request(`${gw.url}/metrics`, { headers });
      assertOpenAiError(res, 401, /invalid_api_key/);
      assert.ok(!res.text.includes('ringgate_'), res.text);
    }
    const s = await scrape(gw, admin);
    assert.equal(value(s, 'ringgate_open_access'), 0);
  });

  it('counts auth failures, teams, refusals by scope and limit, and unknown models', async () => {
    const before = await scrape(gw, admin);
    const alice = { authorization: `Bearer ${ALICE}` };
    assert.equal((await postJson(gw.url, '/v1/chat/completions', CHAT)).status, 401);
    assert.equal((await postJson(gw.url, '/v1/chat/completions', CHAT, { authorization: `Bearer ${newKey()}` })).status, 401);
    assert.equal((await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: 'fast' }, alice)).status, 200);
    assert.equal((await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: 'fast' }, alice)).status, 200);
    assert.equal((await postJson(gw.url, '/v1/chat/completions', CHAT, alice)).status, 429);
    assert.equal((await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: 'nope' }, alice)).status, 404);
    await waitForDeltas(gw, before, [
      ['ringgate_auth_failures_total', { reason: 'missing_key' }, 1],
      ['ringgate_auth_failures_total', { reason: 'invalid_key' }, 1],
      [REQ, req('gpt-4o-mini', 'mock', 'research', '2xx'), 2],
      [REQ, req('gpt-4o-mini', 'none', 'research', '4xx'), 1],
      [REQ, req('gpt-4o-mini', 'none', 'none', '4xx'), 2],
      [REQ, req('other', 'none', 'none', '4xx'), 1],  // a 404 is answered before admission
      ['ringgate_limit_refusals_total', { scope: 'key', limit: 'rpd' }, 1],
      ['ringgate_limit_refusals_total', { scope: 'team', limit: 'rpd' }, 0],
      ['ringgate_budget_refusals_total', { scope: 'key', period: 'total' }, 0],
    ], admin);
  });

  it('no secret appears in a scrape: not a virtual key, the admin key, nor an upstream key', async () => {
    const s = await scrape(gw, admin);
    for (const secret of [ALICE, ADMIN, UPSTREAM_KEY, sha256Hex(ALICE), sha256Hex(ADMIN)]) {
      assert.ok(!s.text.includes(secret), 'a secret leaked into the scrape');
      assert.ok(!s.text.includes(secret.slice(0, 12)), 'part of a secret leaked into the scrape');
    }
    assert.ok(!s.text.includes('alice'), 'key ids are not labels');
  });
});

describe('metrics closed or moved', () => {
  let mock;
  before(async () => {
    mock = await startMock();
  });
  after(stopAll);

  it('with keys and no admin key the endpoint refuses (403), at the configured path only', async () => {
    const toml = gatewayToml({
      apiBase: mock.apiBase,
      auth: { mode: 'keys' },
      keys: [{ id: 'k', sha256: sha256Hex(newKey()) }],
    }) + '\n[metrics]\npath = "/internal/metrics"\n';
    const gw = await startConfigGateway(toml);
    const res = await request(`${gw.url}/internal/metrics`);
    const e = assertOpenAiError(res, 403, /configuration_error/);
    assert.match(e.message, /admin_key/);
    assert.equal((await request(`${gw.url}/metrics`)).status, 404);
    await gw.stop();
  });

  it('enabled = false answers 404', async () => {
    const gw = await startConfigGateway(gatewayToml({ apiBase: mock.apiBase }) + '\n[metrics]\nenabled = false\n');
    assert.equal((await request(`${gw.url}/metrics`)).status, 404);
    await gw.stop();
  });
});
