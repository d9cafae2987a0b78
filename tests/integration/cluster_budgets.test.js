// Fleet-wide budgets: two ringgate nodes and one real redis-server. A team's total budget,
// spent by its keys from both nodes at once, holds across the fleet (each node reserves from its
// lease of microdollars, settles the unspent part back), then both nodes answer 402; with Redis
// gone each node spends at most budget / nodes ("local") or is refused with 503 ("closed").
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startMock, startConfigGateway, stopAll, withDeadline } = require('./lib/processes');
const { postJson, request, sha256Hex, waitFor, CHAT } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const { RedisServer, redisInstalled } = require('./lib/redis_server');

const SKIP = redisInstalled() ? false : 'redis-server is not installed (tools/setup.sh installs it)';
const KEYS = { bob: 'rgk-budget-bob-0123456789abcdef01', carol: 'rgk-budget-carol-0123456789abcdef',
  erin: 'rgk-budget-erin-0123456789abcdef', dana: 'rgk-budget-dana-0123456789abcdef' }; // >= 32 chars
const BUDGET_MICROS = 1_000_000;  // the team's total_usd = 1
const RESERVE_MICROS = 100_000;   // max_tokens 100 at 1000 USD/Mtok out
const DANA_MICROS = 400_000;     // dana's own total_usd = 0.4
const SLICE_FRACTION = 0.2;       // a lease is 0.20 USD: two reservations
const BODY = { ...CHAT, model: 'pricey', max_tokens: 100 };

function budgetToml(mock, redis, node, policy) {
  return gatewayToml({
    apiBase: mock.apiBase,
    teams: [{ name: 'lab', budget: { total_usd: BUDGET_MICROS / 1e6 } }],
    keys: [
      { id: 'bob', sha256: sha256Hex(KEYS.bob), team: 'lab' },
      { id: 'carol', sha256: sha256Hex(KEYS.carol), team: 'lab' },
      { id: 'erin', sha256: sha256Hex(KEYS.erin), budget: { daily_usd: 1 } },
      { id: 'dana', sha256: sha256Hex(KEYS.dana), budget: { total_usd: DANA_MICROS / 1e6 } },
    ],
    models: [{ name: 'pricey', upstream: 'mock', price: { input_per_mtok: 0, output_per_mtok: 1000 } }],
  }) + `\n[cluster]\nredis = "127.0.0.1:${redis.port}"\nnode_id = "${node}"\n` +
    `slice_fraction = ${SLICE_FRACTION}\nnodes = 2\ntimeout_ms = 200\non_redis_down = "${policy}"\n`;
}

function chat(node, key) {
  return postJson(node.url, '/v1/chat/completions', BODY, { authorization: `Bearer ${key}` });
}

// Spend from `width` workers per node until each is refused with 402; 429 (a lease renewal in
// flight) is retried. Returns what the fleet was charged, from each answer's usage.
async function spendUntil402(pairs, { width = 4, cap = 2000 } = {}) {
  const counts = { 200: 0, 402: 0, 429: 0, other: [], sent: 0, spent: 0, perNode: {} };
  const worker = async ([node, key]) => {
    while (counts.sent < cap) {
      counts.sent++;
      const res = await chat(node, key);
      if (res.status === 200) {
        counts[200]++;
        counts.spent += res.json.usage.completion_tokens * 1000;  // 1000 USD/Mtok
        counts.perNode[node.url] = (counts.perNode[node.url] || 0) + 1;
      } else if (res.status === 429) counts[429]++;
      else if (res.status === 402) return void counts[402]++;
      else counts.other.push(res.status);
    }
  };
  await Promise.all(pairs.flatMap((p) => Array.from({ length: width }, () => worker(p))));
  return counts;
}

describe('fleet-wide budgets through Redis', { skip: SKIP }, () => {
  let mock, redis, a, b;
  before(async () => {
    mock = await startMock();
    redis = await RedisServer.start();
    a = await startConfigGateway(budgetToml(mock, redis, 'node-a', 'local'));
    b = await startConfigGateway(budgetToml(mock, redis, 'node-b', 'local'));
  });
  after(async () => {
    await stopAll();
    if (redis) await redis.kill();
  });

  it("a team's budget spent from both nodes at once holds fleet-wide, then both answer 402", async (t) => {
    const load = await spendUntil402([[a, KEYS.bob], [b, KEYS.carol]]);
    t.diagnostic(`budget ${BUDGET_MICROS}, 2 nodes: ${JSON.stringify(load)}`);
    assert.deepEqual(load.other, []);
    assert.equal(Object.keys(load.perNode).length, 2, 'both nodes served the team');
    // Reservations in flight held most of the budget when the workers were refused; settled, they
    // went back to the leases, and idle leases go back to Redis. Drain one request at a time until
    // both nodes have said 402 for longer than an idle return plus a recheck.
    let spent = load.spent;
    const last = new Map();
    let lastServedAt = Date.now();
    await waitFor(async () => {
      for (const [node, key] of [[a, KEYS.bob], [b, KEYS.carol]]) {
        const r = await chat(node, key);
        if (r.status === 200) {
          spent += r.json.usage.completion_tokens * 1000;
          lastServedAt = Date.now();
        }
        assert.ok([200, 402, 429].includes(r.status), `${r.status} ${r.text}`);
        last.set(node, r);
      }
      return [...last.values()].every((r) => r.status === 402) && Date.now() - lastServedAt > 3000;
    }, { what: 'a lasting 402 from both nodes', deadlineMs: 30000 });
    for (const res of last.values()) {
      assert.equal(res.json.error.type, 'insufficient_quota');
      assert.match(res.json.error.message, /team's total budget is 1\.000000 USD/);
    }
    t.diagnostic(`spent in all: ${spent}`);
    // The bound: grants never pass the budget and each answer cost no more than its
    // reservation, so the fleet's spend stays within the budget (overshoot 0 with Redis up).
    assert.ok(spent <= BUDGET_MICROS, `spent ${spent} of ${BUDGET_MICROS}`);
    // What can stay unspent once nothing is in flight: less than a reservation in each node's
    // lease and in Redis.
    assert.ok(spent >= BUDGET_MICROS - 3 * RESERVE_MICROS, `spent only ${spent}`);
    const hash = redis.cli('HGETALL', 'rg:{budget:team:lab:total}:0').split('\n');
    assert.ok(hash.includes('node-a') && hash.includes('node-b'), hash.join(' '));
    const netGrants = hash.filter((_, i) => i % 2 === 1).map(Number).reduce((x, y) => x + y, 0);
    assert.ok(netGrants <= BUDGET_MICROS && netGrants >= spent, `net grants ${netGrants}, spent ${spent}`);
  });

  it('a daily budget is kept in the UTC day\'s hash', async () => {
    const res = await waitFor(async () => {
      const r = await chat(a, KEYS.erin);
      return r.status === 200 ? r : null;
    }, { what: 'a first daily lease' });
    assert.equal(res.status, 200);
    const dayStart = Math.floor(Date.now() / 86_400_000) * 86_400;
    assert.match(redis.cli('HGETALL', `rg:{budget:key:erin:daily}:${dayStart}`), /node-a/);
  });

  it('redis killed, on_redis_down = "local": each node spends at most budget / nodes', async () => {
    await redis.kill();
    for (const node of [a, b]) {
      await waitFor(async () => (await request(`${node.url}/readyz`)).json.cluster?.limits === 'local',
        { what: `${node.url} on local limits` });
    }
    const spent = new Map();
    for (const node of [a, b]) {
      spent.set(node, 0);
      await waitFor(async () => {
        const r = await chat(node, KEYS.dana);
        assert.ok([200, 402].includes(r.status), `${r.status} ${r.text}`);
        if (r.status === 200) spent.set(node, spent.get(node) + r.json.usage.completion_tokens * 1000);
        // A 402 before the first 200 can precede the local share's install (one fleet tick).
        return r.status === 402 && spent.get(node) > 0;
      }, { what: `dana's local share spent on ${node.url}` });
    }
    for (const [node, micros] of spent) {
      assert.ok(micros > 0 && micros <= DANA_MICROS / 2, `${node.url} spent ${micros}`);
    }
  });
});

describe('fleet-wide budgets, on_redis_down = "closed"', { skip: SKIP }, () => {
  let mock, redis, a;
  before(async () => {
    mock = await startMock();
    redis = await RedisServer.start();
    a = await startConfigGateway(budgetToml(mock, redis, 'node-a', 'closed'));
  });
  after(async () => {
    await stopAll();
    if (redis) await redis.kill();
  });

  it('a budget with no lease left is a 503 while Redis is gone, and is served when it is back', async () => {
    await redis.kill();
    const res = await waitFor(async () => {
      const r = await withDeadline(chat(a, KEYS.erin), 5000, 'an answer with Redis gone');
      return r.status === 503 ? r : null;
    }, { what: 'a 503 from the closed policy' });
    assert.match(res.json.error.message, /fleet-wide limits and budgets are unavailable/);
    await redis.restart();
    await waitFor(async () => (await chat(a, KEYS.erin)).status === 200, { what: 'served again' });
    assert.ok(a.running);
  });
});

after(stopAll);
