// The tokenizer's uses (seed-defect: 000-L2 — a real tokenizer, record marked counted):
// - an upstream that reports no usage (mock --usage off) gets its usage counted: the record says
//   "counted", with our tokenizer's numbers for the prompt the upstream got and the text it made;
// - POST /v1/messages/count_tokens is answered by the gateway toward an OpenAI-format upstream
//   (x-ringgate-token-count: estimate) and forwarded to an Anthropic-format one;
// - an Anthropic client streaming from an OpenAI-format upstream gets message_start's
//   input_tokens from the gateway's count (made off the shard), or its estimate when the count
//   worker is held (RINGGATE_TEST_HOLD_COUNT_WORKER=1), with x-ringgate-input-tokens saying which.
// Expected counts come from `ringgate tokens --count` on the same texts, framed as
// providers/usage/usage_counter.h documents (3 per message + its role, +1 per name, +3 priming).
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const Anthropic = require('@anthropic-ai/sdk');
const { startMock, startConfigGateway, stopAll } = require('./lib/processes');
const { postJson, waitFor, mockLastRequest, request } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const { records } = require('./lib/records');

const PRICE = { input_per_mtok: 2, output_per_mtok: 8 };  // microdollars per token: 2 in, 8 out
const MODELS = [
  { name: 'gpt-4o-mini', upstream: 'mock', price: PRICE },
  { name: 'claude-3-5-haiku', upstream: 'anth', price: PRICE },
  { name: 'claude-via-openai', upstream: 'mock', price: PRICE },
];
const ANTHROPIC_HEADERS = { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' };

// Token counts of each text, in the encoding ringgate picks for `model`.
function counts(model, texts) {
  const r = spawnSync(process.env.RINGGATE_BIN, ['tokens', '--model', model, '--count', '-0'], {
    input: texts.join('\0'),
    env: process.env,
  });
  assert.equal(r.status, 0, `ringgate tokens failed: ${r.stderr}`);
  return r.stdout.toString().trim().split('\n').map(Number);
}
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const textOf = (c) => (typeof c === 'string' ? c : c.filter((p) => p.type === 'text').map((p) => p.text).join(''));

// OpenAI chat framing over string / text-part contents (no names or tool calls in these tests).
function chatPromptTokens(model, messages) {
  const texts = messages.flatMap((m) => [m.role, ...(typeof m.content === 'string' ? [m.content]
    : m.content.filter((p) => p.type === 'text').map((p) => p.text))]);
  return 3 * messages.length + sum(counts(model, texts)) + 3;
}

function dataOf(text) {
  return text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
}

function startGateway(mock, env = {}) {
  return startConfigGateway(gatewayToml({
    apiBase: mock.apiBase,
    extraUpstreams: [{ name: 'anth', url: mock.apiBase, format: 'anthropic' }],
    models: MODELS,
  }), { env: { RINGGATE_LOG: 'debug', ...env } });
}

describe('usage is counted when the upstream reports none', () => {
  let mock;
  let gw;
  before(async () => {
    mock = await startMock(['--usage', 'off']);
    gw = await startGateway(mock);
  });
  after(stopAll);
  const recordOf = (id) => waitFor(() => {
    const r = records(gw).get(id);
    return r && r.usage !== undefined ? r : undefined;
  }, { what: `the record of ${id}` });

  function assertCounted(r, input, output) {
    assert.equal(r.usage, 'counted', JSON.stringify(r));
    assert.equal(r.input_tokens, input, JSON.stringify(r));
    assert.equal(r.output_tokens, output, JSON.stringify(r));
    assert.ok(input > 0 && output > 0, JSON.stringify(r));
    assert.equal(r.cost_micros, input * 2 + output * 8, JSON.stringify(r));
  }

  const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'count these words, please' }] };

  it('a JSON chat answer: prompt by the chat framing, output by the text the upstream made', async () => {
    const id = 'counted-chat';
    const res = await postJson(gw.url, '/v1/chat/completions', chat, { 'x-request-id': id, 'x-mock-tokens': '9' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.usage, undefined, 'the mock reported no usage');
    const sent = JSON.parse((await mockLastRequest(mock)).body);
    assertCounted(await recordOf(id), chatPromptTokens('gpt-4o-mini', sent.messages),
      counts('gpt-4o-mini', [res.json.choices[0].message.content])[0]);
  });

  it('a chat stream: output counted from the content deltas', async () => {
    const id = 'counted-stream';
    const res = await postJson(gw.url, '/v1/chat/completions', { ...chat, stream: true },
      { 'x-request-id': id, 'x-mock-tokens': '6' });
    assert.equal(res.status, 200, res.text);
    const chunks = dataOf(res.text).filter((d) => d !== '[DONE]').map((d) => JSON.parse(d));
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    assertCounted(await recordOf(id), chatPromptTokens('gpt-4o-mini', chat.messages), counts('gpt-4o-mini', [text])[0]);
  });

  it('an Anthropic answer from an Anthropic-format upstream: system and messages framed alike', async () => {
    const id = 'counted-messages';
    const body = { model: 'claude-3-5-haiku', max_tokens: 50, system: 'Be brief.',
      messages: [{ role: 'user', content: 'count me' }] };
    const res = await postJson(gw.url, '/v1/messages', body, { ...ANTHROPIC_HEADERS, 'x-request-id': id, 'x-mock-tokens': '5' });
    assert.equal(res.status, 200, res.text);
    const input = 3 + sum(counts('claude-3-5-haiku', ['system', 'Be brief.'])) +
      3 + sum(counts('claude-3-5-haiku', ['user', 'count me'])) + 3;
    assertCounted(await recordOf(id), input, counts('claude-3-5-haiku', [textOf(res.json.content)])[0]);
  });
});

describe('POST /v1/messages/count_tokens with the Anthropic SDK', () => {
  let mock;
  let gw;
  let client;
  before(async () => {
    mock = await startMock();
    gw = await startGateway(mock);
    client = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0, timeout: 20000 });
  });
  after(stopAll);
  const params = (model) => ({ model, system: 'You count.', messages: [{ role: 'user', content: 'How many tokens is this?' }] });

  it('toward an OpenAI-format upstream the gateway answers with its own count, marked an estimate', async () => {
    const before = (await (await fetch(`${mock.url}/mock/stats`)).json()).requests;
    const { data, response } = await client.messages.countTokens(params('claude-via-openai')).withResponse();
    assert.equal(response.headers.get('x-ringgate-token-count'), 'estimate');
    const expected = 3 + sum(counts('claude-via-openai', ['system', 'You count.'])) +
      3 + sum(counts('claude-via-openai', ['user', 'How many tokens is this?'])) + 3;
    assert.equal(data.input_tokens, expected);
    const after = (await (await fetch(`${mock.url}/mock/stats`)).json()).requests;
    assert.equal(after, before, 'nothing went upstream');
  });

  it('toward an Anthropic-format upstream it is forwarded, and the upstream answers', async () => {
    const { data, response } = await client.messages.countTokens(params('claude-3-5-haiku')).withResponse();
    assert.equal(response.headers.get('x-ringgate-token-count'), null);
    const last = await mockLastRequest(mock);
    assert.equal(last.path, '/v1/messages/count_tokens');
    const direct = await request(`${mock.url}/v1/messages/count_tokens`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: last.body });
    assert.equal(data.input_tokens, direct.json.input_tokens);
  });
});

// Streams through the Anthropic SDK; returns message_start's usage, the final message and the head.
async function streamMessage(client, body) {
  const { data: stream, response } = await client.messages.create({ ...body, stream: true }).withResponse();
  let start;
  let delta;
  for await (const ev of stream) {
    if (ev.type === 'message_start') start = ev.message.usage;
    if (ev.type === 'message_delta') delta = ev.usage;
  }
  return { start, delta, headers: response.headers };
}

describe('message_start input_tokens for Anthropic clients of OpenAI-format upstreams', () => {
  const body = { model: 'claude-via-openai', max_tokens: 40, system: 'You are terse.',
    messages: [{ role: 'user', content: 'Say something about counting tokens.' }] };

  describe('with the count worker running', () => {
    let mock;
    let gw;
    let client;
    before(async () => {
      mock = await startMock();
      gw = await startGateway(mock);
      client = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0, timeout: 20000 });
    });
    after(stopAll);

    it('carries the gateway count of the translated prompt; message_delta the upstream numbers', async () => {
      const { start, delta, headers } = await streamMessage(client, body);
      const sent = JSON.parse((await mockLastRequest(mock)).body);
      assert.equal(headers.get('x-ringgate-input-tokens'), 'counted');
      assert.ok(start.input_tokens > 0);
      assert.equal(start.input_tokens, chatPromptTokens('claude-via-openai', sent.messages));
      assert.ok(delta.input_tokens > 0, 'message_delta keeps the upstream usage');
    });
  });

  describe('with the count worker held', () => {
    let mock;
    let gw;
    let client;
    before(async () => {
      mock = await startMock();
      gw = await startGateway(mock, { RINGGATE_TEST_HOLD_COUNT_WORKER: '1' });
      client = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0, timeout: 20000 });
    });
    after(stopAll);

    it('falls back to the estimate (translated body bytes / 4) and says so in a header', async () => {
      const { start, headers } = await streamMessage(client, body);
      const sent = (await mockLastRequest(mock)).body;
      assert.equal(headers.get('x-ringgate-input-tokens'), 'estimate');
      assert.equal(start.input_tokens, Math.ceil(Buffer.byteLength(sent) / 4));
    });
  });
});
