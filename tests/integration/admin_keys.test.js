// Key management through the admin API (POST /admin/keys, DELETE /admin/keys/{id}) on a real
// 2-shard gateway: a created key serves on every shard within a second, a revoked or expired one
// is refused with 401 within a second, both survive a restart and a config reload, config keys
// and taken ids are conflicts, the admin key rules hold, and no created key ever reaches the
// gateway's output.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const http = require('node:http');
const path = require('node:path');
const { startMock, startConfigGateway, stopAll, tempDir } = require('./lib/processes');
const { sha256Hex, waitFor, CHAT } = require('./lib/http');
const { gatewayToml } = require('./lib/config');

const ADMIN = `rg-${crypto.randomBytes(32).toString('base64url')}`;
const ALICE = `rg-${crypto.randomBytes(32).toString('base64url')}`;
const ENV = { RG_TEST_ADMIN_KEY: ADMIN };

// One request on a connection of its own, so SO_REUSEPORT spreads requests over the shards.
function fresh(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.setTimeout(20000, () => req.destroy(new Error('request timed out')));
    if (body !== undefined) req.write(typeof body === 'string' ? body : JSON.stringify(body));
    req.end();
  });
}

function admin(gw, method, p, body, key = ADMIN) {
  const headers = { 'content-type': 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  return fresh(gw.url + p, { method, headers, body });
}

function chat(gw, key) {
  return fresh(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: CHAT,
  });
}

// Eight requests, each on a new connection, all answered `status`, by both shards (the shard's
// index is in the request id the gateway makes: rg-<salt>-<shard>-<sequence>).
async function allAnswer(gw, key, status) {
  const answers = await Promise.all(Array.from({ length: 8 }, () => chat(gw, key)));
  const shards = new Set(answers.map((r) => /^rg-[0-9a-f]+-(\d+)-/.exec(r.headers['x-request-id'] ?? '')?.[1]));
  return answers.every((r) => r.status === status) && shards.has('0') && shards.has('1');
}

function assertError(res, status, code) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.json?.error?.code, code, res.text);
  assert.equal(typeof res.json.error.message, 'string');
  assert.equal(typeof res.json.error.type, 'string');
}

function toml(mockBase, { ledger, adminKey = true } = {}) {
  return gatewayToml({
    apiBase: mockBase,
    server: { shards: 2 },
    auth: { mode: 'keys' },
    teams: [{ name: 'eng' }],
    keys: [{ id: 'alice', sha256: sha256Hex(ALICE) }],
    log: { access: 'stderr' },
    ledger: ledger ? { path: ledger } : undefined,
    metrics: adminKey ? { admin_key: 'env:RG_TEST_ADMIN_KEY' } : undefined,
  });
}

describe('admin API key management', () => {
  let mock, gw, config, ledger;
  const issued = {};  // id -> every key the API returned: none may appear in the gateway's output

  async function create(body) {
    const r = await admin(gw, 'POST', '/admin/keys', body);
    assert.equal(r.status, 201, r.text);
    assert.match(r.json.key, /^rg-[A-Za-z0-9_-]{43}$/);
    issued[body.id] = r.json.key;
    return r;
  }

  before(async () => {
    mock = await startMock(['--tokens', '4']);
    ledger = path.join(tempDir(), 'ledger.db');
    config = toml(mock.apiBase, { ledger });
    gw = await startConfigGateway(config, { env: ENV });
  });
  after(stopAll);

  it('creates a key that serves on every shard within a second', async () => {
    const r = await create({ id: 'bob', team: 'eng' });
    const served = Date.now();
    assert.deepEqual({ ...r.json, key: undefined }, { id: 'bob', key: undefined, team: 'eng', expires_at: null });
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.match(r.headers['content-type'], /application\/json/);
    await waitFor(() => allAnswer(gw, r.json.key, 200), { deadlineMs: 1000, what: 'bob served on both shards' });
    assert.ok(Date.now() - served <= 1500);
    await waitFor(() => gw.stderr.includes('{"audit":"key_created","id":"bob","team":"eng","actor":"admin"'),
      { what: 'the create audit line' });
  });

  it('lists a created key in GET /admin/keys as source admin with its expiry, never the key', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;
    const r = await create({ id: 'listed', team: 'eng', expires_at: expiresAt });
    const view = await admin(gw, 'GET', '/admin/keys');
    assert.equal(view.status, 200, view.text);
    const byId = Object.fromEntries(view.json.keys.map((k) => [k.id, k]));
    assert.equal(byId.listed.source, 'admin');
    assert.equal(byId.listed.expires_at, expiresAt);
    assert.equal(byId.listed.team, 'eng');
    assert.equal(byId.alice.source, 'config');
    assert.equal(byId.alice.expires_at, null);
    assert.ok(!view.text.includes(r.json.key));
  });

  it('refuses bad bodies with 400 in the OpenAI error shape', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const body of ['not json', '[]', { team: 'eng' }, { id: 'a b' }, { id: 'x'.repeat(65) },
      { id: 'ok', team: 'nobody' }, { id: 'ok', expires_at: now - 10 }, { id: 'ok', expires_at: 'soon' },
      { id: 'ok', key: 'rg-chosen' }]) {
      assertError(await admin(gw, 'POST', '/admin/keys', body), 400, 'invalid_request_body');
    }
  });

  it('answers 409 for a config key or a taken id, 404 for an unknown one', async () => {
    assertError(await admin(gw, 'POST', '/admin/keys', { id: 'alice' }), 409, 'conflict');
    assertError(await admin(gw, 'POST', '/admin/keys', { id: 'bob' }), 409, 'conflict');
    assertError(await admin(gw, 'DELETE', '/admin/keys/alice'), 409, 'conflict');
    assertError(await admin(gw, 'DELETE', '/admin/keys/nobody'), 404, 'not_found');
    assert.equal((await chat(gw, ALICE)).status, 200);  // the config key still serves
  });

  it('applies the admin key rules: 401 without it or with a wrong one', async () => {
    assertError(await admin(gw, 'POST', '/admin/keys', { id: 'eve' }, null), 401, 'invalid_api_key');
    assertError(await admin(gw, 'POST', '/admin/keys', { id: 'eve' }, ALICE), 401, 'invalid_api_key');
    assertError(await admin(gw, 'DELETE', '/admin/keys/bob', undefined, `${ADMIN}x`), 401, 'invalid_api_key');
  });

  it('revokes a key: 401 on every shard within a second', async () => {
    const r = await create({ id: 'dave' });
    await waitFor(() => allAnswer(gw, r.json.key, 200), { deadlineMs: 1000, what: 'dave served' });
    const d = await admin(gw, 'DELETE', '/admin/keys/dave');
    assert.equal(d.status, 200, d.text);
    assert.deepEqual(d.json, { id: 'dave', revoked: true });
    await waitFor(() => allAnswer(gw, r.json.key, 401), { deadlineMs: 1000, what: 'dave refused' });
    assertError(await chat(gw, r.json.key), 401, 'invalid_api_key');
    assertError(await admin(gw, 'DELETE', '/admin/keys/dave'), 404, 'not_found');
    assertError(await admin(gw, 'POST', '/admin/keys', { id: 'dave' }), 409, 'conflict');
    assert.match(gw.stderr, /\{"audit":"key_revoked","id":"dave","team":null,"actor":"admin"/);
  });

  it('refuses a key once its expiry passed, with the 401 of an unknown key', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 2;
    const r = await create({ id: 'brief', expires_at: expiresAt });
    assert.equal(r.json.expires_at, expiresAt);
    assert.equal((await chat(gw, r.json.key)).status, 200);
    await waitFor(() => allAnswer(gw, r.json.key, 401), { deadlineMs: 5000, what: 'brief refused after its expiry' });
    assert.ok(Date.now() >= expiresAt * 1000, 'refused before its expiry');
    assertError(await chat(gw, r.json.key), 401, 'invalid_api_key');
    await waitFor(() => gw.stderr.includes('{"audit":"key_expired","id":"brief"'), { what: 'the expiry audit line' });
  });

  it('keeps created keys through a config reload', async () => {
    const r = await create({ id: 'erin' });
    const seen = gw.stderr.split('reload: ok').length;
    gw.proc.kill('SIGHUP');
    await waitFor(() => gw.stderr.split('reload: ok').length > seen, { what: 'reload: ok' });
    await waitFor(() => allAnswer(gw, r.json.key, 200), { deadlineMs: 2000, what: 'erin served after the reload' });
    await waitFor(() => allAnswer(gw, ALICE, 200), { deadlineMs: 2000, what: 'alice served after the reload' });
  });

  it('keeps created keys and revocations across a restart, and never shows a key', async () => {
    const carol = await create({ id: 'carol', team: 'eng' });
    const { bob, dave } = issued;
    await gw.stop();
    const output = gw.stdout + gw.stderr;
    gw = await startConfigGateway(config, { env: ENV });
    await waitFor(() => /keys: \d+ created through the admin API/.test(gw.stderr), { what: 'the keys loaded at start' });
    await waitFor(() => allAnswer(gw, carol.json.key, 200), { deadlineMs: 2000, what: 'carol served after the restart' });
    await waitFor(() => allAnswer(gw, bob, 200), { deadlineMs: 2000, what: 'bob served after the restart' });
    await waitFor(() => allAnswer(gw, dave, 401), { deadlineMs: 2000, what: 'dave still refused after the restart' });
    assertError(await admin(gw, 'POST', '/admin/keys', { id: 'carol' }), 409, 'conflict');
    await gw.stop();
    assert.ok(output.includes('"actor":"admin"'), 'the audit lines are in the first run\'s log');
    for (const text of [output, gw.stdout + gw.stderr]) {
      for (const key of [...Object.values(issued), ADMIN, ALICE]) assert.ok(!text.includes(key), 'a key reached the output');
    }
  });
});

describe('admin API key management without its prerequisites', () => {
  let mock;
  before(async () => { mock = await startMock(); });
  after(stopAll);

  it('answers 403 when no admin key is configured', async () => {
    const gw = await startConfigGateway(toml(mock.apiBase, { ledger: path.join(tempDir(), 'l.db'), adminKey: false }));
    const r = await admin(gw, 'POST', '/admin/keys', { id: 'bob' });
    assertError(r, 403, 'configuration_error');
    assert.match(r.json.error.message, /\[metrics\] admin_key/);
    assertError(await admin(gw, 'DELETE', '/admin/keys/bob'), 403, 'configuration_error');
  });

  it('answers 503 when there is no ledger database', async () => {
    const gw = await startConfigGateway(toml(mock.apiBase), { env: ENV });
    const r = await admin(gw, 'POST', '/admin/keys', { id: 'bob' });
    assertError(r, 503, 'configuration_error');
    assert.match(r.json.error.message, /\[ledger\]/);
  });
});
