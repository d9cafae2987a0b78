// Usage off the hot path: the accounting thread reads each answer's usage from the copy of the
// upstream's own bytes (pass-through and translated, streamed or not), records it with its cost,
// and charges budgets and token buckets the real numbers instead of admission's estimate.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startMock, startConfigGateway, stopAll } = require('./lib/processes');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { postJson, waitFor, sha256Hex, CHAT } = require('./lib/http');
const { value, scrape } = require('./lib/metrics');
const { gatewayToml } = require('./lib/config');
const { records } = require('./lib/records');
const newKey = () => 'rg-' + crypto.randomBytes(32).toString('base64url');
const KEY = newKey();
const BUCKET_KEY = newKey();  // its own tokens-per-day bucket, full at the start
const PRICE = { input_per_mtok: 2, output_per_mtok: 8 };  // microdollars per token: 2 in, 8 out
const MODELS = [
  { name: 'gpt-4o-mini', upstream: 'mock', price: PRICE },
  { name: 'claude-3-5-haiku', upstream: 'anth', price: PRICE },
];

// The SSE data payloads of a streamed body.
function dataOf(text) {
  return text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
}

function postStream(base, path, body, headers = {}) {
  return postJson(base, path, { ...body, stream: true }, headers);
}

describe('accounting reads usage from the upstream', () => {
  let mock;
  let gw;
  let seq = 0;
  before(async () => {
    mock = await startMock();
    gw = await startConfigGateway(gatewayToml({
      apiBase: mock.apiBase,
      extraUpstreams: [{ name: 'anth', url: mock.apiBase, format: 'anthropic' }],
      models: MODELS,
      keys: [
        { id: 'acct', sha256: sha256Hex(KEY) },
        { id: 'bucket', sha256: sha256Hex(BUCKET_KEY), limits: { tpd: 1_000_000 } },
      ],
    }), { env: { RINGGATE_LOG: 'debug' } });
  });
  after(stopAll);

  const auth = (id, key = KEY) => ({ authorization: `Bearer ${key}`, 'x-request-id': id, 'x-mock-tokens': '7' });
  const recordOf = (id) => waitFor(() => records(gw).get(id), { what: `the record of ${id}` });
  const nextId = (what) => `acct-${what}-${++seq}`;
  const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'count me' }] };
  const messages = { model: 'claude-3-5-haiku', max_tokens: 50, messages: [{ role: 'user', content: 'count me' }] };

  function assertRecorded(r, input, output) {
    assert.equal(r.usage, 'reported', JSON.stringify(r));
    assert.equal(r.input_tokens, input, JSON.stringify(r));
    assert.equal(r.output_tokens, output, JSON.stringify(r));
    assert.equal(r.cost_micros, input * 2 + output * 8, JSON.stringify(r));
  }

  it('a JSON chat answer is recorded with the usage the upstream reported and its cost', async () => {
    const id = nextId('chat');
    const res = await postJson(gw.url, '/v1/chat/completions', chat, auth(id));
    assert.equal(res.status, 200);
    const u = res.json.usage;
    assertRecorded(await recordOf(id), u.prompt_tokens, u.completion_tokens);
    assert.equal((await recordOf(id)).finish_reason, 'stop');
  });

  it('a chat stream whose client did not ask for usage is still accounted, and the client gets no usage chunk', async () => {
    const id = nextId('stream');
    const res = await postStream(gw.url, '/v1/chat/completions', chat, auth(id));
    assert.equal(res.status, 200);
    const data = dataOf(res.text);
    assert.equal(data.at(-1), '[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    assert.ok(chunks.every((c) => c.choices.length > 0), 'no choices-less usage chunk reached the client');
    assert.equal(chunks.filter((c) => c.choices[0].delta.content).length, 7);
    const r = await recordOf(id);
    assert.equal(r.output_tokens, 7);
    assert.ok(r.input_tokens > 0);
    assertRecorded(r, r.input_tokens, 7);
  });

  it('a chat stream that asked for usage gets its usage chunk, and the record equals it', async () => {
    const id = nextId('stream-usage');
    const res = await postStream(gw.url, '/v1/chat/completions', { ...chat, stream_options: { include_usage: true } }, auth(id));
    const last = JSON.parse(dataOf(res.text).at(-2));
    assert.deepEqual(last.choices, []);
    assertRecorded(await recordOf(id), last.usage.prompt_tokens, last.usage.completion_tokens);
  });

  it('Anthropic answers, JSON and streamed, are recorded with their usage', async () => {
    const id = nextId('messages');
    const res = await postJson(gw.url, '/v1/messages', messages, { ...auth(id), 'anthropic-version': '2023-06-01' });
    assert.equal(res.status, 200);
    assertRecorded(await recordOf(id), res.json.usage.input_tokens, res.json.usage.output_tokens);
    const sid = nextId('messages-stream');
    const s = await postStream(gw.url, '/v1/messages', messages, { ...auth(sid), 'anthropic-version': '2023-06-01' });
    const events = dataOf(s.text).map((d) => JSON.parse(d));
    const start = events.find((e) => e.type === 'message_start');
    const delta = events.findLast((e) => e.type === 'message_delta');
    assertRecorded(await recordOf(sid), start.message.usage.input_tokens, delta.usage.output_tokens);
  });

  it('translated streams keep the upstream numbers, both directions', async () => {
    // An OpenAI client on the Anthropic-format deployment.
    const id = nextId('to-anthropic');
    const res = await postStream(gw.url, '/v1/chat/completions',
      { ...chat, model: 'claude-3-5-haiku', stream_options: { include_usage: true } }, auth(id));
    const usage = JSON.parse(dataOf(res.text).at(-2)).usage;
    assertRecorded(await recordOf(id), usage.prompt_tokens, usage.completion_tokens);
    // An Anthropic client on the OpenAI-format deployment: the record has the upstream's usage
    // chunk, which the translation turned into message_delta's.
    const aid = nextId('to-openai');
    const a = await postStream(gw.url, '/v1/messages', { ...messages, model: 'gpt-4o-mini' },
      { ...auth(aid), 'anthropic-version': '2023-06-01' });
    const delta = dataOf(a.text).map((d) => JSON.parse(d)).findLast((e) => e.type === 'message_delta');
    const r = await recordOf(aid);
    assert.equal(r.output_tokens, delta.usage.output_tokens);
    assert.equal(r.output_tokens, 7);
    assertRecorded(r, r.input_tokens, 7);
  });

  it('responses, embeddings and legacy completions are recorded with their usage, streamed or not', async () => {
    const rid = nextId('responses');
    const r = await postJson(gw.url, '/v1/responses', { model: 'gpt-4o-mini', input: 'count me' }, auth(rid));
    assert.equal(r.status, 200, r.text);
    assertRecorded(await recordOf(rid), r.json.usage.input_tokens, r.json.usage.output_tokens);
    const sid = nextId('responses-stream');
    const s = await postStream(gw.url, '/v1/responses', { model: 'gpt-4o-mini', input: 'count me' }, auth(sid));
    const done = dataOf(s.text).map((d) => JSON.parse(d)).find((e) => e.type === 'response.completed');
    assertRecorded(await recordOf(sid), done.response.usage.input_tokens, done.response.usage.output_tokens);
    const eid = nextId('embeddings');
    const e = await postJson(gw.url, '/v1/embeddings', { model: 'gpt-4o-mini', input: ['count', 'me'] }, auth(eid));
    assert.equal(e.status, 200, e.text);
    assertRecorded(await recordOf(eid), e.json.usage.prompt_tokens, 0);
    const cid = nextId('completions-stream');
    const c = await postStream(gw.url, '/v1/completions', { model: 'gpt-4o-mini', prompt: 'count me' }, auth(cid));
    assert.ok(dataOf(c.text).slice(0, -1).every((d) => JSON.parse(d).choices.length > 0), 'no usage chunk for the client');
    const rec = await recordOf(cid);
    assert.equal(rec.output_tokens, 7);
    assertRecorded(rec, rec.input_tokens, 7);
  });

  it("the key's token bucket is charged the real usage, not admission's estimate", async () => {
    const big = { ...chat, max_tokens: 20_000 };  // admission takes this estimate up front
    const first = nextId('bucket');
    const one = await postJson(gw.url, '/v1/chat/completions', big, auth(first, BUCKET_KEY));
    const full = 1_000_000;  // tpd
    const estimate = full - Number(one.headers.get('x-ratelimit-remaining-tokens'));
    const used = one.json.usage.prompt_tokens + one.json.usage.completion_tokens;
    await recordOf(first);  // logged once its charge was corrected
    const two = await postJson(gw.url, '/v1/chat/completions', big, auth(nextId('bucket'), BUCKET_KEY));
    const left = Number(two.headers.get('x-ratelimit-remaining-tokens'));
    // Corrected: full - used - estimate (plus a day bucket's refill of a few tokens per second).
    // Uncorrected it would be full - 2 * estimate, some 20,000 lower.
    assert.ok(left >= full - used - estimate && left <= full - used - estimate + 100,
      `remaining ${left}, estimate ${estimate}, used ${used}`);
  });
});

describe('accounting sinks: metrics and the access log', () => {
  let mock;
  let gw;
  let dir;
  before(async () => {
    mock = await startMock();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-access-'));
    gw = await startConfigGateway(gatewayToml({
      apiBase: mock.apiBase,
      models: [{ name: 'gpt-4o-mini', upstream: 'mock', price: PRICE }],
      log: { access: path.join(dir, 'access.jsonl') },
    }));
  });
  after(async () => {
    await stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('tokens and cost show in /metrics as the accounting thread reads them', async () => {
    const before = await scrape(gw);
    const res = await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: 'gpt-4o-mini' }, { 'x-mock-tokens': '9' });
    assert.equal(res.status, 200);
    const { prompt_tokens: input, completion_tokens: output } = res.json.usage;
    const labels = (kind) => ({ model: 'gpt-4o-mini', team: 'none', kind });
    const moved = await waitFor(async () => {
      const s = await scrape(gw);
      return value(s, 'ringgate_tokens_total', labels('output')) - value(before, 'ringgate_tokens_total', labels('output')) === output && s;
    }, { what: 'the output tokens to be counted' });
    assert.equal(value(moved, 'ringgate_tokens_total', labels('input')) - value(before, 'ringgate_tokens_total', labels('input')), input);
    const cost = { model: 'gpt-4o-mini', team: 'none' };
    assert.equal(value(moved, 'ringgate_cost_microdollars_total', cost) - value(before, 'ringgate_cost_microdollars_total', cost),
      input * 2 + output * 8);
  });

  it('the access log file gets one JSON line per request, with its usage', async () => {
    const id = 'access-log-1';
    await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: 'gpt-4o-mini' }, { 'x-request-id': id });
    const file = path.join(dir, 'access.jsonl');
    const line = await waitFor(() => {
      const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      return text.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((r) => r.request_id === id);
    }, { what: 'the access log line' });
    assert.equal(line.status, 200);
    assert.equal(line.usage, 'reported');
    assert.ok(line.output_tokens > 0);
  });
});

describe('a stopped accounting thread never holds a client up', () => {
  let mock;
  let gw;
  before(async () => {
    mock = await startMock();
    gw = await startConfigGateway(gatewayToml({ apiBase: mock.apiBase }),
      { env: { RINGGATE_TEST_HOLD_ACCOUNTING: '1' } });
  });
  after(stopAll);

  it('with the consumer stopped, every stream still ends whole while the drop counter rises', async () => {
    // Each answer is some 150 KiB of events: the shard's 4 MiB copy ring fills after a few dozen.
    let drops = 0;
    let streams = 0;
    await waitFor(async () => {
      const batch = await Promise.all(Array.from({ length: 8 }, () => postJson(gw.url, '/v1/chat/completions',
        { ...CHAT, stream: true }, { 'x-mock-tokens': '3000', 'x-mock-interval-ms': '0' })));
      for (const res of batch) {
        assert.equal(res.status, 200);
        assert.ok(res.text.trimEnd().endsWith('data: [DONE]'), 'the stream ended whole');
      }
      streams += batch.length;
      drops = value(await scrape(gw), 'ringgate_tap_drops_total');
      return drops > 0;
    }, { what: 'the tap ring to fill and drop', deadlineMs: 60_000 });
    assert.ok(streams <= 400, `${streams} streams before a drop`);
    await gw.stop();
    assert.equal(gw.exitCode, 0);
    assert.match(gw.stderr, /request records: \d+ consumed, 0 dropped \(ring full\); [1-9]\d* body copy frames dropped/);
  });
});
