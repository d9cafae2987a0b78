// Provider keys: given by reference (env:/file:), sent upstream in place of the client's own
// credential, and never visible in the gateway's output or in any response.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const {
  startMock, startQuickGateway, startConfigGateway, runRinggate, stopAll, tempDir, writeTemp, freePort,
} = require('./lib/processes');
const { postJson, request, mockStats, sha256Hex, waitFor, CHAT } = require('./lib/http');
const { gatewayToml } = require('./lib/config');

const ENV_KEY = `sk-envkey-${crypto.randomBytes(12).toString('hex')}`;
const FILE_KEY = `sk-filekey-${crypto.randomBytes(12).toString('hex')}`;
const CLIENT_AUTH = 'Bearer client-own-credential';

// Requests that exercise the success, streaming and error paths; returns every response body.
async function exercise(gw, model) {
  const bodies = [];
  const headers = { authorization: CLIENT_AUTH };
  for (const [body, extra] of [
    [{ ...CHAT, model }, {}],
    [{ ...CHAT, model, stream: true }, {}],
    [{ ...CHAT, model }, { 'x-mock-fail-status': '401' }],
    [{ ...CHAT, model, stream: true }, { 'x-mock-disconnect-after-events': '1' }],
    [{ ...CHAT, model: 'no-such-model' }, {}],
    ['{"broken', {}],
  ]) {
    const r = await postJson(gw.url, '/v1/chat/completions', body, { ...headers, ...extra });
    bodies.push(r.text, JSON.stringify([...r.headers]));
  }
  const m = await request(`${gw.url}/v1/models`, { headers });
  bodies.push(m.text);
  return bodies;
}

function assertNowhere(key, texts) {
  for (const t of texts) assert.ok(!t.includes(key), 'the provider key leaked');
}

describe('provider keys', () => {
  let mock;

  before(async () => {
    mock = await startMock();
  });
  after(stopAll);

  // seed-defect: 004-P4
  it('quick mode: env:NAME reaches the upstream, the client credential does not, nothing leaks', async () => {
    const gw = await startQuickGateway({
      upstream: mock.apiBase, keyRef: 'env:RG_TEST_UPSTREAM_KEY', env: { RG_TEST_UPSTREAM_KEY: ENV_KEY },
    });
    const res = await postJson(gw.url, '/v1/chat/completions', CHAT, { authorization: CLIENT_AUTH });
    assert.equal(res.status, 200, res.text);
    const s = await mockStats(mock);
    assert.equal(s.last_authorization_header, 'authorization');
    assert.equal(s.last_authorization, sha256Hex(`Bearer ${ENV_KEY}`));
    assert.notEqual(s.last_authorization, sha256Hex(CLIENT_AUTH));
    const bodies = await exercise(gw, 'gpt-4o-mini');
    await gw.stop();
    assertNowhere(ENV_KEY, [...bodies, gw.stdout, gw.stderr]);
    assert.match(gw.stderr, /env:RG_TEST_UPSTREAM_KEY/, 'the reference, not the key, is what gets logged');
  });

  // seed-defect: 004-P11
  it('config mode: file:PATH and env:NAME keys, one per upstream, each reaches its upstream only', async () => {
    const dir = tempDir();
    writeTemp('upstream.key', `${FILE_KEY}\n`, dir);
    const other = await startMock();
    const deadPort = await freePort();
    const toml = gatewayToml({
      apiBase: mock.apiBase,
      upstream: { api_key: 'file:upstream.key' },
      extraUpstreams: [
        { name: 'other', url: other.apiBase, api_key: 'env:RG_TEST_UPSTREAM_KEY' },
        { name: 'dead', url: `http://127.0.0.1:${deadPort}/v1`, api_key: 'env:RG_TEST_UPSTREAM_KEY' },
      ],
      models: [
        { name: 'gpt-4o-mini', upstream: 'mock' },
        { name: 'other-model', upstream: 'other' },
        { name: 'dead-model', upstream: 'dead' },
      ],
    });
    assert.ok(!toml.includes(FILE_KEY) && !toml.includes(ENV_KEY), 'the config holds references only');
    const gw = await startConfigGateway(toml, { dir, env: { RG_TEST_UPSTREAM_KEY: ENV_KEY } });

    const a = await postJson(gw.url, '/v1/chat/completions', CHAT, { authorization: CLIENT_AUTH });
    assert.equal(a.status, 200, a.text);
    assert.equal((await mockStats(mock)).last_authorization, sha256Hex(`Bearer ${FILE_KEY}`));
    const b = await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: 'other-model' },
      { authorization: CLIENT_AUTH });
    assert.equal(b.status, 200, b.text);
    assert.equal((await mockStats(other)).last_authorization, sha256Hex(`Bearer ${ENV_KEY}`));

    const dead = await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: 'dead-model' });
    assert.equal(dead.status, 502, dead.text);
    const bodies = [dead.text, ...await exercise(gw, 'gpt-4o-mini'), ...await exercise(gw, 'other-model')];
    await gw.stop();
    for (const key of [FILE_KEY, ENV_KEY]) assertNowhere(key, [...bodies, gw.stdout, gw.stderr]);
  });

  // Someone pasted the key where the reference goes: check-config points at the line, and shows
  // nothing of what follows the prefix (nor the whole value when there is no prefix).
  // seed-defect: 004-P4
  it('check-config never echoes a key pasted after env: or file:, or written without a prefix', async () => {
    const dir = tempDir();
    const pasted = `sk-pasted-${crypto.randomBytes(12).toString('hex')}`;
    const hexKey = `a${crypto.randomBytes(16).toString('hex')}`;  // also a valid variable name
    for (const ref of [`env:${pasted}`, `env:${hexKey}`, `file:${pasted}`, `file:${hexKey}`, pasted]) {
      const file = writeTemp('pasted.toml', gatewayToml({ apiBase: mock.apiBase, upstream: { api_key: ref } }), dir);
      const r = await runRinggate(['check-config', file]);
      const out = r.stdout + r.stderr;
      assert.notEqual(r.code, 0, out);
      assert.match(out, /pasted\.toml:\d+:\d+: upstreams\[0\]\.api_key/, out);
      const secret = ref.slice(ref.indexOf(':') + 1);
      for (let i = 0; i + 8 <= secret.length; ++i) {
        assert.ok(!out.includes(secret.slice(i, i + 8)), `${ref} leaked into: ${out}`);
      }
    }
  });
});

// Every place a request leaves a trace: stderr (with the debug record lines), the access log
// file, the ledger's database and WAL, a /metrics scrape and every response. Distinctive secrets
// of each kind go in; none comes out.
describe('secrets never reach logs, the ledger, metrics or error bodies', () => {
  const PROVIDER_KEY = `sk-provider-${crypto.randomBytes(16).toString('hex')}`;
  const VIRTUAL_KEY = `rg-virtual-${crypto.randomBytes(24).toString('base64url')}`;
  const WRONG_KEY = `rg-wrongkey-${crypto.randomBytes(24).toString('base64url')}`;
  const ADMIN_KEY = `rg-admin-${crypto.randomBytes(24).toString('base64url')}`;
  // Bring your own key: the virtual key's sealed provider key, its master key, and a client's own.
  const BYOK_KEY = `sk-byok-${crypto.randomBytes(16).toString('hex')}`;
  const BYOK_MASTER = crypto.randomBytes(32).toString('hex');
  const CLIENT_PROVIDER_KEY = `sk-client-${crypto.randomBytes(16).toString('hex')}`;
  let mock;

  before(async () => {
    mock = await startMock();
  });
  after(stopAll);

  it('through accounting: the access log, the ledger and /metrics', async () => {
    const dir = tempDir();
    const price = { input_per_mtok: 1, output_per_mtok: 2 };
    const sealEnv = { RG_TEST_BYOK_MASTER: BYOK_MASTER };
    const sealed = await runRinggate(['seal-key', '--key-id', 'secret-test', '--master',
      'env:RG_TEST_BYOK_MASTER'], sealEnv, BYOK_KEY);
    assert.equal(sealed.code, 0, sealed.stderr);
    const gw = await startConfigGateway(`${gatewayToml({
      apiBase: mock.apiBase,
      upstream: { api_key: 'env:RG_TEST_PROVIDER_KEY' },
      extraUpstreams: [{ name: 'anth', url: mock.apiBase, format: 'anthropic', api_key: 'env:RG_TEST_PROVIDER_KEY' }],
      models: [{ name: 'gpt-4o-mini', upstream: 'mock', price },
        { name: 'claude-3-5-haiku', upstream: 'anth', price, client_provider_key: true }],
      keys: [{ id: 'secret-test', sha256: sha256Hex(VIRTUAL_KEY), budget: { daily_usd: 5 },
        provider_keys: { mock: sealed.stdout.trim() } }],
      log: { access: 'access.jsonl' },
      ledger: { path: 'ledger.db', flush_interval_ms: 50 },
      metrics: { admin_key: 'env:RG_TEST_ADMIN_KEY' },
    })}\n[byok]\nmaster_key = "env:RG_TEST_BYOK_MASTER"\n`, { dir, env: { ...sealEnv, RG_TEST_PROVIDER_KEY: PROVIDER_KEY, RG_TEST_ADMIN_KEY: ADMIN_KEY, RINGGATE_LOG: 'debug' } });
    const texts = [];
    const keep = (r) => texts.push(r.text, JSON.stringify([...r.headers]));
    const auth = { authorization: `Bearer ${VIRTUAL_KEY}` };
    for (const model of ['gpt-4o-mini', 'claude-3-5-haiku']) {
      keep(await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model }, auth));
      keep(await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model, stream: true }, auth));
      keep(await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model }, { ...auth, 'x-mock-fail-status': '401' }));
      keep(await postJson(gw.url, '/v1/messages', { model, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] },
        { 'x-api-key': VIRTUAL_KEY, 'anthropic-version': '2023-06-01' }));
    }
    for (const model of ['gpt-4o-mini', 'claude-3-5-haiku']) {  // refused (400), then used
      for (const fail of [{}, { 'x-mock-fail-status': '401' }]) {
        keep(await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model },
          { ...auth, ...fail, 'x-ringgate-provider-key': CLIENT_PROVIDER_KEY }));
      }
    }
    keep(await postJson(gw.url, '/v1/chat/completions', CHAT, { authorization: `Bearer ${WRONG_KEY}` }));
    keep(await request(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${WRONG_KEY}` } }));
    const scraped = await request(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    assert.equal(scraped.status, 200);
    keep(scraped);
    // Every admin API view, once accounting has the traffic above (the requests view lists it).
    const adminAuth = { authorization: `Bearer ${ADMIN_KEY}` };
    await waitFor(async () => (await request(`${gw.url}/admin/requests`, { headers: adminAuth })).json?.requests?.length > 0,
      { what: 'the admin API to see the traffic' });
    for (const view of ['overview', 'keys', 'teams', 'deployments', 'cache', 'requests', 'requests?key=secret-test', 'nope']) {
      for (const headers of [adminAuth, { authorization: `Bearer ${WRONG_KEY}` }, { authorization: `Bearer ${VIRTUAL_KEY}` }]) {
        const res = await request(`${gw.url}/admin/${view}`, { headers });
        if (headers === adminAuth && view !== 'nope') assert.equal(res.status, 200, `${view}: ${res.text}`);
        keep(res);
      }
    }
    keep(await request(`${gw.url}/admin/requests?key=${encodeURIComponent(VIRTUAL_KEY)}`, { headers: adminAuth }));
    await gw.stop();
    const files = fs.readdirSync(dir).filter((f) => /^(access\.jsonl|ledger\.db.*)$/.test(f));
    assert.ok(files.includes('access.jsonl') && files.includes('ledger.db'), files.join(','));
    for (const f of files) texts.push(fs.readFileSync(path.join(dir, f)).toString('latin1'));
    assert.ok(fs.readFileSync(path.join(dir, 'access.jsonl'), 'utf8').includes('"client_key":"secret-test"'));
    texts.push(gw.stdout, gw.stderr);
    const secrets = { PROVIDER_KEY, VIRTUAL_KEY, WRONG_KEY, ADMIN_KEY, BYOK_KEY, BYOK_MASTER, CLIENT_PROVIDER_KEY };
    for (const [name, secret] of Object.entries(secrets)) {
      assert.ok(texts.every((t) => !t.includes(secret)), `${name} leaked`);
    }
  });
});
