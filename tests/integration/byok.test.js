// Bring your own key: provider keys a virtual key carries (sealed at rest with `ringgate
// seal-key`), a client's own key in x-ringgate-provider-key where the model allows it, the error
// a refused BYOK key gets, and /v1/models listing only what the caller's key may use.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { startMock, startConfigGateway, runRinggate, stopAll, writeTemp } = require('./lib/processes');
const { postJson, request, mockStats, mockLastRequest, sha256Hex, CHAT } = require('./lib/http');
const { gatewayToml } = require('./lib/config');

const MASTER = crypto.randomBytes(32).toString('hex');
const POOL_KEY = `sk-pool-${crypto.randomBytes(8).toString('hex')}`;
const BYOK_KEY = `sk-byok-${crypto.randomBytes(12).toString('hex')}`;
const CLIENT_PROVIDER_KEY = `sk-client-${crypto.randomBytes(12).toString('hex')}`;
const VK = {  // virtual keys: with BYOK, without, limited to some models
  byok: `rg-byok-${crypto.randomBytes(16).toString('hex')}`,
  pool: `rg-pool-${crypto.randomBytes(16).toString('hex')}`,
  narrow: `rg-narrow-${crypto.randomBytes(16).toString('hex')}`,
};
const ENV = { RG_TEST_BYOK_MASTER: MASTER, RG_TEST_POOL_KEY: POOL_KEY };

async function seal(keyId, plaintext, master = 'env:RG_TEST_BYOK_MASTER') {
  const r = await runRinggate(['seal-key', '--key-id', keyId, '--master', master], ENV, `${plaintext}\n`);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.stdout.includes(plaintext) && !r.stderr.includes(plaintext));
  return r.stdout.trim();
}

function byokToml(apiBase, sealed) {
  return `${gatewayToml({
    apiBase,
    upstream: { api_key: 'env:RG_TEST_POOL_KEY' },
    models: [
      { name: 'gpt-4o-mini', upstream: 'mock' },
      { name: 'gpt-4o', upstream: 'mock', client_provider_key: true },
      { name: 'other-model', upstream: 'mock', aliases: ['other'] },
    ],
    keys: [
      { id: 'byok', sha256: sha256Hex(VK.byok), provider_keys: { mock: sealed } },
      { id: 'pool', sha256: sha256Hex(VK.pool) },
      { id: 'narrow', sha256: sha256Hex(VK.narrow), models: ['gpt-4o*'] },
    ],
  })}\n[byok]\nmaster_key = "env:RG_TEST_BYOK_MASTER"\n`;
}

const bearer = (k) => ({ authorization: `Bearer ${k}` });

describe('bring your own key', () => {
  let mock;
  let gw;
  let sealed;
  const texts = [];  // every response body and header set, searched for the plaintexts at the end
  const keep = (r) => { texts.push(r.text, JSON.stringify([...r.headers])); return r; };

  before(async () => {
    mock = await startMock();
    sealed = await seal('byok', BYOK_KEY);
    gw = await startConfigGateway(byokToml(mock.apiBase, sealed), { env: { ...ENV, RINGGATE_LOG: 'debug' } });
  });
  after(stopAll);

  it('seal-key output loads; the sealed key is sent upstream instead of the pool key', async () => {
    assert.match(sealed, /^rgk1:[A-Za-z0-9+/]+=*$/);
    const r = keep(await postJson(gw.url, '/v1/chat/completions', CHAT, bearer(VK.byok)));
    assert.equal(r.status, 200, r.text);
    assert.equal((await mockStats(mock)).last_authorization, sha256Hex(`Bearer ${BYOK_KEY}`));
    const p = keep(await postJson(gw.url, '/v1/chat/completions', CHAT, bearer(VK.pool)));
    assert.equal(p.status, 200, p.text);
    assert.equal((await mockStats(mock)).last_authorization, sha256Hex(`Bearer ${POOL_KEY}`));
  });

  it('a refused BYOK key says so without showing it, and leaves the pool key in rotation', async () => {
    for (let i = 0; i < 6; ++i) {
      const r = keep(await postJson(gw.url, '/v1/chat/completions', CHAT,
        { ...bearer(VK.byok), 'x-mock-fail-status': '401' }));
      assert.equal(r.status, 401, r.text);
      assert.match(r.json.error.message, /the provider rejected the key supplied by this virtual key \(byok/);
    }
    const p = keep(await postJson(gw.url, '/v1/chat/completions', CHAT, bearer(VK.pool)));
    assert.equal(p.status, 200, 'the pool key was not taken out, the deployment still serves');
    assert.equal((await mockStats(mock)).last_authorization, sha256Hex(`Bearer ${POOL_KEY}`));
  });

  it('x-ringgate-provider-key is used where the model allows it, never forwarded as itself', async () => {
    const headers = { ...bearer(VK.pool), 'x-ringgate-provider-key': CLIENT_PROVIDER_KEY };
    const r = keep(await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: 'gpt-4o' }, headers));
    assert.equal(r.status, 200, r.text);
    assert.equal((await mockStats(mock)).last_authorization, sha256Hex(`Bearer ${CLIENT_PROVIDER_KEY}`));
    const last = JSON.stringify(await mockLastRequest(mock));
    assert.ok(!/x-ringgate-provider-key/i.test(last), last);
    const refusedKey = keep(await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: 'gpt-4o' },
      { ...headers, 'x-mock-fail-status': '403' }));
    assert.equal(refusedKey.status, 403);
    assert.match(refusedKey.json.error.message, /rejected the key sent in x-ringgate-provider-key/);
  });

  it('x-ringgate-provider-key is refused with 400 where the model does not allow it', async () => {
    const before = (await mockStats(mock)).requests;
    const r = keep(await postJson(gw.url, '/v1/chat/completions', CHAT,
      { ...bearer(VK.pool), 'x-ringgate-provider-key': CLIENT_PROVIDER_KEY }));
    assert.equal(r.status, 400, r.text);
    assert.match(r.json.error.message, /client_provider_key = true/);
    assert.equal((await mockStats(mock)).requests, before, 'nothing went upstream');
  });

  it('/v1/models lists only what the key may use; another model is 404; no key is 401', async () => {
    const ids = async (k, extra = {}) => {
      const r = keep(await request(`${gw.url}/v1/models`, { headers: { ...bearer(k), ...extra } }));
      assert.equal(r.status, 200, r.text);
      return r.json.data.map((m) => m.id).sort();
    };
    assert.deepEqual(await ids(VK.pool), ['gpt-4o', 'gpt-4o-mini', 'other', 'other-model']);
    assert.deepEqual(await ids(VK.narrow), ['gpt-4o', 'gpt-4o-mini']);
    const anthropic = keep(await request(`${gw.url}/v1/models`,
      { headers: { 'x-api-key': VK.narrow, 'anthropic-version': '2023-06-01' } }));
    assert.deepEqual(anthropic.json.data.map((m) => m.id).sort(), ['gpt-4o', 'gpt-4o-mini']);
    const one = keep(await request(`${gw.url}/v1/models/gpt-4o`, { headers: bearer(VK.narrow) }));
    assert.equal(one.status, 200, one.text);
    for (const id of ['other-model', 'other', 'no-such-model']) {
      const hidden = keep(await request(`${gw.url}/v1/models/${id}`, { headers: bearer(VK.narrow) }));
      assert.equal(hidden.status, 404, hidden.text);
      assert.equal(hidden.json.error.code, 'model_not_found');
    }
    assert.equal((await request(`${gw.url}/v1/models/other`, { headers: bearer(VK.pool) })).status, 200);
    const none = keep(await request(`${gw.url}/v1/models`));
    assert.equal(none.status, 401, none.text);
    const wrong = keep(await request(`${gw.url}/v1/models`, { headers: bearer(`rg-wrong-${'x'.repeat(40)}`) }));
    assert.equal(wrong.status, 401, wrong.text);
  });

  it('a wrong master key or a blob moved to another key id stops the load, naming id and field only', async () => {
    const otherMaster = crypto.randomBytes(32).toString('hex');
    const file = writeTemp('byok.toml', byokToml(mock.apiBase, sealed));
    const r = await runRinggate(['check-config', file], { ...ENV, RG_TEST_BYOK_MASTER: otherMaster });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /keys\[0\]\.provider_keys\.mock \(key id 'byok'\) does not open/);
    for (const secret of [BYOK_KEY, otherMaster, MASTER, sealed.slice(5, 25)]) {
      assert.ok(!r.stderr.includes(secret) && !r.stdout.includes(secret));
    }
    const moved = writeTemp('moved.toml', byokToml(mock.apiBase, await seal('pool', BYOK_KEY)));
    const m = await runRinggate(['check-config', moved], ENV);
    assert.notEqual(m.code, 0);
    assert.match(m.stderr, /\(key id 'byok'\) does not open/);
    const good = await runRinggate(['check-config', file], ENV);
    assert.equal(good.code, 0, good.stderr);
  });

  it('the BYOK and pass-through plaintexts are nowhere in responses or the gateway output', async () => {
    await gw.stop();
    texts.push(gw.stdout, gw.stderr);
    for (const [name, secret] of Object.entries({ BYOK_KEY, CLIENT_PROVIDER_KEY, MASTER })) {
      assert.ok(texts.every((t) => !t.includes(secret)), `${name} leaked`);
    }
  });
});
