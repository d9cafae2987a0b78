// Admission through the real binary: virtual keys in all three header spellings, model patterns,
// limits per key, team and model that refuse at the right count with an exact Retry-After,
// concurrency, budgets that concurrent requests cannot overspend, the anonymous tier by
// address, trusted proxies, the caller's own rate-limit headers, and state kept across reloads.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');

const { startMock, startConfigGateway, startQuickGateway, stopAll } = require('./lib/processes');
const { postJson, request, sha256Hex, assertOpenAiError, waitFor, CHAT } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const { startScriptedUpstream, chatResponse } = require('./lib/scripted_upstream');

const newKey = () => 'rg-' + crypto.randomBytes(32).toString('base64url');
const KEYS = { alice: newKey(), bob: newKey(), carol: newKey(), dave: newKey(), erin: newKey(), frank: newKey(), grace: newKey() };
const bearer = (key) => ({ authorization: `Bearer ${key}` });
const MESSAGES = {
  model: 'gpt-4o-mini',
  max_tokens: 100,
  messages: [{ role: 'user', content: 'hi' }],
};

let mock, gw;

function toml(mockApiBase, extra = {}) {
  return gatewayToml({
    apiBase: mockApiBase,
    auth: { mode: 'keys' },
    // Refills far apart (a day, an hour), so none falls between the requests a test counts.
    teams: [{ name: 'research', limits: { rpd: 3 } }],
    keys: [
      { id: 'alice', sha256: sha256Hex(KEYS.alice), limits: { rpm: 3 } },
      { id: 'bob', sha256: sha256Hex(KEYS.bob), team: 'research', models: ['gpt-4o*'] },
      { id: 'carol', sha256: sha256Hex(KEYS.carol), team: 'research' },
      { id: 'dave', sha256: sha256Hex(KEYS.dave), limits: { concurrent: 1 } },
      { id: 'erin', sha256: sha256Hex(KEYS.erin), budget: { total_usd: 1 } },
      { id: 'frank', sha256: sha256Hex(KEYS.frank) },
      { id: 'grace', sha256: sha256Hex(KEYS.grace), limits: { rpm: 1 } },
    ],
    models: [
      { name: 'gpt-4o-mini', upstream: 'mock', aliases: ['fast'] },
      { name: 'claude-3-5-haiku', upstream: 'mock', limits: { rph: 2 } },
      // 100 output tokens at 1000 USD/Mtok reserve 0.10 USD: the 1 USD budget fits 10.
      { name: 'pricey', upstream: 'mock', price: { input_per_mtok: 0, output_per_mtok: 1000 } },
    ],
    ...extra,
  });
}

test.before(async () => {
  mock = await startMock();
  gw = await startConfigGateway(toml(mock.apiBase));
});

test.after(stopAll);

test('a missing or wrong key is a 401 in the client shape, logged with a prefix only', async () => {
  // seed-defect: 001-9 — every auth failure is logged (request id, address, key prefix) and counted.
  const missing = await postJson(gw.url, '/v1/chat/completions', CHAT);
  const e = assertOpenAiError(missing, 401, /invalid_api_key/);
  assert.equal(e.type, 'authentication_error');

  const wrong = newKey();
  const bad = await postJson(gw.url, '/v1/chat/completions', CHAT, {
    ...bearer(wrong),
    'x-request-id': 'auth-fail-1',
  });
  assertOpenAiError(bad, 401, /invalid_api_key/);

  const anthropic = await postJson(gw.url, '/v1/messages', MESSAGES, { 'x-api-key': wrong });
  assert.equal(anthropic.status, 401);
  assert.equal(anthropic.json.type, 'error');
  assert.equal(anthropic.json.error.type, 'authentication_error');

  const line = await waitFor(() => gw.stderr.split('\n').find((l) => l.includes('"auth-fail-1"')), {
    what: 'the auth failure line',
  });
  const logged = JSON.parse(line);
  assert.equal(logged.event, 'auth_failed');
  assert.equal(logged.client_address, '127.0.0.1');
  assert.ok(wrong.startsWith(logged.key_prefix) && logged.key_prefix.length <= 6);
  assert.ok(!gw.stderr.includes(wrong.slice(0, 12)), 'no more of the key than its prefix');
});

test('a key is accepted as Bearer, x-api-key and api-key', async () => {
  for (const h of [bearer(KEYS.frank), { 'x-api-key': KEYS.frank }, { 'api-key': KEYS.frank }]) {
    const res = await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: 'fast' }, h);
    assert.equal(res.status, 200, res.text);
  }
});

test("a model outside the key's patterns is a 403", async () => {
  const res = await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: 'pricey' }, bearer(KEYS.bob));
  assertOpenAiError(res, 403, /model_not_allowed/);
});

test('a key limit refuses the fourth request in a minute with Retry-After and its headers', async () => {
  // seed-defect: 000-M5 — Retry-After is right and never 0; seed-defect: 001-8 — per-key limits.
  const seen = [];
  for (let i = 0; i < 3; ++i) {
    const res = await postJson(gw.url, '/v1/chat/completions', CHAT, bearer(KEYS.alice));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-ratelimit-limit-requests'), '3');
    seen.push(Number(res.headers.get('x-ratelimit-remaining-requests')));
  }
  assert.deepEqual(seen, [2, 1, 0]);
  const refused = await postJson(gw.url, '/v1/chat/completions', CHAT, bearer(KEYS.alice));
  assertOpenAiError(refused, 429, /rate_limit/);
  const seconds = Number(refused.headers.get('retry-after'));
  const ms = Number(refused.headers.get('retry-after-ms'));
  assert.ok(seconds >= 1 && seconds <= 20, `Retry-After ${seconds}`);  // one request per 20 s
  assert.equal(seconds, Math.ceil(ms / 1000));
});

test('a team limit counts every key of the team together', async () => {
  const statuses = [];
  for (const key of [KEYS.bob, KEYS.carol, KEYS.bob, KEYS.carol]) {
    statuses.push((await postJson(gw.url, '/v1/chat/completions', CHAT, bearer(key))).status);
  }
  assert.deepEqual(statuses, [200, 200, 200, 429]);
});

test('a model limit counts every caller of the model', async () => {
  const one = await postJson(gw.url, '/v1/messages', { ...MESSAGES, model: 'claude-3-5-haiku' }, { 'x-api-key': KEYS.dave });
  const two = await postJson(gw.url, '/v1/messages', { ...MESSAGES, model: 'claude-3-5-haiku' }, { 'x-api-key': KEYS.erin });
  const three = await postJson(gw.url, '/v1/messages', { ...MESSAGES, model: 'claude-3-5-haiku' }, { 'x-api-key': KEYS.dave });
  assert.equal(one.status, 200, one.text);
  assert.equal(two.status, 200, two.text);
  assert.equal(three.status, 429);
  assert.equal(three.json.type, 'error');
  assert.equal(three.json.error.type, 'rate_limit_error');
  assert.ok(Number(three.headers.get('retry-after')) >= 1);
});

test('a concurrency limit refuses while a stream is in flight and frees when it ends', async () => {
  const controller = new AbortController();
  const first = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(KEYS.dave), 'x-mock-tokens': '1000', 'x-mock-interval-ms': '20' },
    body: JSON.stringify({ ...CHAT, stream: true }),
    signal: controller.signal,
  });
  assert.equal(first.status, 200);
  const second = await postJson(gw.url, '/v1/chat/completions', CHAT, bearer(KEYS.dave));
  assertOpenAiError(second, 429, /rate_limit/);
  controller.abort();
  await first.body?.cancel().catch(() => {});
  // The gateway sees the client leave and settles; then the slot is free again.
  await waitFor(async () => (await postJson(gw.url, '/v1/chat/completions', CHAT, bearer(KEYS.dave))).status === 200, {
    what: 'the concurrency slot to come back',
  });
});

test('200 simultaneous requests against a budget that fits 10 reservations never spend more than it', async () => {
  // seed-defect: 003-2 — budgets reserve at admission, so concurrency cannot overspend. At most
  // 10 maximum-cost reservations fit at once; each answer is then charged its real usage, which
  // gives the rest of its reservation back, so later ones may fit — but the spend never passes 1 USD.
  const body = { ...CHAT, model: 'pricey', max_tokens: 100 };
  const results = await Promise.all(
    Array.from({ length: 200 }, () => postJson(gw.url, '/v1/chat/completions', body, bearer(KEYS.erin))),
  );
  const ok = results.filter((r) => r.status === 200);
  const refused = results.filter((r) => r.status === 402);
  assert.ok(ok.length >= 1, `${ok.length} succeeded`);
  assert.equal(ok.length + refused.length, 200);
  const spentMicros = ok.reduce((sum, r) => sum + r.json.usage.completion_tokens * 1000, 0);  // 1000 USD/Mtok
  assert.ok(spentMicros <= 1_000_000, `spent ${spentMicros} microdollars of 1000000`);
  const e = assertOpenAiError(refused[0], 402, /budget/);
  assert.equal(e.type, 'insufficient_quota');
  assert.match(e.message, /total/);
});

test("the caller's own rate-limit headers replace the upstream's", async () => {
  const up = await startScriptedUpstream((ctx) =>
    ctx.write(chatResponse('hi', 'x-ratelimit-remaining-requests: 99999\r\nAccess-Control-Allow-Origin: *\r\n')),
  );
  const own = await startConfigGateway(toml(up.apiBase));
  const res = await postJson(own.url, '/v1/chat/completions', CHAT, bearer(KEYS.alice));
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('x-ratelimit-remaining-requests'), '2', 'the key has 3 per minute');
  assert.equal(res.headers.get('access-control-allow-origin'), null);
  await up.stop();
});

test('limit state survives a reload for keys whose limits did not change', async () => {
  const first = await postJson(gw.url, '/v1/chat/completions', CHAT, bearer(KEYS.grace));
  assert.equal(first.status, 200, first.text);
  const before = await postJson(gw.url, '/v1/chat/completions', CHAT, bearer(KEYS.grace));
  assert.equal(before.status, 429);
  fs.writeFileSync(gw.configFile, toml(mock.apiBase, { timeouts: { header_read_ms: 9000 } }));
  gw.proc.kill('SIGHUP');
  await waitFor(() => gw.stderr.includes('reload: ok'), { what: 'reload: ok' });
  const after = await postJson(gw.url, '/v1/chat/completions', CHAT, bearer(KEYS.grace));
  assert.equal(after.status, 429, 'a reload is not a way around a limit');
});

test('the anonymous tier limits each client address, and believes XFF only from trusted proxies', async () => {
  const make = (server) =>
    startConfigGateway(
      toml(mock.apiBase, {
        server,
        anonymous: { models: ['gpt-4o*'], limits_per_address: { rpm: 2 } },
      }),
    );
  // seed-defect: 001-8 — per-address limits for anonymous use.
  // seed-defect: 002-1 — an untrusted peer's X-Forwarded-For is ignored: one address, one bucket.
  const plain = await make({});
  const statuses = [];
  for (let i = 0; i < 3; ++i) {
    const res = await postJson(plain.url, '/v1/chat/completions', CHAT, { 'x-forwarded-for': `203.0.113.${i}` });
    statuses.push(res.status);
  }
  assert.deepEqual(statuses, [200, 200, 429]);
  const other = await postJson(plain.url, '/v1/chat/completions', { ...CHAT, model: 'pricey' });
  assert.equal(other.status, 403, 'the free tier names its models');

  const proxied = await make({ trusted_proxies: ['127.0.0.1'] });
  for (let i = 0; i < 3; ++i) {
    const res = await postJson(proxied.url, '/v1/chat/completions', CHAT, { 'x-forwarded-for': `203.0.113.${i}` });
    assert.equal(res.status, 200, `a trusted proxy's clients are counted apart (${i})`);
  }
});

test("quick mode's static --auth-key guards every pass-through path", async () => {
  const key = newKey();
  const quick = await startQuickGateway({
    upstream: mock.apiBase,
    extraArgs: ['--auth-key', 'env:RG_TEST_GATEWAY_KEY'],
    env: { RG_TEST_GATEWAY_KEY: key },
  });
  assertOpenAiError(await postJson(quick.url, '/v1/chat/completions', CHAT), 401, /invalid_api_key/);
  const chat = await postJson(quick.url, '/v1/chat/completions', CHAT, bearer(key));
  assert.equal(chat.status, 200, chat.text);
  const models = await request(`${quick.url}/v1/models`, { headers: bearer(key) });
  assert.equal(models.status, 200, models.text);
  assert.ok(!quick.stderr.includes(key), 'the key never reaches the log');
});

test('open access is said loudly, and only when the config says it', async () => {
  // seed-defect: 001-4 — open access only when written explicitly, and then loudly.
  const open = await startConfigGateway(gatewayToml({ apiBase: mock.apiBase }));  // mode "none"
  await waitFor(() => open.stderr.includes('WARNING: open access'), { what: 'the open-access warning' });
  assert.ok(!gw.stderr.includes('WARNING: open access'), 'a keys config is not open access');
});
