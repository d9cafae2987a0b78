// [cluster] mode = "exact": two ringgate nodes and one real redis-server. Every request under a
// fleet-wide request limit waits (on its shard's eventfd, never blocking the shard) for Redis to
// grant it, so a key's rpm is exactly N across both nodes even with a slice that, in lease mode,
// would let one node hold most of the window; with Redis gone the policy applies.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startMock, startConfigGateway, stopAll, withDeadline } = require('./lib/processes');
const { postJson, request, sha256Hex, waitFor, CHAT } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const { RedisServer, redisInstalled } = require('./lib/redis_server');

const SKIP = redisInstalled() ? false : 'redis-server is not installed (tools/setup.sh installs it)';
const KEY = 'rgk-exact-alice-0123456789abcdef';
const RPM = 20;
const ADMIN = 'rgk-exact-admin-0123456789abcdef';
const ENV = { env: { RG_TEST_ADMIN_KEY: ADMIN } };

async function redisCommands(node) {
  const text = (await request(`${node.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text;
  return Number(/ringgate_cluster_redis_commands_total (\d+)/.exec(text)[1]);
}

function exactToml(mock, redis, node) {
  return gatewayToml({
    apiBase: mock.apiBase,
    keys: [{ id: 'alice', sha256: sha256Hex(KEY), limits: { rpm: RPM } }],
  }) + '\n[metrics]\nadmin_key = "env:RG_TEST_ADMIN_KEY"\n' + `\n[cluster]\nredis = "127.0.0.1:${redis.port}"\nnode_id = "${node}"\nmode = "exact"\n` +
    'slice = 1000\nnodes = 2\ntimeout_ms = 500\non_redis_down = "closed"\n';
}

function chat(node) {
  return postJson(node.url, '/v1/chat/completions', CHAT, { authorization: `Bearer ${KEY}` });
}

describe('exact mode: one Redis round trip per decision', { skip: SKIP }, () => {
  let mock, redis, a, b;
  before(async () => {
    mock = await startMock();
    redis = await RedisServer.start();
    a = await startConfigGateway(exactToml(mock, redis, 'node-a'), ENV);
    b = await startConfigGateway(exactToml(mock, redis, 'node-b'), ENV);
  });
  after(async () => {
    await stopAll();
    if (redis) await redis.kill();
  });

  it('a limit of N across two nodes admits exactly N, with a slice far above N', async (t) => {
    // Fixed UTC minutes: start early in one so the run ends in it.
    await waitFor(() => new Date().getUTCSeconds() < 40, { deadlineMs: 25000, what: 'an early second' });
    const minute = Math.floor(Date.now() / 60000);
    const counts = { 200: 0, 429: 0, other: [], perNode: [0, 0] };
    const commandsBefore = (await redisCommands(a)) + (await redisCommands(b));
    const worker = async (node, i) => {
      for (let n = 0; n < 60; n++) {
        const res = await chat(node);
        if (res.status === 200) {
          counts[200]++;
          counts.perNode[i]++;
        } else if (res.status === 429) {
          counts[429]++;
          if (Number(res.headers.get('retry-after')) > 2) return;  // the window is spent
        } else counts.other.push(res.status);
      }
    };
    await Promise.all([a, b].flatMap((node, i) => Array.from({ length: 6 }, () => worker(node, i))));
    const commands = (await redisCommands(a)) + (await redisCommands(b)) - commandsBefore;
    t.diagnostic(`${JSON.stringify(counts)}; Redis commands from both nodes meanwhile: ${commands}`);
    assert.deepEqual(counts.other, []);
    if (Math.floor(Date.now() / 60000) !== minute) return t.skip('the run crossed a minute boundary');
    assert.equal(counts[200], RPM, JSON.stringify(counts));
    assert.ok(counts.perNode[0] > 0 && counts.perNode[1] > 0, 'both nodes admitted some');
    const vals = redis.cli('HVALS', `rg:{key:alice:rpm}:${minute * 60}`).split('\n').map(Number);
    assert.equal(vals.reduce((x, y) => x + y, 0), RPM, `grants ${vals}`);
  });

  it('Redis gone under "closed": a waiting decision is a 503, not a hang', async () => {
    await redis.kill();
    const res = await waitFor(async () => {
      const r = await withDeadline(chat(a), 5000, 'an answer with Redis gone');
      assert.ok([429, 503].includes(r.status), `${r.status}`);
      return r.status === 503 ? r : null;
    }, { what: 'a 503 from the closed policy' });
    assert.match(res.json.error.message, /unavailable/);
    await redis.restart();
    assert.ok(a.running && b.running);
  });
});

after(stopAll);
