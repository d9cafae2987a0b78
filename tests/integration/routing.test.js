// Routing across deployments and fallbacks (README "Routing"): both official SDKs against a model
// whose first deployment fails (connection refused, 500, 429 with retry-after, a stalled head),
// streaming and not, served by the next deployment or by a fallback in the other API format; a
// 400 is never retried; a dead deployment's breaker opens (after its configured failures) and
// routing skips it; with every breaker open the answer is a 503 with Retry-After; with every
// deployment at max_concurrent a request waits for a slot, bounded, then gets that 503.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const OpenAI = require('openai');
const Anthropic = require('@anthropic-ai/sdk');
const { startMock, startConfigGateway, freePort, tempDir, stopAll } = require('./lib/processes');
const { mockStats, postJson, waitFor } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const { startScriptedUpstream, chatResponse } = require('./lib/scripted_upstream');

const USER = [{ role: 'user', content: 'hello there' }];
const scripted = [];

let mock;
before(async () => {
  mock = await startMock(['--tokens', '5']);
});
after(async () => {
  await stopAll();
  for (const s of scripted) await s.stop();
});

async function scriptedUpstream(script) {
  const s = await startScriptedUpstream(script);
  scripted.push(s);
  return s;
}

// An upstream answering every request with `status` and a small JSON error body.
function answering(status, extraHeaders = '') {
  return scriptedUpstream(async (ctx) => {
    const body = JSON.stringify({ error: { message: `scripted ${status}`, type: 'server_error' } });
    await ctx.write(`HTTP/1.1 ${status} Scripted\r\nContent-Type: application/json\r\n${extraHeaders}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
}

// Reads the request and never answers (the head stalls).
function stalling() {
  return scriptedUpstream(async () => {});
}

// A gateway whose model "openai/gpt-4o" tries `bad` first (weight 1000 against 1), then the mock;
// "anthropic/claude" is the mock in Anthropic format.
async function gatewayWithFirst(badUrl, { badFormat = 'openai', badTimeout, badBreaker, log } = {}) {
  const toml = gatewayToml({
    apiBase: mock.apiBase,
    log,
    extraUpstreams: [
      { name: 'bad', url: badUrl, format: badFormat },
      { name: 'mock-anthropic', url: mock.apiBase, format: 'anthropic' },
    ],
    deployments: [
      { name: 'first', upstream: 'bad', model: 'gpt-4o', weight: 1000, timeout: badTimeout, breaker: badBreaker },
      { name: 'second', upstream: 'mock', model: 'gpt-4o' },
      { name: 'claude-dep', upstream: 'mock-anthropic', model: 'claude-sonnet-4-5' },
    ],
    models: [
      { name: 'openai/gpt-4o', deployments: ['first', 'second'] },
      { name: 'anthropic/claude', deployments: ['claude-dep'] },
    ],
  });
  return startConfigGateway(toml);
}

function openai(gw) {
  return new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'sk-routing', maxRetries: 0, timeout: 20000 });
}
function anthropic(gw) {
  return new Anthropic({ baseURL: gw.url, apiKey: 'sk-routing', maxRetries: 0, timeout: 20000 });
}

// Each SDK, streaming and not: the answer is whole and names the deployment that served it.
async function assertServedBySecond(gw, model = 'openai/gpt-4o') {
  const oa = openai(gw);
  const { data, response } = await oa.chat.completions
    .create({ model, max_tokens: 32, messages: USER }).withResponse();
  assert.equal(data.choices[0].message.content.trim().split(/\s+/).length, 5);
  assert.equal(response.headers.get('x-ringgate-deployment'), 'second');
  assert.equal(response.headers.get('x-ringgate-model'), 'openai/gpt-4o');
  assert.equal(response.headers.get('x-ringgate-attempts'), '2');

  const stream = await oa.chat.completions
    .create({ model, max_tokens: 32, messages: USER, stream: true }).withResponse();
  let text = '';
  for await (const chunk of stream.data) text += chunk.choices[0]?.delta?.content ?? '';
  assert.equal(text.trim().split(/\s+/).length, 5);
  assert.equal(stream.response.headers.get('x-ringgate-deployment'), 'second');

  const an = anthropic(gw);
  const msg = await an.messages.create({ model, max_tokens: 32, messages: USER }).withResponse();
  assert.equal(msg.data.content[0].text.trim().split(/\s+/).length, 5);
  assert.equal(msg.response.headers.get('x-ringgate-deployment'), 'second');

  const ms = an.messages.stream({ model, max_tokens: 32, messages: USER });
  const final = await ms.finalMessage();
  assert.equal(final.content[0].text.trim().split(/\s+/).length, 5);
}

describe('routing: the first deployment fails, the next one serves', () => {
  it('connection refused', async () => {
    const gw = await gatewayWithFirst(`http://127.0.0.1:${await freePort()}/v1`);
    await assertServedBySecond(gw);
  });

  it('500 from the first deployment', async () => {
    const bad = await answering(500);
    const gw = await gatewayWithFirst(bad.apiBase);
    await assertServedBySecond(gw);
    assert.equal(bad.requests.length, 4);  // each request tried it once, then moved on
  });

  it('429 with retry-after: the next deployment serves at once', async () => {
    const bad = await answering(429, 'Retry-After: 30\r\n');
    const gw = await gatewayWithFirst(bad.apiBase);
    const started = Date.now();
    await assertServedBySecond(gw);
    // The deployment's one key cools down for 30 s: the later requests do not try it at all.
    assert.equal(bad.requests.length, 1);
    assert.ok(Date.now() - started < 15000);
  });

  it('stalled head: the ttfb timeout moves on', async () => {
    const bad = await stalling();
    const dir = tempDir();
    const logFile = path.join(dir, 'access.log');
    const gw = await gatewayWithFirst(bad.apiBase, { badTimeout: { ttfb_ms: 300 }, log: { access: logFile } });
    await assertServedBySecond(gw);
    // The unanswered attempt is recorded as possibly billed; requested and served model kept.
    const line = await waitFor(() => {
      const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
      return text.split('\n').find((l) => l.includes('"possibly_billed":1'));
    }, { what: 'an access log line with possibly_billed' });
    const rec = JSON.parse(line);
    assert.equal(rec.model, 'openai/gpt-4o');
    assert.equal(rec.deployment, 'second');
    assert.equal(rec.attempts, 2);
  });
});

describe('routing: fallbacks across formats', () => {
  // seed-defect: 002-6
  it('OpenAI client, OpenAI-format deployment fails: the Anthropic-format fallback serves, translated', async () => {
    const bad = await answering(503);
    const dir = tempDir();
    const logFile = path.join(dir, 'access.log');
    const toml = gatewayToml({
      apiBase: mock.apiBase,
      log: { access: logFile },
      extraUpstreams: [
        { name: 'bad', url: bad.apiBase, format: 'openai' },
        { name: 'mock-anthropic', url: mock.apiBase, format: 'anthropic' },
      ],
      deployments: [
        { name: 'oai-dead', upstream: 'bad', model: 'gpt-4o' },
        { name: 'claude-dep', upstream: 'mock-anthropic', model: 'claude-sonnet-4-5' },
      ],
      models: [
        { name: 'openai/gpt-4o', deployments: ['oai-dead'], fallbacks: ['anthropic/claude'] },
        { name: 'anthropic/claude', deployments: ['claude-dep'] },
      ],
    });
    const gw = await startConfigGateway(toml);
    const before = (await mockStats(mock)).requests;
    const oa = openai(gw);
    const { data, response } = await oa.chat.completions
      .create({ model: 'openai/gpt-4o', max_tokens: 32, messages: USER }).withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.equal(data.choices[0].message.content.trim().split(/\s+/).length, 5);
    assert.equal(response.headers.get('x-ringgate-model'), 'anthropic/claude');
    assert.equal(response.headers.get('x-ringgate-deployment'), 'claude-dep');
    const stream = await oa.chat.completions
      .create({ model: 'openai/gpt-4o', max_tokens: 32, messages: USER, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    assert.equal(text.trim().split(/\s+/).length, 5);
    assert.equal((await mockStats(mock)).requests - before, 2);
    assert.equal(bad.requests.length, 2);
    assert.ok(bad.requests.every((r) => r.path === '/v1/chat/completions'));
    const line = await waitFor(() => {
      const t = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
      return t.split('\n').find((l) => l.includes('"deployment":"claude-dep"'));
    }, { what: 'the access log line' });
    const rec = JSON.parse(line);
    assert.equal(rec.model, 'openai/gpt-4o');             // what the client asked for
    assert.equal(rec.served_model, 'claude-sonnet-4-5');  // what served it
  });

  it('Anthropic client, Anthropic-format deployment fails: the OpenAI-format fallback serves, translated', async () => {
    const bad = await answering(500);
    const toml = gatewayToml({
      apiBase: mock.apiBase,
      extraUpstreams: [{ name: 'bad', url: bad.apiBase, format: 'anthropic' }],
      deployments: [
        { name: 'claude-dead', upstream: 'bad', model: 'claude-sonnet-4-5' },
        { name: 'oai', upstream: 'mock', model: 'gpt-4o' },
      ],
      models: [
        { name: 'anthropic/claude', deployments: ['claude-dead'], fallbacks: ['openai/gpt-4o'] },
        { name: 'openai/gpt-4o', deployments: ['oai'] },
      ],
    });
    const gw = await startConfigGateway(toml);
    const an = anthropic(gw);
    const msg = await an.messages.create({ model: 'anthropic/claude', max_tokens: 32, messages: USER }).withResponse();
    assert.equal(msg.data.type, 'message');
    assert.equal(msg.data.content[0].text.trim().split(/\s+/).length, 5);
    assert.equal(msg.response.headers.get('x-ringgate-model'), 'openai/gpt-4o');
    assert.equal(msg.response.headers.get('x-ringgate-deployment'), 'oai');
    const events = [];
    const ms = an.messages.stream({ model: 'anthropic/claude', max_tokens: 32, messages: USER });
    ms.on('streamEvent', (e) => events.push(e.type));
    const final = await ms.finalMessage();
    assert.equal(final.content[0].text.trim().split(/\s+/).length, 5);
    assert.equal(events[0], 'message_start');
    assert.equal(events.at(-1), 'message_stop');
    assert.ok(bad.requests.every((r) => r.path === '/v1/messages'));
  });
});

describe('routing: what is not retried, and breakers', () => {
  // seed-defect: 002-3
  it('a 400 from the first deployment goes to the client; the next deployment is not tried', async () => {
    const bad = await answering(400);
    const gw = await gatewayWithFirst(bad.apiBase);
    const before = (await mockStats(mock)).requests;
    const res = await postJson(gw.url, '/v1/chat/completions', { model: 'openai/gpt-4o', messages: USER });
    assert.equal(res.status, 400);
    assert.equal(res.json.error.message, 'scripted 400');
    assert.equal(res.headers.get('x-ringgate-deployment'), 'first');
    assert.equal(res.headers.get('x-ringgate-attempts'), '1');
    assert.equal(bad.requests.length, 1);
    assert.equal((await mockStats(mock)).requests, before);
  });

  it('after 5 failures in a row the dead deployment is skipped', async () => {
    const bad = await answering(500);
    const gw = await gatewayWithFirst(bad.apiBase);
    const attempts = [];
    for (let i = 0; i < 12; i++) {
      const res = await postJson(gw.url, '/v1/chat/completions', { model: 'openai/gpt-4o', messages: USER });
      assert.equal(res.status, 200);
      attempts.push(res.headers.get('x-ringgate-attempts'));
    }
    assert.equal(bad.requests.length, 5);  // the breaker's consecutive-failure threshold
    assert.deepEqual(attempts, [...Array(5).fill('2'), ...Array(7).fill('1')]);
  });

  it('breaker = { consecutive_failures = 2 } opens after 2 failures in a row', async () => {
    const bad = await answering(500);
    const gw = await gatewayWithFirst(bad.apiBase, { badBreaker: { consecutive_failures: 2 } });
    const attempts = [];
    for (let i = 0; i < 6; i++) {
      const res = await postJson(gw.url, '/v1/chat/completions', { model: 'openai/gpt-4o', messages: USER });
      assert.equal(res.status, 200);
      attempts.push(res.headers.get('x-ringgate-attempts'));
    }
    assert.equal(bad.requests.length, 2);
    assert.deepEqual(attempts, ['2', '2', '1', '1', '1', '1']);
  });

  it('every deployment open: 503 with Retry-After in the client\'s shape', async () => {
    const a = await answering(500);
    const b = await answering(502);
    const toml = gatewayToml({
      apiBase: mock.apiBase,
      extraUpstreams: [{ name: 'a', url: a.apiBase }, { name: 'b', url: b.apiBase }],
      deployments: [
        { name: 'da', upstream: 'a', model: 'x' },
        { name: 'db', upstream: 'b', model: 'x' },
      ],
      models: [{ name: 'pair', deployments: ['da', 'db'] }],
    });
    const gw = await startConfigGateway(toml);
    for (let i = 0; i < 5; i++) {
      const res = await postJson(gw.url, '/v1/chat/completions', { model: 'pair', messages: USER });
      // Equal weights take turns at going first; the last one tried answers, relayed as it is.
      assert.ok(res.status === 500 || res.status === 502, String(res.status));
      assert.equal(res.headers.get('x-ringgate-attempts'), '2');
    }
    assert.equal(a.requests.length, 5);
    assert.equal(b.requests.length, 5);
    const res = await postJson(gw.url, '/v1/chat/completions', { model: 'pair', messages: USER });
    assert.equal(res.status, 503);
    assert.match(res.headers.get('retry-after'), /^[1-9]\d*$/);
    assert.equal(res.json.error.code, 'upstream_unavailable');
    assert.equal(res.headers.get('x-ringgate-attempts'), '0');
    const an = await postJson(gw.url, '/v1/messages', { model: 'pair', max_tokens: 8, messages: USER },
      { 'anthropic-version': '2023-06-01' });
    assert.equal(an.status, 503);
    assert.equal(an.json.type, 'error');
    assert.equal(a.requests.length, 5);
  });
});

describe('routing: key pools and on_timeout', () => {
  it('a 401 takes the key out of the pool: the log names its index, never the key; the next key serves', async () => {
    const seen = [];
    const up = await scriptedUpstream(async (ctx) => {
      const auth = ctx.req.headers.authorization;
      seen.push(auth);
      if (auth === 'Bearer sk-pool-revoked-1111') {
        const body = JSON.stringify({ error: { message: 'bad key', type: 'invalid_request_error' } });
        await ctx.write(`HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        return;
      }
      const body = JSON.stringify({ id: 'c', object: 'chat.completion', created: 0, model: 'x',
        choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] });
      await ctx.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    });
    const toml = gatewayToml({
      apiBase: mock.apiBase,
      extraUpstreams: [{ name: 'pool', url: up.apiBase }],
      deployments: [{ name: 'pooled', upstream: 'pool', model: 'x',
        keys: ['env:RG_ROUTING_KEY_A', 'env:RG_ROUTING_KEY_B'] }],
      models: [{ name: 'm', deployments: ['pooled'] }],
    });
    const gw = await startConfigGateway(toml, {
      env: { RG_ROUTING_KEY_A: 'sk-pool-revoked-1111', RG_ROUTING_KEY_B: 'sk-pool-good-2222' },
    });
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const res = await postJson(gw.url, '/v1/chat/completions', { model: 'm', messages: USER });
      statuses.push(res.status);
      assert.ok(!res.text.includes('sk-pool-'));
    }
    // Round robin starts at the first key: its 401 goes to the client (never retried, 002-3);
    // from then on only the second key is used.
    assert.deepEqual(statuses, [401, 200, 200, 200]);
    assert.deepEqual(seen, ['Bearer sk-pool-revoked-1111', ...Array(3).fill('Bearer sk-pool-good-2222')]);
    await waitFor(() => gw.stderr.includes('deployment pooled: provider key 0 refused (HTTP 401)'),
      { what: 'the key-removal log line' });
    assert.ok(!gw.stderr.includes('sk-pool-'));
  });

  it('on_timeout = "fail": a written request that got no answer is not sent anywhere else', async () => {
    const bad = await stalling();
    const toml = gatewayToml({
      apiBase: mock.apiBase,
      extraUpstreams: [{ name: 'bad', url: bad.apiBase }],
      deployments: [
        { name: 'first', upstream: 'bad', model: 'gpt-4o', weight: 1000, timeout: { ttfb_ms: 300 } },
        { name: 'second', upstream: 'mock', model: 'gpt-4o' },
      ],
      models: [{ name: 'strict', deployments: ['first', 'second'], on_timeout: 'fail' }],
    });
    const gw = await startConfigGateway(toml);
    const before = (await mockStats(mock)).requests;
    const res = await postJson(gw.url, '/v1/chat/completions', { model: 'strict', messages: USER });
    assert.equal(res.status, 504);
    assert.equal(res.headers.get('x-ringgate-deployment'), 'first');
    assert.equal(res.headers.get('x-ringgate-attempts'), '1');
    assert.equal(bad.requests.length, 1);
    assert.equal((await mockStats(mock)).requests, before);
  });
});

describe('routing: a later attempt and the shared parser', () => {
  it('a fallback translated after another request was parsed meanwhile carries its own request', async () => {
    let release;
    const released = new Promise((r) => { release = r; });
    const bad = await scriptedUpstream(async (ctx) => {
      await released;
      ctx.destroy();  // written whole, never answered: on_timeout "next" moves on
    });
    const bodies = [];
    const claude = await scriptedUpstream(async (ctx) => {
      bodies.push(JSON.parse(ctx.req.body));
      const body = JSON.stringify({ id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x',
        content: [{ type: 'text', text: 'fine' }], stop_reason: 'end_turn', stop_sequence: null,
        usage: { input_tokens: 3, output_tokens: 1 } });
      await ctx.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    });
    const toml = gatewayToml({
      apiBase: mock.apiBase,
      extraUpstreams: [
        { name: 'bad', url: bad.apiBase },
        { name: 'claude-up', url: claude.apiBase, format: 'anthropic' },
      ],
      deployments: [
        { name: 'dead', upstream: 'bad', model: 'gpt-4o' },
        { name: 'claude-dep', upstream: 'claude-up', model: 'claude-x' },
        { name: 'other', upstream: 'mock', model: 'gpt-4o' },
      ],
      models: [
        { name: 'a', deployments: ['dead'], fallbacks: ['b'] },
        { name: 'b', deployments: ['claude-dep'] },
        { name: 'c', deployments: ['other'] },
      ],
    });
    const gw = await startConfigGateway(toml);
    const first = postJson(gw.url, '/v1/chat/completions',
      { model: 'a', max_tokens: 20, messages: [{ role: 'user', content: 'FIRST-REQUEST' }] });
    await waitFor(() => bad.requests.length === 1, { what: 'the first attempt at the dead deployment' });
    // Same shard: this request's body goes through the shard's one JSON parser meanwhile.
    const noise = Array.from({ length: 40 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `SECOND-${i}` }));
    const second = await postJson(gw.url, '/v1/chat/completions', { model: 'c', max_tokens: 7, messages: noise });
    assert.equal(second.status, 200);
    release();
    const res = await first;
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-ringgate-deployment'), 'claude-dep');
    assert.equal(bodies.length, 1);
    assert.equal(bodies[0].model, 'claude-x');
    assert.equal(bodies[0].max_tokens, 20);
    assert.deepEqual(bodies[0].messages, [{ role: 'user', content: [{ type: 'text', text: 'FIRST-REQUEST' }] }]);
  });
});

describe('routing: every deployment at max_concurrent', () => {
  // A deployment with max_concurrent = 1 on an upstream that holds each answer until released;
  // model "held" is it, model "quick" is the mock (used as a same-shard ordering barrier).
  async function heldGateway(upstreamExtra = {}) {
    const releases = [];
    const held = await scriptedUpstream(async (ctx) => {
      await new Promise((r) => releases.push(r));
      await ctx.write(chatResponse('held answer'));
    });
    const toml = gatewayToml({
      apiBase: mock.apiBase,
      extraUpstreams: [{ name: 'held-up', url: held.apiBase, ...upstreamExtra }],
      deployments: [
        { name: 'held-dep', upstream: 'held-up', model: 'gpt-4o', max_concurrent: 1 },
        { name: 'quick-dep', upstream: 'mock', model: 'gpt-4o' },
      ],
      models: [
        { name: 'held', deployments: ['held-dep'] },
        { name: 'quick', deployments: ['quick-dep'] },
      ],
    });
    const gw = await startConfigGateway(toml);
    return { gw, held, releaseAll: () => { while (releases.length) releases.shift()(); } };
  }

  const ask = (gw, model) => postJson(gw.url, '/v1/chat/completions', { model, messages: USER });

  it('a second request waits for the slot and is served when the first finishes', async () => {
    const { gw, held, releaseAll } = await heldGateway();
    const first = ask(gw, 'held');
    await waitFor(() => held.requests.length === 1, { what: 'the first request at the held upstream' });
    let secondDone = false;
    const second = ask(gw, 'held').finally(() => { secondDone = true; });
    // One shard: a request sent after the second and answered means the second was read too;
    // before waiting existed it had its 503 by then.
    assert.equal((await ask(gw, 'quick')).status, 200);
    assert.equal(secondDone, false);
    assert.equal(held.requests.length, 1);
    releaseAll();
    assert.equal((await first).status, 200);
    await waitFor(() => { releaseAll(); return held.requests.length === 2; },
      { what: 'the second request at the held upstream' });
    releaseAll();
    const res = await second;
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.choices[0].message.content, 'held answer');
    assert.equal(res.headers.get('x-ringgate-deployment'), 'held-dep');
  });

  it('with a short wait bound the second request gets 503 with Retry-After', async () => {
    const { gw, held, releaseAll } = await heldGateway({ queue_timeout_ms: 100 });
    const first = ask(gw, 'held');
    await waitFor(() => held.requests.length === 1, { what: 'the first request at the held upstream' });
    const started = Date.now();
    const res = await ask(gw, 'held');
    assert.equal(res.status, 503);
    assert.ok(Date.now() - started >= 90, 'answered before the wait bound');
    assert.match(res.headers.get('retry-after'), /^[1-9]\d*$/);
    assert.equal(res.json.error.code, 'upstream_unavailable');
    assert.equal(res.headers.get('x-ringgate-attempts'), '0');
    assert.equal(held.requests.length, 1);
    releaseAll();
    assert.equal((await first).status, 200);
  });
});
