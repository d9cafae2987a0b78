// The semantic cache end to end: after an exact miss the prompt's text is embedded (the local
// embedder inline, or a remote /v1/embeddings server played here by a tiny node server) and a
// close enough earlier prompt of the same tenant and model answers by replay
// (x-ringgate-cache: semantic); each model's threshold decides; a late or failed embedding is a
// miss answered by the upstream; the embedder's health shows in /readyz and /metrics.
'use strict';

const crypto = require('node:crypto');
const http = require('node:http');
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const OpenAI = require('openai');
const Anthropic = require('@anthropic-ai/sdk');
const { startMock, startConfigGateway, stopAll, freePort } = require('./lib/processes');
const { gatewayToml } = require('./lib/config');
const { postJson, request, mockStats, sha256Hex, waitFor } = require('./lib/http');
const { scrape, value } = require('./lib/metrics');

const newKey = () => 'rg-' + crypto.randomBytes(32).toString('base64url');
const KEYS = { alice: newKey(), bob: newKey() };
const ADMIN = newKey();

let mock;
let prompts = 0;
// A question no other test asked, so every test starts cold.
function question(label) {
  prompts += 1;
  return `Summarize the plot of the ${label} story number ${prompts} in three sentences?`;
}
// The same question as a different client would type it: other casing, no trailing mark.
const retyped = (q) => q.toLowerCase().replace(/\?$/, '');
const user = (content) => [{ role: 'user', content }];

async function mockRequests() {
  return (await mockStats(mock)).requests;
}

function models() {
  return [
    { name: 'gpt-4o-mini', upstream: 'mock' },
    { name: 'loose-model', upstream: 'mock', upstream_model: 'gpt-4o' },
    { name: 'strict-model', upstream: 'mock', upstream_model: 'gpt-4o' },
    { name: 'claude-cached', upstream: 'anth', upstream_model: 'claude-test', cache: 'always' },
  ];
}

function semanticToml(semantic, toml = {}) {
  return gatewayToml({
    apiBase: mock.apiBase,
    extraUpstreams: [{ name: 'anth', url: mock.apiBase, format: 'anthropic' }],
    models: models(),
    cache: { enabled: true, semantic: { enabled: true, ...semantic } },
    ...toml,
  });
}

// Vectors go in on the writer thread: a test waits until the index holds `n` entries.
async function waitForEntries(gw, n, headers = {}) {
  await waitFor(async () => value(await scrape(gw, headers), 'ringgate_semantic_cache_entries') >= n,
    { what: `${n} semantic entries` });
}

async function chat(gw, body, headers = {}) {
  const res = await postJson(gw.url, '/v1/chat/completions', body, headers);
  assert.equal(res.status, 200, res.text);
  return res;
}

// An OpenAI-compatible /v1/embeddings server: bag-of-lowercased-words vectors in `dims`
// buckets. mode 'ok' answers, 'stall' reads the request and never answers.
async function startEmbeddings(dims = 16) {
  const server = { mode: 'ok', calls: 0, held: [] };
  const embed = (text) => {
    const v = new Array(dims).fill(0);
    for (const w of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
      v[crypto.createHash('sha256').update(w).digest()[0] % dims] += 1;
    }
    return v;
  };
  server.http = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      server.calls += 1;
      if (server.mode === 'stall') return server.held.push(res);
      const { input } = JSON.parse(body);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: embed(input) }] }));
    });
  });
  await new Promise((r) => server.http.listen(0, '127.0.0.1', r));
  server.url = `http://127.0.0.1:${server.http.address().port}`;
  server.close = () => {
    for (const res of server.held) res.destroy();
    server.http.closeAllConnections();
    return new Promise((r) => server.http.close(r));
  };
  return server;
}

before(async () => {
  mock = await startMock(['--tokens', '6']);
});
after(stopAll);

describe('local embedder, open access', () => {
  let gw;
  before(async () => {
    gw = await startConfigGateway(semanticToml({
      default_threshold: 0.9,
      thresholds: { 'loose-model': 0.5, 'strict-model': 0.999 },
    }));
  });

  it('the same question retyped (casing, trailing mark) is a semantic hit the upstream never sees', async () => {
    // seed-defect: 000-L3
    const q = question('casing');
    const before = await mockRequests();
    const first = await chat(gw, { model: 'gpt-4o-mini', temperature: 0, max_tokens: 16, messages: user(q) });
    assert.equal(first.headers.get('x-ringgate-cache'), 'miss');
    await waitForEntries(gw, 1);
    const second = await chat(gw, { model: 'gpt-4o-mini', temperature: 0, max_tokens: 16, messages: user(retyped(q)) });
    assert.equal(second.headers.get('x-ringgate-cache'), 'semantic');
    assert.equal(second.json.choices[0].message.content, first.json.choices[0].message.content);
    assert.equal(await mockRequests() - before, 1);
    const m = await scrape(gw);
    assert.ok(value(m, 'ringgate_semantic_cache_hits_total') >= 1);
    assert.ok(value(m, 'ringgate_cache_time_microseconds_total') > 0);
  });

  it('an unrelated question is a miss (a near miss below the threshold is counted, never served)', async () => {
    // seed-defect: 000-M4
    const q = question('unrelated');
    await chat(gw, { model: 'gpt-4o-mini', temperature: 0, max_tokens: 16, messages: user(q) });
    await waitForEntries(gw, 2);
    const nearBefore = value(await scrape(gw), 'ringgate_semantic_cache_near_misses_total');
    const other = await chat(gw, { model: 'gpt-4o-mini', temperature: 0, max_tokens: 16,
      messages: user('Which prime numbers lie between forty and sixty, listed in ascending order?') });
    assert.equal(other.headers.get('x-ringgate-cache'), 'miss');
    assert.equal(value(await scrape(gw), 'ringgate_semantic_cache_near_misses_total'), nearBefore + 1);
  });

  it('two models with different thresholds decide differently on the same pair of prompts', async () => {
    // seed-defect: 000-M4
    const q = question('thresholds');
    const reworded = q.replace('in three sentences', 'briefly for a child');
    const entries = value(await scrape(gw), 'ringgate_semantic_cache_entries');
    for (const model of ['loose-model', 'strict-model']) {
      await chat(gw, { model, temperature: 0, max_tokens: 16, messages: user(q) });
    }
    await waitForEntries(gw, entries + 2);
    const loose = await chat(gw, { model: 'loose-model', temperature: 0, max_tokens: 16, messages: user(reworded) });
    assert.equal(loose.headers.get('x-ringgate-cache'), 'semantic');
    const strict = await chat(gw, { model: 'strict-model', temperature: 0, max_tokens: 16, messages: user(reworded) });
    assert.equal(strict.headers.get('x-ringgate-cache'), 'miss');
  });

  it('a semantic hit is replayed as a stream the openai and anthropic SDK stream helpers accept', async () => {
    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 20000 });
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'unused', maxRetries: 0, timeout: 20000 });
    const q = question('sdk');
    const entries = value(await scrape(gw), 'ringgate_semantic_cache_entries');
    const first = await openai.chat.completions.create({ model: 'gpt-4o-mini', temperature: 0, max_tokens: 16, messages: user(q) });
    const firstClaude = await anthropic.messages.create({ model: 'claude-cached', max_tokens: 16, messages: user(q) });
    await waitForEntries(gw, entries + 2);
    const before = await mockRequests();
    const stream = openai.chat.completions.stream({ model: 'gpt-4o-mini', temperature: 0, max_tokens: 16, messages: user(retyped(q)) });
    let deltas = '';
    stream.on('content', (d) => { deltas += d; });
    const final = await stream.finalChatCompletion();
    assert.equal(final.choices[0].message.content, first.choices[0].message.content);
    assert.equal(deltas, first.choices[0].message.content);
    const claude = anthropic.messages.stream({ model: 'claude-cached', max_tokens: 16, messages: user(retyped(q)) });
    const message = await claude.finalMessage();
    assert.deepEqual(message.content, firstClaude.content);
    assert.equal(message.stop_reason, firstClaude.stop_reason);
    assert.equal(await mockRequests() - before, 0);
  });

  it('/readyz details and /metrics show the index and the embedder', async () => {
    // seed-defect: 000-M6
    const ready = await request(`${gw.url}/readyz`);
    assert.equal(ready.status, 200);
    const s = ready.json.semantic_cache;
    assert.match(s.embedder, /^local/);
    assert.equal(s.embedder_state, 'up');
    assert.ok(s.entries >= 1 && s.namespaces >= 1 && s.index_bytes > 0, ready.text);
    const m = await scrape(gw);
    assert.ok(value(m, 'ringgate_semantic_cache_lookups_total') >= 4);
    assert.ok(value(m, 'ringgate_semantic_cache_inserts_total') >= 1);
  });
});

describe('tenants', () => {
  const keys = [
    { id: 'alice', sha256: sha256Hex(KEYS.alice) },
    { id: 'bob', sha256: sha256Hex(KEYS.bob) },
  ];
  const post = (gw, key, body) =>
    chat(gw, body, { authorization: `Bearer ${key}` });

  it('another key never reaches the first key\'s entry, also through hostile model names', async () => {
    // seed-defect: 000-C3
    const toml = semanticToml({}, { keys, models: [], extraUpstreams: [], metrics: { admin_key: 'env:RG_SEM_ADMIN' },
      cache: { enabled: true, policy: 'always', semantic: { enabled: true, default_threshold: 0.5 } } });
    const gw = await startConfigGateway(`passthrough = true\n${toml}`, { env: { RG_SEM_ADMIN: ADMIN } });
    const q = question('tenant');
    const body = (model, content) => ({ model, temperature: 0, max_tokens: 8, messages: user(content) });
    assert.equal((await post(gw, KEYS.alice, body('gpt-4o', q))).headers.get('x-ringgate-cache'), 'miss');
    await waitForEntries(gw, 1, { authorization: `Bearer ${ADMIN}` });
    assert.equal((await post(gw, KEYS.alice, body('gpt-4o', retyped(q)))).headers.get('x-ringgate-cache'), 'semantic');
    assert.equal((await post(gw, KEYS.bob, body('gpt-4o', retyped(q)))).headers.get('x-ringgate-cache'), 'miss');
    for (const hostile of ['gpt-4o\u0000key:alice', 'key:alice', 'gpt-4o","tenant":"key:alice', 'GPT-4O']) {
      const r = await post(gw, KEYS.bob, body(hostile, retyped(q)));
      assert.equal(r.headers.get('x-ringgate-cache'), 'miss', JSON.stringify(hostile));
    }
    await gw.stop();
  });
});

describe('remote embedder', () => {
  it('a retyped question is a semantic hit through the remote /v1/embeddings', async () => {
    const emb = await startEmbeddings();
    const gw = await startConfigGateway(semanticToml({
      embedder: 'remote', default_threshold: 0.95,
      remote: { url: emb.url, model: 'test-embed', dims: 16, timeout_ms: 2000 },
    }));
    const q = question('remote');
    const before = await mockRequests();
    assert.equal((await chat(gw, { model: 'gpt-4o-mini', temperature: 0, max_tokens: 8, messages: user(q) }))
      .headers.get('x-ringgate-cache'), 'miss');
    await waitForEntries(gw, 1);
    const hit = await chat(gw, { model: 'gpt-4o-mini', temperature: 0, max_tokens: 8, messages: user(retyped(q)) });
    assert.equal(hit.headers.get('x-ringgate-cache'), 'semantic');
    assert.equal(await mockRequests() - before, 1);
    assert.ok(emb.calls >= 3);  // the start probe and one per request
    assert.equal((await request(`${gw.url}/readyz`)).json.semantic_cache.embedder_state, 'up');
    await gw.stop();
    await emb.close();
  });

  it('a stalled embeddings server: the request is answered by the upstream once the deadline passed', async () => {
    // seed-defect: 000-H3
    const emb = await startEmbeddings();
    emb.mode = 'stall';
    const gw = await startConfigGateway(semanticToml({
      embedder: 'remote', remote: { url: emb.url, model: 'test-embed', dims: 16, timeout_ms: 200 },
    }));
    const started = Date.now();
    const res = await chat(gw, { model: 'gpt-4o-mini', temperature: 0, max_tokens: 8, messages: user(question('stall')) });
    const elapsed = Date.now() - started;
    assert.equal(res.headers.get('x-ringgate-cache'), 'miss');
    assert.ok(res.json.choices[0].message.content.length > 0);
    // The embedder's 200 ms plus the mock's answer, far below the 20 s the client would wait.
    assert.ok(elapsed < 5000, `answered after ${elapsed} ms`);
    const m = await scrape(gw);
    assert.ok(value(m, 'ringgate_embedder_timeouts_total') >= 1);
    assert.equal(value(m, 'ringgate_embedder_up'), 0);
    await gw.stop();
    await emb.close();
  });

  it('an embeddings server that is down shows in /readyz and its errors are counted; requests still answer', async () => {
    // seed-defect: 000-M6
    const port = await freePort();
    const gw = await startConfigGateway(semanticToml({
      embedder: 'remote', remote: { url: `http://127.0.0.1:${port}`, model: 'test-embed', dims: 16, timeout_ms: 500 },
    }));
    const ready = await waitFor(async () => {
      const r = await request(`${gw.url}/readyz`);
      return r.json.semantic_cache.embedder_state === 'down' && r;
    }, { what: 'the embedder to show down' });
    assert.equal(ready.status, 200);  // a cache is an optimisation: the node still serves
    const res = await chat(gw, { model: 'gpt-4o-mini', temperature: 0, max_tokens: 8, messages: user(question('down')) });
    assert.equal(res.headers.get('x-ringgate-cache'), 'miss');
    const m = await scrape(gw);
    assert.ok(value(m, 'ringgate_embedder_errors_total') >= 2, String(value(m, 'ringgate_embedder_errors_total')));
    assert.ok(ready.json.semantic_cache.embedder_errors >= 1);
    await gw.stop();
  });
});
