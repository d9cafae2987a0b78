// SSE heartbeats (seed-defect: 004-P3): an upstream stream that goes silent mid-stream gets its
// client an SSE comment (": ping") every [timeouts] sse_heartbeat_ms, between whole events only,
// so proxies in between keep the connection. The mock pauses after a few events (inside an event,
// after half of its bytes); the official openai and Anthropic SDK streams, relayed and translated,
// and a raw reader must see the comments, ignore them and get the whole text. A heartbeat is the
// client's: it never restarts the upstream's stream_idle_ms. Every wait has a deadline.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const OpenAI = require('openai');
const Anthropic = require('@anthropic-ai/sdk');
const { startMock, startConfigGateway, stopAll, withDeadline } = require('./lib/processes');
const { postJson } = require('./lib/http');
const { gatewayToml } = require('./lib/config');

const HEARTBEAT_MS = 200;
const PAUSE_MS = 1000;
const TEST_TIMEOUT_MS = 20000;
const STREAM_DEADLINE_MS = 15000;
const PING = ': ping';
const PAUSE = { 'x-mock-pause-after-events': '3', 'x-mock-pause-ms': String(PAUSE_MS), 'x-mock-pause-mid-event': '1' };

const GPT = 'gpt-4o-mini';                      // OpenAI-format upstream
const CLAUDE = 'claude-3-5-haiku-20241022';     // Anthropic-format upstream (the same mock)

let mock;
let gw;

function toml(timeouts) {
  return gatewayToml({
    apiBase: mock.apiBase,
    timeouts,
    extraUpstreams: [{ name: 'claude', url: mock.apiBase, format: 'anthropic' }],
    models: [{ name: GPT, upstream: 'mock' }, { name: CLAUDE, upstream: 'claude' }],
  });
}

// A fetch for the SDKs that keeps a copy of every response body as it came over the wire.
function teeFetch() {
  const bodies = [];
  const f = async (url, init) => {
    const res = await fetch(url, init);
    bodies.push(res.clone().text());
    return res;
  };
  return { fetch: f, raw: async () => (await Promise.all(bodies)).join('') };
}

// The blocks of an SSE body between blank lines. Each must be a heartbeat comment or a whole
// event (its data JSON or [DONE]): a comment inside a partly relayed event would break one.
function checkBlocks(text) {
  const blocks = text.split('\n\n');
  assert.equal(blocks.pop(), '', 'the body ends on an event boundary');
  let pings = 0;
  for (const b of blocks) {
    if (b === PING) {
      ++pings;
      continue;
    }
    assert.ok(!b.split('\n').some((l) => l.startsWith(PING)), `a heartbeat inside an event: ${JSON.stringify(b)}`);
    const data = b.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
    assert.ok(data, `an event without data: ${JSON.stringify(b)}`);
    if (data !== '[DONE]') JSON.parse(data);
  }
  return pings;
}

// The body of a raw streaming POST, as text, with when it ended.
function rawStream(path, body, headers) {
  const text = JSON.stringify(body);
  return withDeadline(new Promise((resolve, reject) => {
    const req = http.request(`${gw.url}${path}`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers },
    }, (res) => {
      let out = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { out += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: out }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(text);
  }), STREAM_DEADLINE_MS, `raw stream ${path}`);
}

async function directText(path, body, headers = {}) {
  const res = await postJson(mock.url, path, { ...body, stream: false }, headers);
  assert.equal(res.status, 200, res.text);
  return path === '/v1/messages' ? res.json.content.map((b) => b.text).join('') : res.json.choices[0].message.content;
}

before(async () => {
  mock = await startMock();
  gw = await startConfigGateway(toml({ sse_heartbeat_ms: HEARTBEAT_MS, stream_idle_ms: 5000 }));
});

after(async () => {
  await stopAll();
});

describe('heartbeats while the upstream is silent', { timeout: 120000 }, () => {
  const chat = (model) => ({ model, messages: [{ role: 'user', content: 'hello there' }], max_tokens: 64 });
  const messages = (model) => ({ model, max_tokens: 64, messages: [{ role: 'user', content: 'hello there' }] });

  for (const [label, model, upstreamPath] of [['relayed', GPT, '/v1/chat/completions'],
    ['translated from Anthropic', CLAUDE, '/v1/messages']]) {
    it(`openai SDK stream, ${label}: sees the comments, ignores them, gets the whole text`, { timeout: TEST_TIMEOUT_MS }, async () => {
      const tee = teeFetch();
      const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', timeout: STREAM_DEADLINE_MS, fetch: tee.fetch });
      const text = await withDeadline((async () => {
        const stream = await client.chat.completions.create({ ...chat(model), stream: true }, { headers: PAUSE });
        let t = '';
        for await (const chunk of stream) t += chunk.choices[0]?.delta?.content ?? '';
        return t;
      })(), STREAM_DEADLINE_MS, 'the openai stream');
      const want = upstreamPath === '/v1/messages'
        ? await directText(upstreamPath, messages(model), { 'anthropic-version': '2023-06-01' })
        : await directText(upstreamPath, chat(model));
      assert.equal(text, want);
      const pings = checkBlocks(await tee.raw());
      assert.ok(pings >= 2, `${pings} heartbeats in a ${PAUSE_MS} ms pause`);
    });
  }

  for (const [label, model] of [['translated from OpenAI', GPT], ['relayed', CLAUDE]]) {
    it(`Anthropic SDK stream, ${label}: sees the comments, ignores them, gets the whole text`, { timeout: TEST_TIMEOUT_MS }, async () => {
      const tee = teeFetch();
      const client = new Anthropic({ baseURL: gw.url, apiKey: 'unused', timeout: STREAM_DEADLINE_MS, fetch: tee.fetch });
      const stream = client.messages.stream(messages(model), { headers: PAUSE });
      const msg = await withDeadline(stream.finalMessage(), STREAM_DEADLINE_MS, 'the Anthropic stream');
      const want = model === CLAUDE
        ? await directText('/v1/messages', messages(model), { 'anthropic-version': '2023-06-01' })
        : await directText('/v1/chat/completions', chat(model));
      assert.equal(msg.content.map((b) => b.text).join(''), want);
      assert.equal(msg.stop_reason, 'end_turn');
      const pings = checkBlocks(await tee.raw());
      assert.ok(pings >= 2, `${pings} heartbeats in a ${PAUSE_MS} ms pause`);
    });
  }

  it('a raw reader: comments only between whole events, every event intact', { timeout: TEST_TIMEOUT_MS }, async () => {
    const res = await rawStream('/v1/chat/completions', { ...chat(GPT), stream: true }, PAUSE);
    assert.equal(res.status, 200, res.text);
    const pings = checkBlocks(res.text);
    assert.ok(pings >= 2, `${pings} heartbeats`);
    // The pause fell inside the fourth event: the heartbeats came after the third and before
    // the fourth, which arrived whole.
    const blocks = res.text.split('\n\n');
    const firstPing = blocks.indexOf(PING);
    assert.equal(firstPing, 3, `heartbeats start after three events: ${JSON.stringify(blocks.slice(0, 6))}`);
    const text = blocks.filter((b) => b.startsWith('data: {')).map((b) => JSON.parse(b.slice(6)))
      .map((c) => c.choices[0]?.delta?.content ?? '').join('');
    assert.equal(text, await directText('/v1/chat/completions', chat(GPT)));
  });

  it('a stream that never pauses gets none', { timeout: TEST_TIMEOUT_MS }, async () => {
    const res = await rawStream('/v1/chat/completions', { ...chat(GPT), stream: true }, {});
    assert.equal(checkBlocks(res.text), 0);
  });
});

describe('heartbeats and the upstream idle timeout', { timeout: 60000 }, () => {
  // The upstream goes silent for 20 s: were the idle timer restarted by each heartbeat, the
  // stream would end only when the upstream spoke again.
  it('a heartbeat does not restart stream_idle_ms: a silent upstream still times out', { timeout: 30000 }, async () => {
    const idle = await startConfigGateway(toml({ sse_heartbeat_ms: HEARTBEAT_MS, stream_idle_ms: 700 }));
    const saved = gw;
    gw = idle;
    try {
      const t0 = Date.now();
      const res = await rawStream('/v1/chat/completions',
        { model: GPT, messages: [{ role: 'user', content: 'hi' }], stream: true },
        { 'x-mock-pause-after-events': '2', 'x-mock-pause-ms': '20000' });
      const ms = Date.now() - t0;
      assert.ok(ms < 10000, `the stream ended after ${ms} ms, not at the idle timeout`);
      const pings = checkBlocks(res.text);
      // 200, 400 and 600 ms into the silence; none once the next would fall past the timeout.
      assert.ok(pings >= 1 && pings <= 3, `${pings} heartbeats before the 700 ms idle timeout`);
      assert.match(res.text, /went idle/);
    } finally {
      gw = saved;
      await idle.stop();
    }
  });

  it('sse_heartbeat_ms = 0: no heartbeats', { timeout: TEST_TIMEOUT_MS }, async () => {
    const off = await startConfigGateway(toml({ sse_heartbeat_ms: 0 }));
    const saved = gw;
    gw = off;
    try {
      const res = await rawStream('/v1/chat/completions',
        { model: GPT, messages: [{ role: 'user', content: 'hi' }], stream: true },
        { 'x-mock-pause-after-events': '2', 'x-mock-pause-ms': '600' });
      assert.equal(checkBlocks(res.text), 0);
    } finally {
      gw = saved;
      await off.stop();
    }
  });
});
