// The fleet ledger: nodes ship their SQLite ledger's rows to one PostgreSQL (a real server on
// loopback, started here as an unprivileged user). Two nodes' rows land in it, per node, with
// their request ids; `ringgate usage --postgres` shows both nodes; SIGKILL of a node under load
// loses no row older than its flush interval (the restart ships the backlog); PostgreSQL stopped
// under traffic and started again: no row lost, none twice.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const path = require('node:path');
const { startMock, startConfigGateway, runRinggate, stopAll, tempDir } = require('./lib/processes');
const { postJson, request, sha256Hex, waitFor } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const { readRows } = require('./lib/ledger_check');
const { startPostgres, stopAllPostgres } = require('./lib/postgres');

const FLUSH_MS = 200;
// The accounting thread's idle poll and a commit's own time, on top of the interval (as in
// ledger_crash.test.js).
const GRACE_MS = 100;
const PRICE = { input_per_mtok: 2, output_per_mtok: 8 };

let pg;
let mock;
const env = () => ({ RINGGATE_PG_URL: pg.conninfo });

function config(node, ledger, keys = []) {
  return gatewayToml({
    apiBase: mock.apiBase,
    keys,
    models: [{ name: 'gpt-4o-mini', upstream: 'mock', price: PRICE }],
    ledger: { path: ledger, flush_interval_ms: FLUSH_MS, postgres: 'env:RINGGATE_PG_URL', node,
      postgres_flush_interval_ms: FLUSH_MS, postgres_batch_rows: 50 },
  });
}

async function startNode(node, keys = []) {
  const dir = tempDir();
  const ledger = path.join(dir, 'ledger.db');
  const toml = config(node, ledger, keys);
  const gw = await startConfigGateway(toml, { dir, env: env() });
  return { gw, dir, ledger, toml, node };
}

const chat = (i) => ({ model: 'gpt-4o-mini', max_tokens: 10, messages: [{ role: 'user', content: `fleet ${i}` }] });

async function send(gw, id, key) {
  const res = await postJson(gw.url, '/v1/chat/completions', chat(id),
    { 'content-type': 'application/json', 'x-request-id': id, 'x-mock-tokens': '3',
      ...(key ? { authorization: `Bearer ${key}` } : {}) });
  assert.equal(res.status, 200, res.text);
}

// The node's proxied requests (its /readyz and /metrics answers have rows too, outcome local).
async function pgRows(node) {
  return (await pg.query(`SELECT request_id FROM requests WHERE node = '${node}' AND outcome = 'answered' ORDER BY row_id`))
    .map((r) => r[0]);
}

async function waitForPgCount(node, n, deadlineMs = 20000) {
  return waitFor(async () => {
    const rows = await pgRows(node).catch(() => []);
    return rows.length >= n ? rows : null;
  }, { deadlineMs, what: `${n} rows of ${node} in postgres` });
}

async function readyz(gw) {
  const res = await request(`${gw.url}/readyz`);
  return JSON.parse(res.text).ledger_postgres;
}

async function duplicates() {
  return pg.query('SELECT request_id, count(*) FROM requests GROUP BY request_id HAVING count(*) > 1');
}

describe('fleet ledger in PostgreSQL', () => {
  before(async () => {
    pg = await startPostgres();
    mock = await startMock();
  });
  after(async () => {
    await stopAll();
    await stopAllPostgres();
  });

  it("two nodes' requests land in one ledger, and usage --postgres shows both nodes", async () => {
    const a = await startNode('node-a');
    const b = await startNode('node-b');
    const ids = { 'node-a': [], 'node-b': [] };
    await Promise.all([a, b].map(async (n) => {
      for (let i = 0; i < 30; ++i) {
        const id = `${n.node}-req-${i}`;
        await send(n.gw, id);
        ids[n.node].push(id);
      }
    }));
    for (const node of ['node-a', 'node-b']) {
      const rows = await waitForPgCount(node, 30);
      assert.deepEqual(rows, ids[node]);
    }
    assert.deepEqual(await duplicates(), []);
    const st = await readyz(a.gw);
    assert.equal(st.connected, true);
    assert.equal(st.node, 'node-a');
    assert.equal(st.last_error, '');
    await waitFor(async () => (await readyz(a.gw)).backlog_rows === 0, { what: 'node-a caught up' });

    // Stopped (SIGTERM ships what is left), so the sums below are final; /readyz answers have
    // rows too, so each node has its 30 requests and a few more.
    await a.gw.stop();
    await b.gw.stop();
    const perNode = Object.fromEntries(
      (await pg.query('SELECT node, count(*) FROM requests GROUP BY node')).map(([k, v]) => [k, Number(v)]));
    assert.ok(perNode['node-a'] >= 30 && perNode['node-b'] >= 30, JSON.stringify(perNode));
    const out = await runRinggate(['usage', '--postgres', 'env:RINGGATE_PG_URL', '--since', '1h', '--by', 'node', '--json'], env());
    assert.equal(out.code, 0, out.stderr);
    const groups = Object.fromEntries(JSON.parse(out.stdout).groups.map((g) => [g.name, g.requests]));
    assert.equal(groups['node-a'], perNode['node-a']);
    assert.equal(groups['node-b'], perNode['node-b']);
    const table = await runRinggate(['usage', '--postgres', 'env:RINGGATE_PG_URL', '--since', '1h', '--by', 'node'], env());
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /node-a/);
    assert.match(table.stdout, /node-b/);
    // The connection string is never printed (here it has no password: the whole string).
    for (const text of [a.gw.stderr, b.gw.stderr, out.stderr, table.stdout]) assert.ok(!text.includes(pg.conninfo));
  });

  it('SIGKILL of a node under load loses no row older than its flush interval', async (t) => {
    let n = await startNode('node-kill');
    const done = [];
    let stopped = false;
    let killedAt = 0;
    const started = Date.now();
    let next = 0;
    const worker = async () => {
      while (!stopped) {
        const id = `kill-${next++}`;
        try {
          const res = await postJson(n.gw.url, '/v1/chat/completions', chat(id),
            { 'content-type': 'application/json', 'x-request-id': id, 'x-mock-tokens': '3' });
          if (res.status === 200) done.push({ id, at: Date.now() });
        } catch {
          // Cut off by the kill: not owed a row.
        }
        if (!stopped && done.length >= 200 && Date.now() - started >= 8 * FLUSH_MS) {
          stopped = true;
          killedAt = Date.now();
          const { signal } = await n.gw.signalAndWait('SIGKILL', 5000);
          assert.equal(signal, 'SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const owed = done.filter((d) => d.at < killedAt - FLUSH_MS - GRACE_MS);
    assert.ok(owed.length >= 100, `${owed.length} owed`);

    n.gw = await startConfigGateway(n.toml, { dir: n.dir, env: env() });
    const fileRows = await readRows(n.ledger, '1h');
    const shipped = await waitForPgCount('node-kill', fileRows.length);
    const inPg = new Set(shipped);
    const missing = owed.filter((d) => !inPg.has(d.id));
    t.diagnostic(`${done.length} completed, ${owed.length} owed, ${fileRows.length} in the file, ` +
                 `${shipped.length} in postgres`);
    assert.deepEqual(missing, []);
    assert.deepEqual(shipped, fileRows.filter((r) => r.outcome === 'answered').map((r) => r.request_id));
    assert.deepEqual(await duplicates(), []);
    await n.gw.stop();
  });

  it('PostgreSQL stopped under traffic, then started: no row lost, none twice', async () => {
    const n = await startNode('node-outage');
    for (let i = 0; i < 10; ++i) await send(n.gw, `outage-before-${i}`);
    await waitForPgCount('node-outage', 10);
    await pg.stop();
    for (let i = 0; i < 40; ++i) await send(n.gw, `outage-during-${i}`);
    let last;
    const down = await waitFor(async () => {
      last = await readyz(n.gw);
      return !last.connected && last.backlog_rows >= 40 ? last : null;
    }, { what: 'the shipper to see postgres gone with 40 rows waiting' }).catch((e) => {
      throw new Error(`${e.message}: last /readyz ${JSON.stringify(last)}; stderr ${n.gw.stderr}`);
    });
    assert.notEqual(down.last_error, '');
    // Still serving while the fleet ledger is gone.
    assert.equal((await request(`${n.gw.url}/readyz`)).status, 200);
    const metrics = await request(`${n.gw.url}/metrics`);
    assert.match(metrics.text, /ringgate_ledger_pg_connected 0/);
    assert.match(metrics.text, /ringgate_ledger_pg_backlog_rows (4\d|[5-9]\d|\d{3,})\n/);

    await pg.start();
    for (let i = 0; i < 10; ++i) await send(n.gw, `outage-after-${i}`);
    const rows = await waitForPgCount('node-outage', 60, 30000);
    const expected = [...Array(10).keys()].map((i) => `outage-before-${i}`)
      .concat([...Array(40).keys()].map((i) => `outage-during-${i}`))
      .concat([...Array(10).keys()].map((i) => `outage-after-${i}`));
    assert.deepEqual(rows, expected);
    assert.deepEqual(await duplicates(), []);
    await waitFor(async () => (await readyz(n.gw)).connected, { what: 'reconnected' });
    assert.match(n.gw.stderr, /ledger_pg_unavailable|ledger_pg_insert_failed/);
    assert.match(n.gw.stderr, /ledger_pg_connected/);
    await n.gw.stop();
  });

  // seed-defect: 003-1
  it("a node started after another spent sees the fleet's spend in its budgets", async () => {
    const key = 'rg-' + crypto.randomBytes(32).toString('base64url');
    const keys = [{ id: 'fleet-key', sha256: sha256Hex(key), budget: { total_usd: 1 } }];
    const a = await startNode('spend-a', keys);
    for (let i = 0; i < 20; ++i) await send(a.gw, `spend-${i}`, key);
    await a.gw.stop();  // SIGTERM: its rows are in PostgreSQL now
    const [[fleetSpend]] = await pg.query("SELECT sum(cost_micros) FROM requests WHERE key_id = 'fleet-key'");
    assert.ok(Number(fleetSpend) >= 20 * 3 * 8, fleetSpend);

    // Another node, its own empty file: only the fleet ledger knows what the key spent. A request
    // reserving more than the budget can hold is refused with the spent amount.
    const b = await startNode('spend-b', keys);
    assert.match(b.gw.stderr, /budgets restored from the fleet for 1 keys and teams/);
    const res = await postJson(b.gw.url, '/v1/chat/completions', { ...chat('probe'), max_tokens: 200000 },
      { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'x-mock-tokens': '3' });
    assert.equal(res.status, 402, res.text);
    const m = /spent (\d+)\.(\d{6}) USD/.exec(res.json.error.message);
    assert.ok(m, res.json.error.message);
    assert.equal(Number(m[1]) * 1e6 + Number(m[2]), Number(fleetSpend));
    await b.gw.stop();
  });

  it('a PostgreSQL that stops answering holds neither the node nor its stop', async () => {
    let n = await startNode('node-frozen');
    for (let i = 0; i < 5; ++i) await send(n.gw, `frozen-before-${i}`);
    await waitForPgCount('node-frozen', 5);
    pg.signalAll('SIGSTOP');
    try {
      for (let i = 0; i < 10; ++i) await send(n.gw, `frozen-during-${i}`);
      // The shipper's statements and connects have deadlines (10 s, 5 s): SIGTERM is not held.
      const { code } = await n.gw.signalAndWait('SIGTERM', 30000);
      assert.equal(code, 0);
    } finally {
      pg.signalAll('SIGCONT');
    }
    n.gw = await startConfigGateway(n.toml, { dir: n.dir, env: env() });
    const rows = await waitForPgCount('node-frozen', 15, 30000);
    assert.deepEqual(rows.filter((id) => id.startsWith('frozen-during-')),
      [...Array(10).keys()].map((i) => `frozen-during-${i}`));
    assert.deepEqual(await duplicates(), []);
    await n.gw.stop();
  });
});
