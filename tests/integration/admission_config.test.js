// Who may call, as the real binary reads it: `ringgate keygen`, a config that says nothing about
// authentication refusing to start, and quick mode's --auth-key strength check.
'use strict';

const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { startQuickGateway, runRinggate, stopAll, writeTemp } = require('./lib/processes');
const { gatewayToml } = require('./lib/config');

const API_BASE = 'http://127.0.0.1:9/v1';  // never contacted: nothing here sends a request
const KEY_SHAPE = /^rg-[A-Za-z0-9_-]{43}$/;

function sha256Hex(text) {
  return crypto.createHash('sha256').update(text).digest('hex');
}

// The key (first line) and the [[keys]] block that follows it.
function parseKeygen(stdout) {
  const lines = stdout.split('\n');
  const block = lines.slice(lines.indexOf('[[keys]]')).join('\n');
  return {
    key: lines[0],
    block,
    id: /^id = "([^"]+)"$/m.exec(block)?.[1],
    sha256: /^sha256 = "([0-9a-f]+)"$/m.exec(block)?.[1],
  };
}

describe('admission config', () => {
  after(stopAll);

  it('keygen prints a key once, with the [[keys]] lines holding its SHA-256', async () => {
    const r = await runRinggate(['keygen', '--id', 'x']);
    assert.equal(r.code, 0, r.stderr);
    const out = parseKeygen(r.stdout);
    assert.match(out.key, KEY_SHAPE);
    assert.equal(out.id, 'x');
    assert.equal(out.sha256, sha256Hex(out.key));
    assert.equal(r.stdout.split(out.key).length, 2, 'the key is printed exactly once');
    assert.equal(r.stderr, '');

    // The block pastes into a config as is: keys mode, and check-config shows neither key nor hash.
    const file = writeTemp('keys.toml', `${gatewayToml({ apiBase: API_BASE, auth: null })}\n${out.block}`);
    const check = await runRinggate(['check-config', file]);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /^auth: keys \(1 keys, 0 teams\)/m);
    assert.ok(!check.stdout.includes(out.key) && !check.stdout.includes(out.sha256), check.stdout);
  });

  it('keygen without --id names the key key-XXXXXXXX, and every key is new', async () => {
    const [a, b] = await Promise.all([runRinggate(['keygen']), runRinggate(['keygen'])]);
    const [ka, kb] = [parseKeygen(a.stdout), parseKeygen(b.stdout)];
    assert.match(ka.id, /^key-[0-9a-f]{8}$/);
    assert.match(kb.key, KEY_SHAPE);
    assert.notEqual(ka.key, kb.key);
    assert.notEqual(ka.id, kb.id);
  });

  it('keygen refuses an id that is not safe to log', async () => {
    const r = await runRinggate(['keygen', '--id', 'alice laptop']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--id must be 1-64 printable ASCII characters without spaces/);
    assert.doesNotMatch(r.stdout, /rg-/);
  });

  it('a config with neither keys nor an auth mode refuses to start and names both ways out', async () => {
    const file = writeTemp('noauth.toml', gatewayToml({ apiBase: API_BASE, auth: null }));
    const r = await runRinggate(['serve', '--config', file, '--listen', '127.0.0.1:0']);
    assert.notEqual(r.code, 0);
    assert.equal(r.stdout, '', 'it never listened');
    assert.match(r.stderr, /noauth\.toml:1:1: no client authentication configured/);
    assert.match(r.stderr, /add \[\[keys\]\] entries \(`ringgate keygen` prints one\)/);
    assert.match(r.stderr, /write \[auth\] mode = "none"/);
  });

  // seed-defect: 000-C1
  it('quick mode refuses a weak --auth-key without echoing it, and serves with a strong one', async () => {
    const weak = 'letmein-letmein-letmein-letmein-!';
    const refused = await runRinggate(['serve', '--upstream', API_BASE, '--listen', '127.0.0.1:0',
      '--auth-key', 'env:RG_TEST_AUTH_KEY'], { RG_TEST_AUTH_KEY: weak });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /--auth-key: the key is too weak: it uses only 8 distinct characters/);
    assert.ok(!(refused.stdout + refused.stderr).includes('letmein'), refused.stderr);

    const { stdout } = await runRinggate(['keygen']);
    const strong = parseKeygen(stdout).key;
    const gw = await startQuickGateway({ upstream: API_BASE, extraArgs: ['--auth-key', 'env:RG_TEST_AUTH_KEY'],
      env: { RG_TEST_AUTH_KEY: strong } });
    await gw.stop();
    assert.match(gw.stderr, /^auth: keys \(1 keys, 0 teams\)/m);
    assert.ok(!(gw.stdout + gw.stderr).includes(strong.slice(3, 15)));
  });

  it('--auth-key belongs to quick mode: with --config it is refused', async () => {
    const file = writeTemp('open.toml', gatewayToml({ apiBase: API_BASE }));
    const r = await runRinggate(['serve', '--config', file, '--auth-key', 'env:RG_TEST_AUTH_KEY']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--auth-key, --cors-origin and --trusted-proxy are for quick mode/);
  });
});
