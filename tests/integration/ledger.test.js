// `ringgate usage`: the real binary reading a usage ledger (written by ringgate-ledger-fixture
// through the same Ledger the gateway uses) per key, team and model, as a table or JSON, with the
// ledger named directly or through a config file; bad arguments exit 2 with a clear message.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { runRinggate, stopAll, tempDir, writeTemp } = require('./lib/processes');

const FIXTURE_BIN = process.env.LEDGER_FIXTURE_BIN;

describe('ringgate usage', () => {
  let dir;
  let ledger;
  after(stopAll);

  before(() => {
    assert.ok(FIXTURE_BIN, 'LEDGER_FIXTURE_BIN must name the built fixture (meson test sets it)');
    dir = tempDir();
    ledger = path.join(dir, 'ringgate-ledger.db');
    execFileSync(FIXTURE_BIN, [ledger, String(Math.floor(Date.now() / 1000))]);
  });

  it('prints a table per key with exact costs and a total line', async () => {
    const r = await runRinggate(['usage', '--ledger', ledger, '--since', '24h', '--by', 'key']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^usage since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ by key$/);
    assert.deepEqual(lines[1].split(/\s+/), ['key', 'requests', 'input_tokens', 'output_tokens',
      'cached_input_tokens', 'cache_creation_tokens', 'cost_usd']);
    assert.deepEqual(lines.slice(2).map((l) => l.split(/\s+/)), [
      ['bob', '1', '300', '10', '5', '0', '1.000000'],
      ['alice', '2', '300', '20', '10', '0', '0.012345'],
      ['total', '3', '600', '30', '15', '0', '1.012345'],
    ]);
  });

  it('prints JSON per team, and older rows come in with an earlier --since', async () => {
    const r = await runRinggate(['usage', '--ledger', ledger, '--since', '7d', '--by', 'team',
      '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.by, 'team');
    assert.deepEqual(j.groups.map((g) => [g.name, g.requests, g.cost_micros]),
      [['', 1, 1000000], ['research', 2, 12345], ['ops', 1, 7]]);
    assert.equal(j.total.cost_micros, 1012352);
    assert.equal(j.total.requests, 4);
  });

  it('takes the ledger path from --config, relative to the config file', async () => {
    const config = writeTemp('ringgate.toml', '[ledger]\npath = "ringgate-ledger.db"\n', dir);
    const r = await runRinggate(['usage', '--config', config, '--since', '24h', '--by', 'model']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^gpt-4o\s+3\s+600\s+30\s+15\s+0\s+1\.012345$/m);
  });

  it('exits 2 with a clear message on bad arguments', async () => {
    const cases = [
      [['--ledger', ledger, '--since', 'yesterday'], /--since yesterday: give a duration/],
      [['--ledger', ledger, '--since', '24h', '--by', 'teams'], /--by teams: give key, team, model or node/],
      [['--since', '24h'], /give --ledger PATH or --config FILE/],
      [['--ledger', ledger], /--since is required/],
      [['--ledger', ledger, '--since', '24h', '--colour'], /--colour/],
    ];
    for (const [args, message] of cases) {
      const r = await runRinggate(['usage', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });

  it('exits 1 naming the path when the ledger is missing or is not a ledger', async () => {
    const missing = path.join(dir, 'missing.db');
    let r = await runRinggate(['usage', '--ledger', missing, '--since', '24h']);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(`ledger ${missing}: cannot open`), r.stderr);
    const garbage = writeTemp('garbage.db', 'x'.repeat(4096), dir);
    r = await runRinggate(['usage', '--ledger', garbage, '--since', '24h']);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(`ledger ${garbage}: not a ringgate ledger`), r.stderr);
  });
});
