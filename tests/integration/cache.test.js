// The exact cache end to end: a repeated prompt is answered by the gateway (the mock sees no
// second call), as JSON and as a stream the official SDKs' helpers accept, on both fronts and
// across formats; tenants never share entries; the request's headers and the model's policy
// decide; entries expire; a cut answer is never stored.
'use strict';

const crypto = require('node:crypto');
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const OpenAI = require('openai');
const Anthropic = require('@anthropic-ai/sdk');
const { startMock, startConfigGateway, stopAll } = require('./lib/processes');
const { gatewayToml } = require('./lib/config');
const { postJson, request, mockStats, waitForStats, sha256Hex, waitFor } = require('./lib/http');

const newKey = () => 'rg-' + crypto.randomBytes(32).toString('base64url');
const KEYS = { alice: newKey(), bob: newKey(), carol: newKey(), dave: newKey() };

let mock;
let prompts = 0;
// A prompt no other test sent: every test starts from a cold entry.
function fresh(label) {
  prompts += 1;
  return [{ role: 'user', content: `${label} #${prompts}: what is the capital of France?` }];
}

async function mockRequests() {
  return (await mockStats(mock)).requests;
}

function models() {
  return [
    { name: 'gpt-4o-mini', upstream: 'mock', aliases: ['fast'] },
    { name: 'always-cached', upstream: 'mock', upstream_model: 'gpt-4o', cache: 'always' },
    { name: 'never-cached', upstream: 'mock', cache: 'never' },
    { name: 'claude-cached', upstream: 'anth', upstream_model: 'claude-test', cache: 'always' },
  ];
}

function cacheToml(extra = {}) {
  return gatewayToml({
    apiBase: mock.apiBase,
    extraUpstreams: [{ name: 'anth', url: mock.apiBase, format: 'anthropic' }],
    models: models(),
    cache: { enabled: true, ...extra.cache },
    ...extra.toml,
  });
}

before(async () => {
  mock = await startMock(['--tokens', '6']);
});
after(stopAll);

describe('open access, key scope', () => {
  let gw;
  let openai;
  let anthropic;
  before(async () => {
    gw = await startConfigGateway(cacheToml());
    openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 20000 });
    anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'unused', maxRetries: 0, timeout: 20000 });
  });

  it('openai SDK: a repeated temperature-0 prompt is a hit the mock never sees, as JSON and as a stream', async () => {
    const messages = fresh('openai');
    const base = { model: 'gpt-4o-mini', temperature: 0, max_tokens: 32, messages };
    const before = await mockRequests();
    const first = await openai.chat.completions.create(base).withResponse();
    assert.equal(first.response.headers.get('x-ringgate-cache'), 'miss');
    const second = await openai.chat.completions.create(base).withResponse();
    assert.equal(second.response.headers.get('x-ringgate-cache'), 'hit');
    assert.equal(second.data.choices[0].message.content, first.data.choices[0].message.content);
    assert.equal(second.data.model, 'gpt-4o-mini');
    // The SDK's stream helper accumulates the replayed stream into the same answer.
    const stream = openai.chat.completions.stream({ ...base, stream_options: { include_usage: true } });
    let deltas = '';
    stream.on('content', (d) => { deltas += d; });
    const final = await stream.finalChatCompletion();
    assert.equal(final.choices[0].message.content, first.data.choices[0].message.content);
    assert.equal(deltas, first.data.choices[0].message.content);
    assert.equal(final.choices[0].finish_reason, first.data.choices[0].finish_reason);
    assert.equal(final.usage.completion_tokens, first.data.usage.completion_tokens);
    assert.equal(await mockRequests() - before, 1);
  });

  it('an answer stored from a stream is replayed as JSON (the fill assembles the stream)', async () => {
    const messages = fresh('streamed');
    const base = { model: 'gpt-4o-mini', temperature: 0, max_tokens: 32, messages };
    const before = await mockRequests();
    const streamed = await openai.chat.completions.stream(base).finalChatCompletion();
    const hit = await openai.chat.completions.create(base).withResponse();
    assert.equal(hit.response.headers.get('x-ringgate-cache'), 'hit');
    assert.equal(hit.data.choices[0].message.content, streamed.choices[0].message.content);
    assert.equal(await mockRequests() - before, 1);
  });

  it('an alias and the canonical name share one entry', async () => {
    const messages = fresh('alias');
    const before = await mockRequests();
    await openai.chat.completions.create({ model: 'fast', temperature: 0, max_tokens: 16, messages });
    const hit = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', temperature: 0, max_tokens: 16, messages }).withResponse();
    assert.equal(hit.response.headers.get('x-ringgate-cache'), 'hit');
    assert.equal(hit.data.model, 'gpt-4o-mini');  // the name this client asked for
    assert.equal(await mockRequests() - before, 1);
  });

  it('anthropic SDK: messages.create() then messages.stream() are served from the entry', async () => {
    const messages = fresh('anthropic');
    const base = { model: 'claude-cached', max_tokens: 32, messages };
    const before = await mockRequests();
    const first = await anthropic.messages.create(base).withResponse();
    assert.equal(first.response.headers.get('x-ringgate-cache'), 'miss');
    const second = await anthropic.messages.create(base).withResponse();
    assert.equal(second.response.headers.get('x-ringgate-cache'), 'hit');
    assert.deepEqual(second.data.content, first.data.content);
    const final = await anthropic.messages.stream(base).finalMessage();
    assert.deepEqual(final.content, first.data.content);
    assert.equal(final.stop_reason, first.data.stop_reason);
    assert.equal(final.usage.output_tokens, first.data.usage.output_tokens);
    assert.equal(await mockRequests() - before, 1);
  });

  it('cross-format: stored from an Anthropic upstream, replayed to an OpenAI client (JSON and stream)', async () => {
    const messages = fresh('cross');
    const base = { model: 'claude-cached', max_tokens: 32, messages };
    const before = await mockRequests();
    const first = await openai.chat.completions.create(base).withResponse();
    assert.equal(first.response.headers.get('x-ringgate-cache'), 'miss');
    assert.equal((await mockStats(mock)).last_path, '/v1/messages');
    const text = first.data.choices[0].message.content;
    const hit = await openai.chat.completions.create(base).withResponse();
    assert.equal(hit.response.headers.get('x-ringgate-cache'), 'hit');
    assert.equal(hit.data.choices[0].message.content, text);
    const final = await openai.chat.completions.stream(base).finalChatCompletion();
    assert.equal(final.choices[0].message.content, text);
    assert.equal(await mockRequests() - before, 1);
  });

  it('x-ringgate-cache: no and Cache-Control: no-store bypass and store nothing; no-cache still stores', async () => {
    const messages = fresh('headers');
    const body = { model: 'gpt-4o-mini', temperature: 0, max_tokens: 16, messages };
    const before = await mockRequests();
    const no = await postJson(gw.url, '/v1/chat/completions', body, { 'x-ringgate-cache': 'no' });
    assert.equal(no.headers.get('x-ringgate-cache'), 'bypass');
    const noStore = await postJson(gw.url, '/v1/chat/completions', body, { 'cache-control': 'no-store' });
    assert.equal(noStore.headers.get('x-ringgate-cache'), 'bypass');
    const noCache = await postJson(gw.url, '/v1/chat/completions', body, { 'cache-control': 'no-cache' });
    assert.equal(noCache.headers.get('x-ringgate-cache'), 'bypass');
    assert.equal(await mockRequests() - before, 3);
    const hit = await postJson(gw.url, '/v1/chat/completions', body);
    assert.equal(hit.headers.get('x-ringgate-cache'), 'hit');
    assert.equal(await mockRequests() - before, 3);
  });

  it('the model policy decides: temperature_zero bypasses other temperatures, never always bypasses, always caches', async () => {
    const messages = fresh('policy');
    const warm = await postJson(gw.url, '/v1/chat/completions', { model: 'gpt-4o-mini', max_tokens: 8, messages });
    assert.equal(warm.headers.get('x-ringgate-cache'), 'bypass');
    const never = await postJson(gw.url, '/v1/chat/completions',
      { model: 'never-cached', temperature: 0, max_tokens: 8, messages });
    assert.equal(never.headers.get('x-ringgate-cache'), 'bypass');
    const always = { model: 'always-cached', temperature: 0.7, max_tokens: 8, messages };
    assert.equal((await postJson(gw.url, '/v1/chat/completions', always)).headers.get('x-ringgate-cache'), 'miss');
    assert.equal((await postJson(gw.url, '/v1/chat/completions', always)).headers.get('x-ringgate-cache'), 'hit');
    // A field that changes the answer is a different entry.
    const other = await postJson(gw.url, '/v1/chat/completions', { ...always, max_tokens: 9 });
    assert.equal(other.headers.get('x-ringgate-cache'), 'miss');
  });

  it('a stream cut by the upstream is never stored', async () => {
    const messages = fresh('cut');
    const body = { model: 'gpt-4o-mini', temperature: 0, max_tokens: 16, stream: true, messages };
    const before = await mockRequests();
    const cut = await postJson(gw.url, '/v1/chat/completions', body, { 'x-mock-disconnect-after-events': '2' });
    assert.equal(cut.status, 200);
    const again = await postJson(gw.url, '/v1/chat/completions', body);
    assert.equal(again.headers.get('x-ringgate-cache'), 'miss');
    assert.equal(await mockRequests() - before, 2);
    const hit = await postJson(gw.url, '/v1/chat/completions', body);
    assert.equal(hit.headers.get('x-ringgate-cache'), 'hit');
    assert.match(hit.text, /data: \[DONE\]\n\n$/);
  });

  it('/metrics shows hits, misses, entries, bytes and the cache time apart from upstream time', async () => {
    const res = await request(`${gw.url}/metrics`);
    assert.equal(res.status, 200);
    const value = (name) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(res.text)?.[1]);
    assert.ok(value('ringgate_cache_hits_total') >= 8);
    assert.ok(value('ringgate_cache_misses_total') >= 6);
    assert.ok(value('ringgate_cache_entries') >= 6);
    assert.ok(value('ringgate_cache_bytes') > 0);
    assert.ok(value('ringgate_cache_bypasses_total') >= 5);
    assert.ok(value('ringgate_cache_time_microseconds_total') > 0);  // seed-defect: 000-L3
  });
});

describe('tenants', () => {
  const keys = [
    { id: 'alice', sha256: sha256Hex(KEYS.alice) },
    { id: 'bob', sha256: sha256Hex(KEYS.bob) },
    { id: 'carol', sha256: sha256Hex(KEYS.carol), team: 'eng' },
    { id: 'dave', sha256: sha256Hex(KEYS.dave), team: 'eng' },
  ];
  const teams = [{ name: 'eng' }];
  const post = (gw, key, body) =>
    postJson(gw.url, '/v1/chat/completions', body, { authorization: `Bearer ${key}` });

  it('key scope: the same prompt from another key (same team too) is a miss; a refused key gets no hit', async () => {
    const gw = await startConfigGateway(cacheToml({ toml: { keys, teams } }));
    const body = { model: 'gpt-4o-mini', temperature: 0, max_tokens: 8, messages: fresh('keys') };
    assert.equal((await post(gw, KEYS.alice, body)).headers.get('x-ringgate-cache'), 'miss');
    assert.equal((await post(gw, KEYS.alice, body)).headers.get('x-ringgate-cache'), 'hit');
    assert.equal((await post(gw, KEYS.bob, body)).headers.get('x-ringgate-cache'), 'miss');
    assert.equal((await post(gw, KEYS.carol, body)).headers.get('x-ringgate-cache'), 'miss');
    assert.equal((await post(gw, KEYS.dave, body)).headers.get('x-ringgate-cache'), 'miss');
    const refused = await post(gw, newKey(), body);
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('x-ringgate-cache'), null);
    await gw.stop();
  });

  it('team scope: keys of one team share, a key without a team keeps its own', async () => {
    const gw = await startConfigGateway(cacheToml({ toml: { keys, teams }, cache: { scope: 'team' } }));
    const body = { model: 'gpt-4o-mini', temperature: 0, max_tokens: 8, messages: fresh('team') };
    assert.equal((await post(gw, KEYS.carol, body)).headers.get('x-ringgate-cache'), 'miss');
    assert.equal((await post(gw, KEYS.dave, body)).headers.get('x-ringgate-cache'), 'hit');
    assert.equal((await post(gw, KEYS.alice, body)).headers.get('x-ringgate-cache'), 'miss');
    assert.equal((await post(gw, KEYS.bob, body)).headers.get('x-ringgate-cache'), 'miss');
    await gw.stop();
  });

  it('passthrough: hostile model names never reach another model\'s or key\'s entry', async () => {
    // seed-defect: 000-C3
    const gw = await startConfigGateway(`passthrough = true\n${cacheToml({
      toml: { keys, teams, models: [], extraUpstreams: [] }, cache: { policy: 'always' } })}`);
    const messages = fresh('hostile');
    const body = (model) => ({ model, temperature: 0, max_tokens: 8, messages });
    assert.equal((await post(gw, KEYS.alice, body('gpt-4o'))).headers.get('x-ringgate-cache'), 'miss');
    assert.equal((await post(gw, KEYS.alice, body('gpt-4o'))).headers.get('x-ringgate-cache'), 'hit');
    for (const hostile of ['gpt-4o ', 'gpt-4o\u0000', 'gpt-4o","scope":"key:alice', 'key:alice|gpt-4o', 'GPT-4O']) {
      const r = await post(gw, KEYS.alice, body(hostile));
      assert.notEqual(r.headers.get('x-ringgate-cache'), 'hit', JSON.stringify(hostile));
    }
    // Bob naming alice's scope in the model cannot read alice's entry either.
    assert.equal((await post(gw, KEYS.bob, body('gpt-4o'))).headers.get('x-ringgate-cache'), 'miss');
    await gw.stop();
  });
});

it('an entry expires after ttl_s: the next request is a miss again', async () => {
  const gw = await startConfigGateway(cacheToml({ cache: { ttl_s: 1 } }));
  const body = { model: 'gpt-4o-mini', temperature: 0, max_tokens: 8, messages: fresh('ttl') };
  assert.equal((await postJson(gw.url, '/v1/chat/completions', body)).headers.get('x-ringgate-cache'), 'miss');
  assert.equal((await postJson(gw.url, '/v1/chat/completions', body)).headers.get('x-ringgate-cache'), 'hit');
  // Polled: hits until the entry's second has passed, then one miss that goes upstream.
  await waitFor(async () =>
    (await postJson(gw.url, '/v1/chat/completions', body)).headers.get('x-ringgate-cache') === 'miss',
  { deadlineMs: 5000, what: 'the entry to expire' });
  await gw.stop();
});

describe('single flight', () => {
  let gw;
  before(async () => {
    gw = await startConfigGateway(cacheToml({ toml: { server: { shards: 2 } } }));
  });
  const chat = (body, headers = {}) => postJson(gw.url, '/v1/chat/completions', body, headers);

  it('identical concurrent misses make one upstream call; the others are coalesced in their own mode', async () => {
    const messages = fresh('flight');
    const body = { model: 'gpt-4o-mini', temperature: 0, max_tokens: 16, messages };
    const slow = { 'x-mock-ttft-ms': '600' };
    const before = await mockRequests();
    const leader = chat(body, slow);
    await waitForStats(mock, (s) => s.requests === before + 1, 'the leader upstream');
    // Over separate connections, so on both shards: JSON and streaming followers alike.
    const followers = await Promise.all(Array.from({ length: 7 }, (_, i) =>
      chat(i % 2 ? { ...body, stream: true } : body, slow)));
    const first = await leader;
    assert.equal(first.headers.get('x-ringgate-cache'), 'miss');
    const text = first.json.choices[0].message.content;
    for (const [i, f] of followers.entries()) {
      assert.equal(f.status, 200);
      assert.equal(f.headers.get('x-ringgate-cache'), 'coalesced', `follower ${i}`);
      if (i % 2) {
        assert.match(f.text, /data: \[DONE\]\n\n$/);
      } else {
        assert.equal(f.json.choices[0].message.content, text);
      }
    }
    assert.equal(await mockRequests() - before, 1);
    const res = await request(`${gw.url}/metrics`);
    assert.match(res.text, /^ringgate_cache_coalesced_total 7$/m);
  });

  it('the leader\'s client hanging up does not stop the call while followers wait for it', async () => {
    // seed-defect: 004-P14
    const body = { model: 'gpt-4o-mini', temperature: 0, max_tokens: 16, stream: true, messages: fresh('hangup') };
    const before = await mockStats(mock);
    const hangup = new AbortController();
    const leader = fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mock-ttft-ms': '400', 'x-mock-interval-ms': '30' },
      body: JSON.stringify(body),
      signal: hangup.signal,
    }).then((r) => r.text()).catch(() => 'hung up');
    await waitForStats(mock, (s) => s.requests === before.requests + 1, 'the leader upstream');
    const followers = [1, 2].map(() => chat(body));
    const gauge = async () => Number(/^ringgate_cache_followers_waiting (\d+)$/m
      .exec((await request(`${gw.url}/metrics`)).text)?.[1]);
    await waitFor(async () => (await gauge()) === 2, { what: 'two followers waiting' });
    hangup.abort();
    assert.equal(await leader, 'hung up');
    for (const f of await Promise.all(followers)) {
      assert.equal(f.headers.get('x-ringgate-cache'), 'coalesced');
      assert.match(f.text, /data: \[DONE\]\n\n$/);
    }
    const after = await mockStats(mock);
    assert.equal(after.requests - before.requests, 1);
    assert.equal(after.client_disconnects_midstream, before.client_disconnects_midstream);
    assert.equal(await gauge(), 0);
  });

  it('a failed leader sends its followers upstream on their own', async () => {
    const messages = fresh('failed-flight');
    const body = { model: 'gpt-4o-mini', temperature: 0, max_tokens: 16, stream: true, messages };
    const before = await mockRequests();
    const leader = chat(body, { 'x-mock-ttft-ms': '400', 'x-mock-disconnect-after-events': '1' });
    await waitForStats(mock, (s) => s.requests === before + 1, 'the leader upstream');
    const followers = await Promise.all([1, 2, 3].map(() => chat(body)));
    await leader;
    for (const f of followers) {
      assert.equal(f.status, 200);
      assert.equal(f.headers.get('x-ringgate-cache'), 'miss');
      assert.match(f.text, /data: \[DONE\]\n\n$/);
    }
    assert.equal(await mockRequests() - before, 4);
  });
});
