// Headers and model lists through translation, with the official openai and @anthropic-ai/sdk
// clients against the mock upstream speaking the other API:
// - the retry hints an upstream sends (x-should-retry, retry-after, retry-after-ms) decide what
//   each SDK does, with its default maxRetries, counted at the mock;
// - Anthropic clients read the request id from `request-id` (err.requestID, _request_id);
// - rate-limit headers: the upstream's, rewritten between OpenAI's and Anthropic's dialects,
//   when the gateway limits no key; the gateway's own when it does;
// - GET /v1/models and /v1/models/{id} in the client's own shape (config mode and translated);
// - an Azure-style first stream chunk ("id": "", "choices": []) translated for the Anthropic SDK.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const OpenAI = require('openai');
const Anthropic = require('@anthropic-ai/sdk');
const { startMock, startConfigGateway, stopAll, withDeadline } = require('./lib/processes');
const { request, postJson, mockStats, mockLastRequest, sha256Hex } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const { startFormatGateway, stopFormatGateways, sseEvents } = require('./lib/translation_helpers');

const TEST_TIMEOUT_MS = 30000;
const SDK_TIMEOUT_MS = 15000;
const MOCK_MODELS = ['gpt-4o-mini', 'gpt-4o', 'claude-3-5-sonnet-20241022', 'claude-3-5-haiku-20241022',
  'text-embedding-3-small'];

const openaiClient = (base, opts = {}) =>
  new OpenAI({ baseURL: `${base}/v1`, apiKey: 'sk-unused-by-the-mock', timeout: SDK_TIMEOUT_MS, ...opts });
const anthropicClient = (base, opts = {}) =>
  new Anthropic({ baseURL: base, apiKey: 'sk-ant-unused-by-the-mock', timeout: SDK_TIMEOUT_MS, ...opts });

const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 };
const MESSAGES = { model: 'gpt-4o-mini', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] };

let mock;
let toAnthropic;  // quick mode, Anthropic-format upstream: OpenAI clients are translated
let toOpenAi;     // quick mode, OpenAI-format upstream: Anthropic clients are translated

async function apiRequests() {
  return (await mockStats(mock)).requests;
}

// Milliseconds of an OpenAI reset duration ("1m0s", "59.5s", "120ms").
function durationMs(text) {
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s)/g;
  let total = 0;
  let seen = '';
  for (let m; (m = re.exec(text));) {
    seen += m[0];
    total += Number(m[1]) * { h: 3600000, m: 60000, s: 1000, ms: 1 }[m[2]];
  }
  assert.equal(seen, text, `not a duration: ${text}`);
  return total;
}

// Runs `fn`, which must reject; returns the error and the milliseconds it took.
async function timedFailure(fn) {
  const t0 = Date.now();
  const err = await fn().then(() => assert.fail('the call succeeded'), (e) => e);
  return { err, ms: Date.now() - t0 };
}

before(async () => {
  mock = await startMock();
  toAnthropic = await startFormatGateway({ upstream: mock.apiBase, format: 'anthropic' });
  toOpenAi = await startFormatGateway({ upstream: mock.apiBase, format: 'openai' });
});

after(async () => {
  await stopFormatGateways();
  await stopAll();
});

describe('retry hints through translation, as the SDKs act on them', { timeout: 60000 }, () => {
  it('x-should-retry: false: the openai SDK tries once (default maxRetries)', { timeout: TEST_TIMEOUT_MS }, async () => {
    const before = await apiRequests();
    const { err } = await timedFailure(() => openaiClient(toAnthropic.url).chat.completions.create(CHAT, {
      headers: { 'x-mock-fail-status': '429', 'x-mock-header-x-should-retry': 'false' },
    }));
    assert.ok(err instanceof OpenAI.RateLimitError, String(err));
    assert.equal(err.headers.get('x-should-retry'), 'false');
    assert.equal(await apiRequests() - before, 1, 'one attempt reached the upstream');
  });

  it('x-should-retry: false: the Anthropic SDK tries once (default maxRetries)', { timeout: TEST_TIMEOUT_MS }, async () => {
    const before = await apiRequests();
    const { err } = await timedFailure(() => anthropicClient(toOpenAi.url).messages.create(MESSAGES, {
      headers: { 'x-mock-fail-status': '429', 'x-mock-header-x-should-retry': 'false' },
    }));
    assert.ok(err instanceof Anthropic.RateLimitError, String(err));
    assert.equal(await apiRequests() - before, 1, 'one attempt reached the upstream');
    // Anthropic's SDK reads the request id from `request-id`: the gateway's id.
    assert.ok(err.requestID, 'err.requestID is set');
    assert.equal(err.requestID, err.headers.get('x-request-id'));
  });

  // The upstream says retry-after: 30 (seconds) and retry-after-ms: 30: an SDK that did not see
  // retry-after-ms would wait a minute for its two retries (and the test's deadline would end it).
  it('retry-after-ms is honoured by both SDKs: three attempts, quickly', { timeout: TEST_TIMEOUT_MS }, async () => {
    const headers = {
      'x-mock-fail-status': '429', 'x-mock-header-retry-after': '30', 'x-mock-header-retry-after-ms': '30',
    };
    for (const call of [
      () => openaiClient(toAnthropic.url).chat.completions.create(CHAT, { headers }),
      () => anthropicClient(toOpenAi.url).messages.create(MESSAGES, { headers }),
    ]) {
      const before = await apiRequests();
      const { err, ms } = await timedFailure(call);
      assert.equal(err.status, 429, String(err));
      assert.equal(await apiRequests() - before, 3, 'the first attempt and two retries');
      assert.ok(ms < 10000, `retries waited ${ms} ms: retry-after-ms was not honoured`);
    }
  });

  // The mock's 429 says retry-after: 1; the SDKs' own backoff would total at most 1.5 s.
  it('retry-after (seconds) is honoured by both SDKs', { timeout: TEST_TIMEOUT_MS }, async () => {
    const headers = { 'x-mock-fail-status': '429' };
    for (const call of [
      () => openaiClient(toAnthropic.url).chat.completions.create(CHAT, { headers }),
      () => anthropicClient(toOpenAi.url).messages.create(MESSAGES, { headers }),
    ]) {
      const before = await apiRequests();
      const { err, ms } = await timedFailure(call);
      assert.equal(err.status, 429, String(err));
      assert.equal(err.headers.get('retry-after'), '1');
      assert.equal(await apiRequests() - before, 3, 'the first attempt and two retries');
      assert.ok(ms >= 1900, `retries waited only ${ms} ms: retry-after was not honoured`);
    }
  });
});

describe('request-id for Anthropic clients', { timeout: 60000 }, () => {
  it('a translated answer and stream carry it (_request_id)', { timeout: TEST_TIMEOUT_MS }, async () => {
    const client = anthropicClient(toOpenAi.url);
    const { data, response, request_id: rid } = await client.messages.create(MESSAGES).withResponse();
    assert.ok(rid, 'request_id is set');
    assert.equal(rid, response.headers.get('x-request-id'));
    assert.equal(data._request_id, rid);
    const stream = client.messages.stream(MESSAGES);
    const msg = await withDeadline(stream.finalMessage(), SDK_TIMEOUT_MS, 'stream');
    assert.ok(msg.content[0].text.length > 0);
    assert.ok(stream.request_id, 'the stream has a request id');
  });

  it("passed through from an Anthropic upstream, the upstream's own", { timeout: TEST_TIMEOUT_MS }, async () => {
    const res = await postJson(toAnthropic.url, '/v1/messages', MESSAGES, { 'anthropic-version': '2023-06-01' });
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('request-id'), /^req_/);
    assert.equal(res.headers.get('request-id').split(',').length, 1, 'one request-id');
  });
});

describe('rate-limit headers', { timeout: 60000 }, () => {
  it('an Anthropic upstream\'s become OpenAI\'s for an OpenAI client (no gateway keys)', { timeout: TEST_TIMEOUT_MS }, async () => {
    const reset = new Date(Date.now() + 60000).toISOString().replace(/\.\d+Z$/, 'Z');
    const headers = {
      'x-mock-header-anthropic-ratelimit-requests-limit': '50',
      'x-mock-header-anthropic-ratelimit-requests-remaining': '49',
      'x-mock-header-anthropic-ratelimit-requests-reset': reset,
      'x-mock-header-anthropic-ratelimit-tokens-limit': '80000',
      'x-mock-header-anthropic-ratelimit-tokens-remaining': '79000',
      'x-mock-header-anthropic-ratelimit-tokens-reset': reset,
    };
    const client = openaiClient(toAnthropic.url);
    for (const stream of [false, true]) {
      const { data, response } = await client.chat.completions.create({ ...CHAT, stream }, { headers })
        .withResponse();
      if (stream) for await (const chunk of data) assert.equal(chunk.object, 'chat.completion.chunk');
      const h = response.headers;
      assert.equal(h.get('x-ratelimit-limit-requests'), '50');
      assert.equal(h.get('x-ratelimit-remaining-requests'), '49');
      assert.equal(h.get('x-ratelimit-limit-tokens'), '80000');
      assert.equal(h.get('x-ratelimit-remaining-tokens'), '79000');
      const ms = durationMs(h.get('x-ratelimit-reset-requests'));
      assert.ok(ms > 50000 && ms <= 60000, `reset in ${ms} ms`);
      assert.equal(h.get('anthropic-ratelimit-requests-limit'), null, 'no Anthropic names for an OpenAI client');
    }
  });

  it('an OpenAI upstream\'s become Anthropic\'s for an Anthropic client', { timeout: TEST_TIMEOUT_MS }, async () => {
    const headers = {
      'x-mock-header-x-ratelimit-limit-requests': '500',
      'x-mock-header-x-ratelimit-remaining-requests': '499',
      'x-mock-header-x-ratelimit-reset-requests': '120ms',
      'x-mock-header-x-ratelimit-limit-tokens': '30000',
      'x-mock-header-x-ratelimit-remaining-tokens': '29000',
      'x-mock-header-x-ratelimit-reset-tokens': '6m0s',
    };
    const t0 = Date.now();
    const { response } = await anthropicClient(toOpenAi.url).messages.create(MESSAGES, { headers }).withResponse();
    const h = response.headers;
    assert.equal(h.get('anthropic-ratelimit-requests-limit'), '500');
    assert.equal(h.get('anthropic-ratelimit-requests-remaining'), '499');
    assert.equal(h.get('anthropic-ratelimit-tokens-limit'), '30000');
    assert.equal(h.get('anthropic-ratelimit-tokens-remaining'), '29000');
    const at = Date.parse(h.get('anthropic-ratelimit-tokens-reset'));
    assert.match(h.get('anthropic-ratelimit-tokens-reset'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(at >= t0 + 359000 && at <= Date.now() + 361000, `reset at ${h.get('anthropic-ratelimit-tokens-reset')}`);
    assert.equal(h.get('x-ratelimit-limit-requests'), null);
  });

  it('passed through unchanged when client and upstream speak the same API', { timeout: TEST_TIMEOUT_MS }, async () => {
    const res = await postJson(toOpenAi.url, '/v1/chat/completions', CHAT,
      { 'x-mock-header-x-ratelimit-remaining-requests': '9', 'x-mock-header-x-ratelimit-reset-requests': '1s' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-ratelimit-remaining-requests'), '9');
    assert.equal(res.headers.get('x-ratelimit-reset-requests'), '1s');
  });

  it("the gateway's own win where it limits the caller's key", { timeout: TEST_TIMEOUT_MS }, async () => {
    const key = `rg-${crypto.randomBytes(24).toString('base64url')}`;
    const gw = await startConfigGateway(gatewayToml({
      apiBase: mock.apiBase,
      keys: [{ id: 'limited', sha256: sha256Hex(key), limits: { rpm: 7 } }],
      extraUpstreams: [{ name: 'claude', url: mock.apiBase, format: 'anthropic' }],
      models: [
        { name: 'gpt-4o-mini', upstream: 'mock' },
        { name: 'claude-3-5-haiku-20241022', upstream: 'claude' },
      ],
    }));
    const upstreamSays = {
      'x-mock-header-x-ratelimit-limit-requests': '500',
      'x-mock-header-x-ratelimit-remaining-tokens': '29000',
      'x-mock-header-anthropic-ratelimit-requests-limit': '50',
      'x-mock-header-anthropic-ratelimit-tokens-remaining': '79000',
    };
    const client = openaiClient(gw.url, { apiKey: key });
    for (const model of ['gpt-4o-mini', 'claude-3-5-haiku-20241022']) {  // as is, translated
      const { response } = await client.chat.completions.create({ ...CHAT, model }, { headers: upstreamSays })
        .withResponse();
      const h = response.headers;
      assert.equal(h.get('x-ratelimit-limit-requests'), '7', `${model}: the key's own rpm`);
      assert.equal(h.get('x-ratelimit-remaining-tokens'), null, `${model}: no provider-key tokens`);
      assert.equal(h.get('anthropic-ratelimit-requests-limit'), null, model);
    }
    await gw.stop();
  });
});

describe('GET /v1/models in the client\'s shape', { timeout: 90000 }, () => {
  let gw;
  const CONFIGURED = ['gpt-4o-mini', 'fast', 'renamed-model', 'text-embedding-3-small'];
  before(async () => {
    gw = await startConfigGateway(gatewayToml({ apiBase: mock.apiBase }));
  });

  it('config mode, openai SDK: list and retrieve, unknown id 404', { timeout: TEST_TIMEOUT_MS }, async () => {
    const client = openaiClient(gw.url);
    const ids = [];
    for await (const m of client.models.list()) {
      assert.equal(m.object, 'model');
      assert.equal(typeof m.created, 'number');
      assert.equal(m.owned_by, 'ringgate');
      ids.push(m.id);
    }
    assert.deepEqual(ids, CONFIGURED);
    const fast = await client.models.retrieve('fast');
    assert.equal(fast.id, 'fast');
    assert.equal(fast.object, 'model');
    const err = await client.models.retrieve('nope').then(() => null, (e) => e);
    assert.ok(err instanceof OpenAI.NotFoundError, String(err));
    assert.equal(err.code, 'model_not_found');
  });

  it('config mode, Anthropic SDK: list (paged) and retrieve, unknown id 404', { timeout: TEST_TIMEOUT_MS }, async () => {
    const client = anthropicClient(gw.url);
    const ids = [];
    for await (const m of client.models.list()) {
      assert.equal(m.type, 'model');
      assert.equal(m.display_name, m.id);
      assert.ok(!Number.isNaN(Date.parse(m.created_at)), m.created_at);
      ids.push(m.id);
    }
    assert.deepEqual(ids, CONFIGURED);
    const paged = [];
    for await (const m of client.models.list({ limit: 1 })) paged.push(m.id);
    assert.deepEqual(paged, CONFIGURED, 'one model per page, all pages');
    const first = await client.models.list({ limit: 2 });
    assert.equal(first.has_more, true);
    assert.equal(first.first_id, 'gpt-4o-mini');
    assert.equal(first.last_id, 'fast');
    const one = await client.models.retrieve('renamed-model');
    assert.equal(one.type, 'model');
    assert.equal(one.id, 'renamed-model');
    const err = await client.models.retrieve('nope').then(() => null, (e) => e);
    assert.ok(err instanceof Anthropic.NotFoundError, String(err));
    assert.equal(err.error.type, 'error');
    assert.equal(err.error.error.type, 'not_found_error');
    assert.ok(err.requestID, 'request-id on a local answer too');
  });

  it('config mode: the client is told apart by anthropic-version or x-api-key', { timeout: TEST_TIMEOUT_MS }, async () => {
    const plain = await request(`${gw.url}/v1/models`);
    assert.equal(plain.json.object, 'list');
    const byVersion = await request(`${gw.url}/v1/models`, { headers: { 'anthropic-version': '2023-06-01' } });
    assert.equal(byVersion.json.has_more, false);
    assert.equal(byVersion.json.data[0].type, 'model');
    const byKey = await request(`${gw.url}/v1/models/fast`, { headers: { 'x-api-key': 'k' } });
    assert.equal(byKey.json.type, 'model');
    const bearer = await request(`${gw.url}/v1/models/fast`, { headers: { authorization: 'Bearer k' } });
    assert.equal(bearer.json.object, 'model');
    const bad = await request(`${gw.url}/v1/models?limit=0`, { headers: { 'anthropic-version': '2023-06-01' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.type, 'error');
  });

  it('translated: an OpenAI client listing an Anthropic-format upstream', { timeout: TEST_TIMEOUT_MS }, async () => {
    const client = openaiClient(toAnthropic.url);
    const ids = [];
    for await (const m of client.models.list()) {
      assert.equal(m.object, 'model');
      assert.equal(m.owned_by, 'anthropic');
      assert.equal(typeof m.created, 'number');
      assert.ok(m.created > 0, 'created from created_at');
      ids.push(m.id);
    }
    assert.deepEqual(ids, MOCK_MODELS);
    assert.equal((await mockLastRequest(mock)).path, '/v1/models?limit=1000', 'the whole list at once');
    const one = await client.models.retrieve('gpt-4o');
    assert.equal(one.id, 'gpt-4o');
    assert.equal(one.object, 'model');
    const err = await client.models.retrieve('nope').then(() => null, (e) => e);
    assert.ok(err instanceof OpenAI.NotFoundError, String(err));
    assert.equal(err.error.message.includes('nope'), true, JSON.stringify(err.error));
  });

  it('translated: an Anthropic client listing an OpenAI-format upstream', { timeout: TEST_TIMEOUT_MS }, async () => {
    const client = anthropicClient(toOpenAi.url);
    const ids = [];
    for await (const m of client.models.list()) {
      assert.equal(m.type, 'model');
      assert.equal(m.display_name, m.id);
      assert.equal(m.created_at, '2023-11-14T22:13:20Z');  // the mock's created: 1700000000
      ids.push(m.id);
    }
    assert.deepEqual(ids, MOCK_MODELS);
    const last = await mockLastRequest(mock);
    assert.equal(last.path, '/v1/models');
    assert.equal(last.headers['anthropic-version'], undefined, 'no Anthropic headers to an OpenAI upstream');
    const paged = [];
    for await (const m of client.models.list({ limit: 2 })) paged.push(m.id);
    assert.deepEqual(paged, MOCK_MODELS);
    const one = await client.models.retrieve('claude-3-5-haiku-20241022');
    assert.equal(one.type, 'model');
    assert.equal(one.id, 'claude-3-5-haiku-20241022');
    const err = await client.models.retrieve('nope').then(() => null, (e) => e);
    assert.ok(err instanceof Anthropic.NotFoundError, String(err));
    assert.equal(err.error.type, 'error');
  });

  it('same API on both sides: the upstream list untouched', { timeout: TEST_TIMEOUT_MS }, async () => {
    const direct = await request(`${mock.url}/v1/models`);
    const through = await request(`${toOpenAi.url}/v1/models`);
    assert.deepEqual(through.json, direct.json);
    const anth = await request(`${toAnthropic.url}/v1/models`, { headers: { 'anthropic-version': '2023-06-01' } });
    assert.equal(anth.json.has_more, false);
    assert.equal(anth.json.data.length, MOCK_MODELS.length);
  });
});

describe('an Azure OpenAI first chunk ("id": "") to an Anthropic client', { timeout: 60000 }, () => {
  it('the Anthropic SDK stream gets the message id of the first chunk that has one', { timeout: TEST_TIMEOUT_MS }, async () => {
    const client = anthropicClient(toOpenAi.url);
    const events = [];
    const stream = client.messages.stream(MESSAGES, { headers: { 'x-mock-azure-first-chunk': '1' } });
    stream.on('streamEvent', (e) => events.push(e));
    const msg = await withDeadline(stream.finalMessage(), SDK_TIMEOUT_MS, 'the stream');
    assert.equal(events[0].type, 'message_start');
    assert.match(msg.id, /^chatcmpl-/, `message id: ${msg.id}`);
    assert.equal(events.filter((e) => e.type === 'message_start').length, 1);
    assert.equal(msg.model, 'gpt-4o-mini');
    assert.ok(msg.content[0].text.length > 0);
    assert.equal(msg.stop_reason, 'max_tokens', 'the mock answers 16 tokens; max_tokens is 8');
    const direct = await postJson(mock.url, '/v1/chat/completions', { ...CHAT, max_tokens: 8 });
    assert.equal(msg.content[0].text, direct.json.choices[0].message.content);
  });

  it('on the wire: the id-less chunk yields no event of its own', { timeout: TEST_TIMEOUT_MS }, async () => {
    const res = await postJson(toOpenAi.url, '/v1/messages', { ...MESSAGES, stream: true },
      { 'anthropic-version': '2023-06-01', 'x-mock-azure-first-chunk': '1' });
    assert.equal(res.status, 200, res.text);
    const events = sseEvents(res.text);
    assert.equal(events[0].event, 'message_start');
    const start = JSON.parse(events[0].data);
    assert.match(start.message.id, /^chatcmpl-/);
    assert.equal(events.at(-1).event, 'message_stop');
  });
});
