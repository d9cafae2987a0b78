// Crash safety of the usage ledger. Under concurrent load (streamed and not, through the mock) a
// gateway with a ledger is killed with SIGKILL; every request that completed more than one flush
// interval before the kill has its row, and after a restart on the same ledger each key's budget
// holds exactly what its rows spent (a nearly spent key stays refused). After SIGTERM instead,
// every completed request has its row even though no flush interval ever passed.
'use strict';

const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const path = require('node:path');
const { startMock, startConfigGateway, stopAll, tempDir } = require('./lib/processes');
const { postJson, sha256Hex, waitFor } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const { readRows } = require('./lib/ledger_check');

const FLUSH_MS = 200;
// A row is appended by the accounting thread, which polls the shards' rings every 20 ms when
// idle, and a commit takes its own time (ledger.h): the bound allows both on top of the interval.
const GRACE_MS = 100;
const PRICE = { input_per_mtok: 2, output_per_mtok: 8 };  // 2 and 8 microdollars per token
const newKey = () => 'rg-' + crypto.randomBytes(32).toString('base64url');
const LOAD_KEY = newKey();
const NEARLY_KEY = newKey();

function config(mock, ledger, flushMs) {
  return gatewayToml({
    apiBase: mock.apiBase,
    models: [{ name: 'gpt-4o-mini', upstream: 'mock', price: PRICE }],
    keys: [
      { id: 'load', sha256: sha256Hex(LOAD_KEY), budget: { total_usd: 1 } },
      // About 0.0001 USD a request: a handful spends it.
      { id: 'nearly', sha256: sha256Hex(NEARLY_KEY), budget: { total_usd: 0.001 } },
    ],
    ledger: { path: ledger, flush_interval_ms: flushMs },
  });
}

const chat = (i, stream) => ({
  model: 'gpt-4o-mini',
  max_tokens: 10,
  messages: [{ role: 'user', content: `crash test ${i}` }],
  ...(stream ? { stream: true, ...(i % 4 === 1 ? { stream_options: { include_usage: true } } : {}) } : {}),
});

function headers(key, id, extra = {}) {
  return { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'x-request-id': id,
    'x-mock-tokens': '5', ...extra };
}

// A bounded closed loop of `concurrency` workers, odd requests streamed (paced a little, so some
// are mid-stream at any moment). `stopWhen(done)` is asked after each completion; once it says
// so, `onStop()` runs (the kill) while the other workers are still in flight, and no worker
// starts another request. Resolves to the completed requests: { id, at (ms), stream }.
async function loadUntil(gw, { prefix, max, concurrency, stopWhen, onStop }) {
  const done = [];
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped && next < max) {
      const i = next++;
      const stream = i % 2 === 1;
      const id = `${prefix}-${i}`;
      try {
        const res = await postJson(gw.url, '/v1/chat/completions', chat(i, stream),
          headers(LOAD_KEY, id, stream ? { 'x-mock-interval-ms': '2' } : {}));
        // Complete: a 200 whose whole body arrived (a stream up to its [DONE]).
        if (res.status === 200 && (!stream || res.text.includes('data: [DONE]'))) {
          done.push({ id, at: Date.now(), stream });
        }
      } catch {
        // Cut off by the kill: neither completed nor owed a row.
      }
      if (!stopped && stopWhen(done)) {
        stopped = true;
        await onStop();
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (!stopped) {
    stopped = true;
    await onStop();
  }
  return done;
}

// Spends the nearly key's budget request by request (not streamed: the client sees the usage)
// until the gateway refuses it with 402 with nothing reserved: a 402 while an answered request's
// reservation is still held (the accounting thread settles it a moment later) does not count.
// Returns the spent microdollars the client counted, which the 402 states too.
async function spendNearly(gw, prefix) {
  let spent = 0;
  for (let i = 0; i < 100; ++i) {
    const res = await postJson(gw.url, '/v1/chat/completions', chat(i, false), headers(NEARLY_KEY, `${prefix}-${i}`));
    if (res.status === 402) {
      const b = budgetOf(res);
      if (b.reserved === 0) {
        assert.equal(b.spent, spent);
        return spent;
      }
      await waitFor(async () => {
        const again = await postJson(gw.url, '/v1/chat/completions', chat(i, false), headers(NEARLY_KEY, `${prefix}-${i}-wait`));
        return again.status !== 402 || budgetOf(again).reserved === 0 ? again : null;
      }, { what: "the nearly key's reservations settled" }).then((again) => {
        if (again.status === 200) spent += costOfUsage(again.json.usage);
      });
      continue;
    }
    assert.equal(res.status, 200, res.text);
    spent += costOfUsage(res.json.usage);
  }
  throw new Error('the nearly key was never refused');
}

const costOfUsage = (u) => u.prompt_tokens * 2 + u.completion_tokens * 8;

// The spent and reserved amounts a 402 states, in microdollars ("spent 0.000784 USD, reserved
// by requests in flight 0.000000 USD").
function budgetOf(res) {
  assert.equal(res.status, 402, res.text);
  const micros = (name) => {
    const m = new RegExp(`${name} (\\d+)\\.(\\d{6}) USD`).exec(res.json.error.message);
    assert.ok(m, res.json.error.message);
    return Number(m[1]) * 1e6 + Number(m[2]);
  };
  return { spent: micros('spent'), reserved: micros('in flight') };
}

const costOf = (rows, key) => rows.filter((r) => r.key === key).reduce((s, r) => s + r.cost_micros, 0);

describe('ledger crash safety', () => {
  after(stopAll);

  // seed-defect: 003-1
  it('after SIGKILL under load, rows older than a flush interval survive and budgets are restored from them', async (t) => {
    const mock = await startMock();
    const dir = tempDir();
    const ledger = path.join(dir, 'ledger.db');
    const toml = config(mock, ledger, FLUSH_MS);
    let gw = await startConfigGateway(toml, { dir });

    const nearlySpent = await spendNearly(gw, 'nearly-before');
    assert.ok(nearlySpent > 0 && nearlySpent <= 1000, `${nearlySpent}`);

    const started = Date.now();
    let killedAt = 0;
    const done = await loadUntil(gw, {
      prefix: 'kill9',
      max: 4000,
      concurrency: 8,
      // Long enough that several flush intervals' rows must be on disk.
      stopWhen: (d) => d.length >= 200 && Date.now() - started >= 8 * FLUSH_MS,
      onStop: async () => {
        killedAt = Date.now();
        const { signal } = await gw.signalAndWait('SIGKILL', 5000);
        assert.equal(signal, 'SIGKILL');
      },
    });

    gw = await startConfigGateway(toml, { dir });
    const rows = await readRows(ledger, '1h');
    const ids = new Set(rows.map((r) => r.request_id));
    const owed = done.filter((d) => d.at < killedAt - FLUSH_MS - GRACE_MS);
    assert.ok(owed.length >= 100 && owed.some((d) => d.stream) && owed.some((d) => !d.stream),
      `${owed.length} of ${done.length} completed requests are owed a row`);
    const missing = owed.filter((d) => !ids.has(d.id));
    const kill9Rows = rows.filter((x) => x.request_id.startsWith('kill9-'));
    t.diagnostic(`killed ${killedAt - started} ms into the load: ${done.length} completed, ${owed.length} ` +
                 `owed a row, ${kill9Rows.length} rows on disk`);
    assert.deepEqual(missing, [], `${missing.length} of ${owed.length} rows lost (killed ${killedAt - started} ms in)`);
    for (const r of kill9Rows) {
      assert.equal(r.status, 200, JSON.stringify(r));
      assert.equal(r.usage_source, 'reported', JSON.stringify(r));
      assert.equal(r.output_tokens, 5, JSON.stringify(r));
      assert.equal(r.cost_micros, r.input_tokens * 2 + r.output_tokens * 8, JSON.stringify(r));
    }

    // The nearly key stays refused: its restored spend leaves less than a request's reservation
    // (without the restore it would have its whole budget again).
    const refused = await postJson(gw.url, '/v1/chat/completions', chat(0, false), headers(NEARLY_KEY, 'nearly-after'));
    assert.deepEqual(budgetOf(refused), { spent: nearlySpent, reserved: 0 });
    assert.equal(costOf(rows, 'nearly'), nearlySpent);
    // The load key's spend is exactly its rows': a request reserving more than its budget (1 USD)
    // can hold is refused with the spent amount.
    const probe = await postJson(gw.url, '/v1/chat/completions', { ...chat(0, false), max_tokens: 200000 },
      headers(LOAD_KEY, 'load-probe'));
    assert.equal(budgetOf(probe).spent, costOf(rows, 'load'));
    assert.ok(costOf(rows, 'load') >= owed.length * 5 * 8);
    await gw.stop();
    await mock.stop();
  });

  // seed-defect: 000-M3
  it('after SIGTERM under load, every completed request has its row, with no flush interval passed', async (t) => {
    const mock = await startMock();
    const dir = tempDir();
    const ledger = path.join(dir, 'ledger.db');
    // The longest interval there is: only the drain's close() commits within this test.
    const gw = await startConfigGateway(config(mock, ledger, 60000), { dir });
    const done = await loadUntil(gw, {
      prefix: 'term',
      max: 2000,
      concurrency: 8,
      stopWhen: (d) => d.length >= 150,
      onStop: async () => {
        const { code } = await gw.signalAndWait('SIGTERM', 30000);
        assert.equal(code, 0, gw.stderr);
      },
    });
    const rows = await readRows(ledger, '1h');
    const ids = new Set(rows.map((r) => r.request_id));
    const missing = done.filter((d) => !ids.has(d.id));
    assert.ok(done.length >= 150);
    t.diagnostic(`${done.length} completed before and during the drain, ${rows.length} rows`);
    assert.deepEqual(missing, [], `${missing.length} of ${done.length} completed requests have no row`);
    assert.match(gw.stderr, /ledger: \d+ rows written, 0 dropped/);
    await mock.stop();
  });
});
