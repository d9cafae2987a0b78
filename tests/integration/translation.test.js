// OpenAI <-> Anthropic translation on the wire: the official openai and @anthropic-ai/sdk clients
// through ringgate to the mock upstream speaking the other API (quick mode --upstream-format and
// config mode per-upstream `format`), streaming and not, with tool calls; matching formats pass
// through byte for byte; the client's own credential never reaches the upstream.
//
// Answers are checked against the upstream's own: the request the mock received is sent to the
// mock again directly, and the gateway's translated answer must say what that answer says.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const OpenAI = require('openai');
const Anthropic = require('@anthropic-ai/sdk');
const { startMock, startConfigGateway, startQuickGateway, stopAll } = require('./lib/processes');
const { postJson, mockStats, mockLastRequest, sha256Hex, assertOpenAiError } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const {
  startFormatGateway, stopFormatGateways, recordingFetch, sseEvents, upstreamRequest, askMockDirectly,
} = require('./lib/translation_helpers');

const CLIENT_KEY = `sk-client-${crypto.randomBytes(12).toString('hex')}`;
const ANTHROPIC_HEADERS = { 'x-api-key': CLIENT_KEY, 'anthropic-version': '2023-06-01' };
const OPENAI_HEADERS = { authorization: `Bearer ${CLIENT_KEY}` };

const WEATHER_PARAMS = {
  type: 'object',
  properties: { city: { type: 'string', description: 'city name' } },
  required: ['city'],
};
const TIME_PARAMS = { type: 'object', properties: { zone: { type: 'string', enum: ['UTC', 'CET'] } } };
const OPENAI_TOOLS = [
  { type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters: WEATHER_PARAMS } },
  { type: 'function', function: { name: 'get_time', parameters: TIME_PARAMS } },
];
const ANTHROPIC_TOOLS = [
  { name: 'get_weather', description: 'Current weather', input_schema: WEATHER_PARAMS },
  { name: 'get_time', input_schema: TIME_PARAMS },
];

// Text of an Anthropic or OpenAI content value: a string or a list of text blocks/parts.
function textOf(content) {
  if (typeof content === 'string') return content;
  assert.ok(Array.isArray(content), `content is neither text nor blocks: ${JSON.stringify(content)}`);
  for (const b of content) assert.equal(b.type, 'text', `non-text block: ${JSON.stringify(b)}`);
  return content.map((b) => b.text).join('');
}

// The system prompt the Anthropic upstream received, as a list of texts (one per block).
function systemTexts(system) {
  if (system === undefined) return [];
  if (typeof system === 'string') return [system];
  return system.map((b) => {
    assert.equal(b.type, 'text');
    return b.text;
  });
}

async function assertUpstreamPath(path) {
  assert.equal((await mockLastRequest(mock)).path, path, 'the request took the translating path');
}

async function requestCount(mock) {
  return (await mockStats(mock)).requests;
}

// Neither the client's Authorization nor its x-api-key reached the upstream.
async function assertNoClientCredentialUpstream(mock, expectedAuthSha = '') {
  const stats = await mockStats(mock);
  assert.equal(stats.last_authorization, expectedAuthSha);
  const last = await mockLastRequest(mock);
  for (const [name, value] of Object.entries(last.headers)) {
    const shown = typeof value === 'string' ? value : JSON.stringify(value);
    assert.ok(!shown.includes(sha256Hex(CLIENT_KEY)) && !shown.includes(sha256Hex(`Bearer ${CLIENT_KEY}`)),
      `the client's credential reached the upstream in ${name}`);
    assert.ok(!shown.includes(CLIENT_KEY), `the client's key reached the upstream in ${name}`);
  }
  if (!expectedAuthSha) {
    assert.ok(!('authorization' in last.headers), 'an Authorization header reached the upstream');
    assert.ok(!('x-api-key' in last.headers), 'an x-api-key header reached the upstream');
  }
}

// The data payloads of an OpenAI chat stream: every chunk parsed, and the [DONE] count.
function openAiStream(text) {
  const events = sseEvents(text);
  const datas = events.map((e) => e.data);
  const doneAt = datas.indexOf('[DONE]');
  assert.equal(datas.filter((d) => d === '[DONE]').length, 1, `exactly one [DONE]; got ${text}`);
  assert.equal(doneAt, datas.length - 1, 'nothing follows [DONE]');
  const chunks = datas.slice(0, -1).map((d) => JSON.parse(d));
  for (const c of chunks) {
    assert.equal(c.object, 'chat.completion.chunk');
    assert.equal(c.id, chunks[0].id, 'one id for the whole stream');
  }
  const finishing = chunks.filter((c) => c.choices.some((ch) => ch.finish_reason));
  assert.equal(finishing.length, 1, 'exactly one chunk carries finish_reason');
  return { chunks, finish: finishing[0].choices[0].finish_reason };
}

// Checks an Anthropic event stream's grammar: event names match data types, exactly one
// message_start first, content blocks opened in index order, deltas only into the open block,
// each block closed before the next opens, one message_delta after the last block, message_stop
// last. Returns the parsed events and the blocks rebuilt from them.
function anthropicStream(text) {
  const events = sseEvents(text).map((e) => {
    const data = JSON.parse(e.data);
    assert.equal(e.event, data.type, `event name and data type differ: ${JSON.stringify(e)}`);
    return data;
  });
  const types = events.map((e) => e.type).filter((t) => t !== 'ping');
  assert.equal(types[0], 'message_start', `first event: ${types[0]}`);
  assert.equal(types.filter((t) => t === 'message_start').length, 1, 'exactly one message_start');
  assert.equal(types.at(-1), 'message_stop', `last event: ${types.at(-1)}`);
  assert.equal(types.filter((t) => t === 'message_stop').length, 1, 'exactly one message_stop');
  assert.equal(types.filter((t) => t === 'message_delta').length, 1, 'exactly one message_delta');
  assert.equal(types.at(-2), 'message_delta', 'message_delta right before message_stop');
  const blocks = [];
  let open = null;
  for (const e of events) {
    if (e.type === 'content_block_start') {
      assert.equal(open, null, `block ${e.index} opened while ${open} is open`);
      assert.equal(e.index, blocks.length, 'blocks open in index order');
      open = e.index;
      blocks.push({ ...e.content_block, text: e.content_block.text ?? '', json: '' });
    } else if (e.type === 'content_block_delta') {
      assert.equal(e.index, open, `delta for block ${e.index} while ${open} is open`);
      if (e.delta.type === 'text_delta') blocks[open].text += e.delta.text;
      else if (e.delta.type === 'input_json_delta') blocks[open].json += e.delta.partial_json;
      else assert.fail(`unexpected delta ${e.delta.type}`);
    } else if (e.type === 'content_block_stop') {
      assert.equal(e.index, open, `stop for block ${e.index} while ${open} is open`);
      open = null;
    } else if (e.type === 'message_delta') {
      assert.equal(open, null, 'message_delta while a block is open');
    }
  }
  assert.equal(open, null, 'every block closed');
  return { events, blocks, delta: events.find((e) => e.type === 'message_delta') };
}

let mock;

before(async () => {
  mock = await startMock(['--tokens', '8']);
});
after(async () => {
  await stopFormatGateways();
  await stopAll();
});

describe('openai SDK -> ringgate -> Anthropic-format upstream (quick mode)', () => {
  let gw;
  let client;

  before(async () => {
    gw = await startFormatGateway({ upstream: mock.apiBase, format: 'anthropic' });
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 20000 });
  });

  it('chat, not streamed: the upstream\'s content, finish_reason and usage, mapped', async () => {
    const c = await client.chat.completions.create({
      model: 'claude-test', messages: [{ role: 'user', content: 'hello' }],
    });
    const up = await upstreamRequest(mock);
    assert.equal(up.path, '/v1/messages');
    assert.equal(up.json.model, 'claude-test');
    assert.equal(up.json.messages.length, 1);
    assert.equal(up.json.messages[0].role, 'user');
    assert.equal(textOf(up.json.messages[0].content), 'hello');
    assert.ok(Number.isInteger(up.json.max_tokens) && up.json.max_tokens > 0,
      `max_tokens defaulted for Anthropic: ${up.body}`);
    const direct = await askMockDirectly(mock, '/v1/messages', up.json);
    assert.equal(direct.stop_reason, 'end_turn');

    assert.equal(c.object, 'chat.completion');
    assert.equal(c.model, 'claude-test');
    assert.equal(c.choices.length, 1);
    assert.equal(c.choices[0].message.role, 'assistant');
    assert.equal(c.choices[0].message.content, textOf(direct.content));
    assert.equal(c.choices[0].finish_reason, 'stop');
    assert.equal(c.usage.prompt_tokens, direct.usage.input_tokens);
    assert.equal(c.usage.completion_tokens, direct.usage.output_tokens);
    assert.equal(c.usage.total_tokens, direct.usage.input_tokens + direct.usage.output_tokens);
  });

  it('max_completion_tokens becomes max_tokens; hitting it is finish_reason length', async () => {
    const c = await client.chat.completions.create({
      model: 'claude-test', max_completion_tokens: 3, messages: [{ role: 'user', content: 'hello' }],
    });
    const up = await upstreamRequest(mock);
    assert.equal(up.json.max_tokens, 3);
    assert.ok(!('max_completion_tokens' in up.json));
    const direct = await askMockDirectly(mock, '/v1/messages', up.json);
    assert.equal(direct.stop_reason, 'max_tokens');
    assert.equal(c.choices[0].finish_reason, 'length');
    assert.equal(c.choices[0].message.content, textOf(direct.content));
    assert.equal(c.usage.completion_tokens, 3);
  });

  it('the client\'s credential does not reach the upstream', async () => {
    await client.chat.completions.create({ model: 'claude-test', messages: [{ role: 'user', content: 'hi' }] });
    await assertNoClientCredentialUpstream(mock);
  });

  // seed-defect: 004-P9
  it('system messages (several, any position, developer too) arrive merged in `system`, in order', async () => {
    await client.chat.completions.create({
      model: 'claude-test',
      messages: [
        { role: 'system', content: 'S1: be terse' },
        { role: 'user', content: 'u1' },
        { role: 'developer', content: 'S2: answer in French' },
        { role: 'assistant', content: 'a1' },
        { role: 'system', content: [{ type: 'text', text: 'S3: no lists' }] },
        { role: 'user', content: 'u2' },
      ],
      stop: ['END', 'STOP'],
      temperature: 0.5,
      top_p: 0.9,
      user: 'user-42',
    });
    const up = (await upstreamRequest(mock)).json;
    assert.deepEqual(systemTexts(up.system), ['S1: be terse', 'S2: answer in French', 'S3: no lists']);
    assert.deepEqual(up.messages.map((m) => m.role), ['user', 'assistant', 'user']);
    assert.deepEqual(up.messages.map((m) => textOf(m.content)), ['u1', 'a1', 'u2']);
    assert.deepEqual(up.stop_sequences, ['END', 'STOP']);
    assert.ok(!('stop' in up), 'OpenAI\'s stop is not sent to Anthropic');
    assert.equal(up.temperature, 0.5);
    assert.equal(up.top_p, 0.9);
    assert.deepEqual(up.metadata, { user_id: 'user-42' });
    assert.ok(!('user' in up));
  });

  it('streamed via the SDK: chunks assemble the upstream\'s text; no usage chunk unless asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'claude-test', stream: true, messages: [{ role: 'user', content: 'hello' }],
    });
    let text = '';
    const finishes = [];
    let usageChunks = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
      if (chunk.usage) usageChunks += 1;
    }
    const up = await upstreamRequest(mock);
    assert.equal(up.path, '/v1/messages');
    assert.equal(up.json.stream, true);
    const direct = await askMockDirectly(mock, '/v1/messages', up.json);
    assert.equal(text, textOf(direct.content));
    assert.deepEqual(finishes, ['stop']);
    assert.equal(usageChunks, 0);
  });

  it('streamed via the SDK with include_usage: the usage chunk carries the upstream\'s counts', async () => {
    const stream = await client.chat.completions.create({
      model: 'claude-test', stream: true, stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hello there' }],
    });
    const usages = [];
    let text = '';
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usages.push(chunk.usage);
    }
    const up = await upstreamRequest(mock);
    assert.ok(!('stream_options' in up.json), 'stream_options is OpenAI-only');
    const direct = await askMockDirectly(mock, '/v1/messages', up.json);
    assert.equal(text, textOf(direct.content));
    assert.equal(usages.length, 1);
    assert.equal(usages[0].prompt_tokens, direct.usage.input_tokens);
    assert.equal(usages[0].completion_tokens, direct.usage.output_tokens);
    assert.equal(usages[0].total_tokens, direct.usage.input_tokens + direct.usage.output_tokens);
  });

  // seed-defect: 004-P9
  it('raw SSE: one role delta, content deltas, one finish, the usage chunk last, exactly one [DONE]', async () => {
    const res = await postJson(gw.url, '/v1/chat/completions', {
      model: 'claude-test', stream: true, stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hello' }],
    }, OPENAI_HEADERS);
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
    await assertUpstreamPath('/v1/messages');
    const { chunks, finish } = openAiStream(res.text);
    assert.equal(finish, 'stop');
    const last = chunks.at(-1);
    assert.deepEqual(last.choices, [], 'the usage chunk has no choices');
    assert.ok(last.usage && last.usage.completion_tokens > 0, JSON.stringify(last));
    for (const c of chunks.slice(0, -1)) assert.equal(c.usage ?? null, null, 'usage only in the last chunk');
    const roles = chunks.filter((c) => c.choices[0]?.delta?.role);
    assert.equal(roles.length, 1);
    assert.equal(roles[0].choices[0].delta.role, 'assistant');
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    const direct = await askMockDirectly(mock, '/v1/messages', (await upstreamRequest(mock)).json);
    assert.equal(text, textOf(direct.content));
    assert.equal(last.usage.completion_tokens, direct.usage.output_tokens);
    assert.equal(last.usage.prompt_tokens, direct.usage.input_tokens);
  });

  // seed-defect: 004-P9
  it('tool call, not streamed: tools mapped to input_schema, required -> any, arguments are JSON', async () => {
    const c = await client.chat.completions.create({
      model: 'claude-test', tools: OPENAI_TOOLS, tool_choice: 'required',
      messages: [{ role: 'user', content: 'weather in Paris?' }],
    });
    const up = (await upstreamRequest(mock)).json;
    assert.deepEqual(up.tools, [
      { name: 'get_weather', description: 'Current weather', input_schema: WEATHER_PARAMS },
      { name: 'get_time', input_schema: TIME_PARAMS },
    ]);
    assert.deepEqual(up.tool_choice, { type: 'any' });
    const direct = await askMockDirectly(mock, '/v1/messages', up);
    const use = direct.content.find((b) => b.type === 'tool_use');

    const choice = c.choices[0];
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.tool_calls.length, 1);
    const call = choice.message.tool_calls[0];
    assert.equal(call.type, 'function');
    assert.match(call.id, /\S/);
    assert.equal(call.function.name, use.name);
    assert.deepEqual(JSON.parse(call.function.arguments), use.input);
  });

  it('named tool_choice and parallel_tool_calls=false map to tool / disable_parallel_tool_use', async () => {
    const c = await client.chat.completions.create({
      model: 'claude-test', tools: OPENAI_TOOLS, parallel_tool_calls: false,
      tool_choice: { type: 'function', function: { name: 'get_time' } },
      messages: [{ role: 'user', content: 'what time is it?' }],
    });
    const up = (await upstreamRequest(mock)).json;
    assert.deepEqual(up.tool_choice, { type: 'tool', name: 'get_time', disable_parallel_tool_use: true });
    const call = c.choices[0].message.tool_calls[0];
    assert.equal(call.function.name, 'get_time');
    const direct = await askMockDirectly(mock, '/v1/messages', up);
    assert.deepEqual(JSON.parse(call.function.arguments), direct.content.find((b) => b.type === 'tool_use').input);
  });

  // seed-defect: 004-P9
  it('tool call, streamed: the SDK\'s assembled tool_calls have id, name and JSON arguments', async () => {
    const stream = client.chat.completions.stream({
      model: 'claude-test', tools: OPENAI_TOOLS, stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'weather in Paris?' }],
    });
    const final = await stream.finalChatCompletion();
    const up = (await upstreamRequest(mock)).json;
    const direct = await askMockDirectly(mock, '/v1/messages', up);
    const use = direct.content.find((b) => b.type === 'tool_use');
    const choice = final.choices[0];
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.tool_calls.length, 1);
    const call = choice.message.tool_calls[0];
    assert.match(call.id, /\S/);
    assert.equal(call.type, 'function');
    assert.equal(call.function.name, use.name);
    assert.deepEqual(JSON.parse(call.function.arguments), use.input);
    assert.equal(final.usage.completion_tokens, direct.usage.output_tokens);
  });

  it('tool call, raw SSE: id and name once, arguments as fragments, one [DONE]', async () => {
    const res = await postJson(gw.url, '/v1/chat/completions', {
      model: 'claude-test', stream: true, tools: OPENAI_TOOLS,
      messages: [{ role: 'user', content: 'weather in Paris?' }],
    }, OPENAI_HEADERS);
    assert.equal(res.status, 200, res.text);
    await assertUpstreamPath('/v1/messages');
    const { chunks, finish } = openAiStream(res.text);
    assert.equal(finish, 'tool_calls');
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    assert.ok(deltas.length >= 2, `tool call deltas: ${JSON.stringify(deltas)}`);
    assert.ok(deltas.every((d) => d.index === 0));
    assert.equal(deltas.filter((d) => d.id).length, 1, 'the id comes once');
    assert.match(deltas[0].id, /\S/);
    assert.equal(deltas[0].function.name, 'get_weather');
    const args = deltas.map((d) => d.function?.arguments ?? '').join('');
    const direct = await askMockDirectly(mock, '/v1/messages', (await upstreamRequest(mock)).json);
    assert.deepEqual(JSON.parse(args), direct.content.find((b) => b.type === 'tool_use').input);
  });

  // seed-defect: 004-P9
  it('tool results (parallel calls) pair with their tool_use blocks; the follow-up turn is text', async () => {
    const c = await client.chat.completions.create({
      model: 'claude-test', tools: OPENAI_TOOLS,
      messages: [
        { role: 'user', content: 'weather in Paris and Lyon?' },
        {
          role: 'assistant', content: null, tool_calls: [
            { id: 'call_paris', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_lyon', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_paris', content: 'sunny, 21C' },
        { role: 'tool', tool_call_id: 'call_lyon', content: 'rain, 14C' },
      ],
    });
    const up = (await upstreamRequest(mock)).json;
    assert.deepEqual(up.messages.map((m) => m.role), ['user', 'assistant', 'user']);
    const uses = up.messages[1].content.filter((b) => b.type === 'tool_use');
    assert.deepEqual(uses.map((u) => [u.id, u.name, u.input]), [
      ['call_paris', 'get_weather', { city: 'Paris' }],
      ['call_lyon', 'get_weather', { city: 'Lyon' }],
    ]);
    const results = up.messages[2].content;
    assert.deepEqual(results.map((r) => r.type), ['tool_result', 'tool_result']);
    assert.deepEqual(results.map((r) => [r.tool_use_id, textOf(r.content)]), [
      ['call_paris', 'sunny, 21C'],
      ['call_lyon', 'rain, 14C'],
    ]);
    const direct = await askMockDirectly(mock, '/v1/messages', up);
    assert.equal(c.choices[0].finish_reason, 'stop');
    assert.equal(c.choices[0].message.content, textOf(direct.content));
    assert.ok(!c.choices[0].message.tool_calls?.length);
  });

  it('images: data URLs become base64 sources, http URLs url sources', async () => {
    await client.chat.completions.create({
      model: 'claude-test',
      messages: [{
        role: 'user', content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'low' } },
        ],
      }],
    });
    const up = (await upstreamRequest(mock)).json;
    assert.deepEqual(up.messages[0].content, [
      { type: 'text', text: 'what is this?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  it('response_format json_schema: a forced tool upstream, JSON content for the client', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const c = await client.chat.completions.create({
      model: 'claude-test', messages: [{ role: 'user', content: 'a city, as JSON' }],
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema } },
    });
    const up = (await upstreamRequest(mock)).json;
    assert.equal(up.tools.length, 1);
    assert.equal(up.tools[0].name, 'answer');
    assert.deepEqual(up.tools[0].input_schema, schema);
    assert.deepEqual(up.tool_choice, { type: 'tool', name: 'answer' });
    const direct = await askMockDirectly(mock, '/v1/messages', up);
    const use = direct.content.find((b) => b.type === 'tool_use');
    assert.equal(c.choices[0].finish_reason, 'stop');
    assert.ok(!c.choices[0].message.tool_calls?.length, 'the forced tool is not shown as a tool call');
    assert.deepEqual(JSON.parse(c.choices[0].message.content), use.input);
  });

  for (const [header, what] of [
    ['x-mock-error-after-events', 'an error event'],
    ['x-mock-disconnect-after-events', 'a cut connection'],
  ]) {
    it(`upstream stream ends in ${what}: the SDK raises, the raw stream has an error and no finish`, async () => {
      const body = { model: 'claude-test', stream: true, messages: [{ role: 'user', content: 'hello' }] };
      const headers = { [header]: '4' };
      await assert.rejects(async () => {
        const r = await client.chat.completions.create(body, { headers });
        for await (const chunk of r) void chunk;
      }, (err) => {
        assert.ok(err instanceof OpenAI.APIError, `got ${err}`);
        return true;
      });
      const res = await postJson(gw.url, '/v1/chat/completions', body, { ...OPENAI_HEADERS, ...headers });
      await assertUpstreamPath('/v1/messages');
      assert.equal(res.status, 200);
      const datas = sseEvents(res.text).map((e) => e.data);
      assert.ok(datas.filter((d) => d === '[DONE]').length <= 1, res.text);
      assert.ok(!datas.includes('[DONE]') || datas.at(-1) === '[DONE]', 'nothing follows [DONE]');
      const payloads = datas.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d));
      const errors = payloads.filter((p) => p.error);
      assert.equal(errors.length, 1, res.text);
      assert.equal(typeof errors[0].error.message, 'string');
      assert.equal(typeof errors[0].error.type, 'string');
      assert.ok(!payloads.some((p) => p.choices?.some((c) => c.finish_reason)), 'an incomplete stream has no finish');
    });
  }

  for (const [field, patch] of [
    ['n', { n: 2 }],
    ['logprobs', { logprobs: true }],
    ['seed', { seed: 7 }],
    ['frequency_penalty', { frequency_penalty: 0.5 }],
  ]) {
    it(`unmappable ${field}: 400 in OpenAI's shape naming it, nothing sent upstream`, async () => {
      const before = await requestCount(mock);
      const body = { model: 'claude-test', messages: [{ role: 'user', content: 'hello' }], ...patch };
      await assert.rejects(client.chat.completions.create(body), (err) => {
        assert.ok(err instanceof OpenAI.BadRequestError, `got ${err}`);
        assert.equal(err.status, 400);
        return true;
      });
      const res = await postJson(gw.url, '/v1/chat/completions', body, OPENAI_HEADERS);
      const e = assertOpenAiError(res, 400);
      assert.equal(e.type, 'invalid_request_error');
      assert.ok(e.param === field || e.message.includes(`'${field}'`) || e.message.includes(`"${field}"`),
        `the error names ${field}: ${res.text}`);
      assert.equal(await requestCount(mock), before, 'the request reached the upstream');
    });
  }

  for (const [status, sdkError, type] of [
    [529, OpenAI.APIError, undefined],
    [400, OpenAI.BadRequestError, 'invalid_request_error'],
  ]) {
    for (const stream of [false, true]) {
      it(`upstream ${status}${stream ? ', streamed' : ''}: an OpenAI-shaped error the SDK raises`, async () => {
        const body = { model: 'claude-test', stream, messages: [{ role: 'user', content: 'hello' }] };
        const headers = { 'x-mock-fail-status': String(status) };
        await assert.rejects(async () => {
          const r = await client.chat.completions.create(body, { headers });
          if (stream) for await (const chunk of r) void chunk;
        }, (err) => {
          assert.ok(err instanceof sdkError, `got ${err}`);
          if (status === 400) assert.equal(err.status, 400);
          else assert.ok(err.status >= 500 && err.status <= 599, `status ${err.status}`);
          assert.equal(err.error?.message, 'mock injected failure');
          return true;
        });
        const res = await postJson(gw.url, '/v1/chat/completions', body, { ...OPENAI_HEADERS, ...headers });
        await assertUpstreamPath('/v1/messages');
        const e = assertOpenAiError(res, res.status);
        if (type) assert.equal(e.type, type);
      });
    }
  }
});

describe('@anthropic-ai/sdk -> ringgate -> OpenAI-format upstream (quick mode)', () => {
  let gw;
  let client;

  before(async () => {
    gw = await startFormatGateway({ upstream: mock.apiBase, format: 'openai' });
    client = new Anthropic({ baseURL: gw.url, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 20000 });
  });

  it('messages.create, not streamed: system, stop_sequences, metadata mapped; answer and usage mapped back', async () => {
    const msg = await client.messages.create({
      model: 'gpt-test', max_tokens: 64, system: 'be terse', temperature: 0.3,
      stop_sequences: ['END'], metadata: { user_id: 'user-7' },
      messages: [{ role: 'user', content: 'hello' }],
    });
    const up = await upstreamRequest(mock);
    assert.equal(up.path, '/v1/chat/completions');
    const body = up.json;
    assert.equal(body.model, 'gpt-test');
    assert.deepEqual(body.messages.map((m) => [m.role, textOf(m.content)]), [['system', 'be terse'], ['user', 'hello']]);
    assert.equal(body.max_tokens ?? body.max_completion_tokens, 64);
    assert.deepEqual(body.stop, ['END']);
    assert.equal(body.temperature, 0.3);
    assert.equal(body.user, 'user-7');
    assert.ok(!('metadata' in body) && !('system' in body) && !('stop_sequences' in body));
    const direct = await askMockDirectly(mock, '/v1/chat/completions', body);

    assert.equal(msg.type, 'message');
    assert.equal(msg.role, 'assistant');
    assert.equal(msg.model, 'gpt-test');
    assert.deepEqual(msg.content.map((b) => b.type), ['text']);
    assert.equal(msg.content[0].text, direct.choices[0].message.content);
    assert.equal(msg.stop_reason, 'end_turn');
    assert.equal(msg.usage.input_tokens, direct.usage.prompt_tokens);
    assert.equal(msg.usage.output_tokens, direct.usage.completion_tokens);
  });

  it('hitting max_tokens is stop_reason max_tokens', async () => {
    const msg = await client.messages.create({
      model: 'gpt-test', max_tokens: 3, messages: [{ role: 'user', content: 'hello' }],
    });
    const direct = await askMockDirectly(mock, '/v1/chat/completions', (await upstreamRequest(mock)).json);
    assert.equal(direct.choices[0].finish_reason, 'length');
    assert.equal(msg.stop_reason, 'max_tokens');
    assert.equal(msg.content[0].text, direct.choices[0].message.content);
  });

  it('the client\'s credential does not reach the upstream', async () => {
    await client.messages.create({ model: 'gpt-test', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
    await assertNoClientCredentialUpstream(mock);
  });

  it('streamed via the SDK: finalMessage() has the upstream\'s text and usage; one message_start', async () => {
    const stream = client.messages.stream({
      model: 'gpt-test', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }],
    });
    const types = [];
    stream.on('streamEvent', (e) => types.push(e.type));
    const final = await stream.finalMessage();
    const up = (await upstreamRequest(mock)).json;
    assert.equal(up.stream, true);
    assert.deepEqual(up.stream_options, { include_usage: true });
    const direct = await askMockDirectly(mock, '/v1/chat/completions', up);
    assert.deepEqual(final.content.map((b) => b.type), ['text']);
    assert.equal(final.content[0].text, direct.choices[0].message.content);
    assert.equal(final.stop_reason, 'end_turn');
    assert.equal(final.usage.output_tokens, direct.usage.completion_tokens);
    assert.equal(types[0], 'message_start');
    assert.equal(types.filter((t) => t === 'message_start').length, 1);
    assert.equal(types.at(-1), 'message_stop');
  });

  // seed-defect: 004-P9
  it('raw SSE: one message_start, blocks opened and closed in order, usage in message_delta', async () => {
    const res = await postJson(gw.url, '/v1/messages', {
      model: 'gpt-test', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hello' }],
    }, ANTHROPIC_HEADERS);
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
    await assertUpstreamPath('/v1/chat/completions');
    const { blocks, delta } = anthropicStream(res.text);
    const direct = await askMockDirectly(mock, '/v1/chat/completions', (await upstreamRequest(mock)).json);
    assert.deepEqual(blocks.map((b) => b.type), ['text']);
    assert.equal(blocks[0].text, direct.choices[0].message.content);
    assert.equal(delta.delta.stop_reason, 'end_turn');
    assert.equal(delta.usage.output_tokens, direct.usage.completion_tokens);
    assert.equal(delta.usage.input_tokens ?? direct.usage.prompt_tokens, direct.usage.prompt_tokens);
  });

  // seed-defect: 004-P9
  it('tool_use, not streamed: tools mapped to functions, any -> required, input is the arguments', async () => {
    const msg = await client.messages.create({
      model: 'gpt-test', max_tokens: 64, tools: ANTHROPIC_TOOLS, tool_choice: { type: 'any' },
      messages: [{ role: 'user', content: 'weather in Paris?' }],
    });
    const up = (await upstreamRequest(mock)).json;
    assert.deepEqual(up.tools, [
      { type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters: WEATHER_PARAMS } },
      { type: 'function', function: { name: 'get_time', parameters: TIME_PARAMS } },
    ]);
    assert.equal(up.tool_choice, 'required');
    const direct = await askMockDirectly(mock, '/v1/chat/completions', up);
    const call = direct.choices[0].message.tool_calls[0];
    assert.equal(msg.stop_reason, 'tool_use');
    const uses = msg.content.filter((b) => b.type === 'tool_use');
    assert.equal(uses.length, 1);
    assert.match(uses[0].id, /\S/);
    assert.equal(uses[0].name, call.function.name);
    assert.deepEqual(uses[0].input, JSON.parse(call.function.arguments));
  });

  it('named tool_choice and disable_parallel_tool_use map to a function choice / parallel_tool_calls', async () => {
    const msg = await client.messages.create({
      model: 'gpt-test', max_tokens: 64, tools: ANTHROPIC_TOOLS,
      tool_choice: { type: 'tool', name: 'get_time', disable_parallel_tool_use: true },
      messages: [{ role: 'user', content: 'what time is it?' }],
    });
    const up = (await upstreamRequest(mock)).json;
    assert.deepEqual(up.tool_choice, { type: 'function', function: { name: 'get_time' } });
    assert.equal(up.parallel_tool_calls, false);
    const use = msg.content.find((b) => b.type === 'tool_use');
    assert.equal(use.name, 'get_time');
    const direct = await askMockDirectly(mock, '/v1/chat/completions', up);
    assert.deepEqual(use.input, JSON.parse(direct.choices[0].message.tool_calls[0].function.arguments));
  });

  // seed-defect: 004-P9
  it('tool_use, streamed: the SDK parses the input from input_json_delta', async () => {
    const stream = client.messages.stream({
      model: 'gpt-test', max_tokens: 64, tools: ANTHROPIC_TOOLS,
      messages: [{ role: 'user', content: 'weather in Paris?' }],
    });
    const final = await stream.finalMessage();
    const direct = await askMockDirectly(mock, '/v1/chat/completions', (await upstreamRequest(mock)).json);
    const call = direct.choices[0].message.tool_calls[0];
    assert.equal(final.stop_reason, 'tool_use');
    const uses = final.content.filter((b) => b.type === 'tool_use');
    assert.equal(uses.length, 1);
    assert.match(uses[0].id, /\S/);
    assert.equal(uses[0].name, call.function.name);
    assert.deepEqual(uses[0].input, JSON.parse(call.function.arguments));
    assert.equal(final.usage.output_tokens, direct.usage.completion_tokens);
  });

  it('tool_use, raw SSE: a tool_use block with empty input, then input_json_delta fragments', async () => {
    const res = await postJson(gw.url, '/v1/messages', {
      model: 'gpt-test', max_tokens: 64, stream: true, tools: ANTHROPIC_TOOLS,
      messages: [{ role: 'user', content: 'weather in Paris?' }],
    }, ANTHROPIC_HEADERS);
    assert.equal(res.status, 200, res.text);
    await assertUpstreamPath('/v1/chat/completions');
    const { blocks, delta } = anthropicStream(res.text);
    const direct = await askMockDirectly(mock, '/v1/chat/completions', (await upstreamRequest(mock)).json);
    const call = direct.choices[0].message.tool_calls[0];
    const uses = blocks.filter((b) => b.type === 'tool_use');
    assert.equal(uses.length, 1);
    assert.deepEqual(uses[0].input, {});
    assert.equal(uses[0].name, call.function.name);
    assert.match(uses[0].id, /\S/);
    assert.deepEqual(JSON.parse(uses[0].json), JSON.parse(call.function.arguments));
    assert.equal(delta.delta.stop_reason, 'tool_use');
  });

  const TOOL_HISTORY = [
    { role: 'user', content: 'weather in Paris and Lyon?' },
    {
      role: 'assistant', content: [
        { type: 'text', text: 'Checking both.' },
        { type: 'tool_use', id: 'toolu_paris', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'toolu_lyon', name: 'get_weather', input: { city: 'Lyon' } },
      ],
    },
  ];
  const TOOL_RESULTS = [
    { type: 'tool_result', tool_use_id: 'toolu_paris', content: 'sunny, 21C' },
    { type: 'tool_result', tool_use_id: 'toolu_lyon', content: [{ type: 'text', text: 'rain, 14C' }] },
  ];

  // Checks the OpenAI messages made of TOOL_HISTORY and TOOL_RESULTS: the assistant's text and
  // tool_calls, then one tool message per result right after it, in order.
  function assertToolTurns(messages) {
    const assistant = messages[1];
    assert.equal(assistant.role, 'assistant');
    assert.equal(textOf(assistant.content), 'Checking both.');
    assert.deepEqual(assistant.tool_calls.map((c) => [c.id, c.type, c.function.name, JSON.parse(c.function.arguments)]), [
      ['toolu_paris', 'function', 'get_weather', { city: 'Paris' }],
      ['toolu_lyon', 'function', 'get_weather', { city: 'Lyon' }],
    ]);
    assert.deepEqual(messages.slice(2, 4).map((m) => [m.role, m.tool_call_id, textOf(m.content)]), [
      ['tool', 'toolu_paris', 'sunny, 21C'],
      ['tool', 'toolu_lyon', 'rain, 14C'],
    ]);
  }

  // seed-defect: 004-P9
  it('tool_result follow-up: tool messages pair with the tool_calls; the answer is text', async () => {
    const msg = await client.messages.create({
      model: 'gpt-test', max_tokens: 64, tools: ANTHROPIC_TOOLS,
      messages: [...TOOL_HISTORY, { role: 'user', content: TOOL_RESULTS }],
    });
    const up = (await upstreamRequest(mock)).json;
    assert.deepEqual(up.messages.map((m) => m.role), ['user', 'assistant', 'tool', 'tool']);
    assertToolTurns(up.messages);
    const direct = await askMockDirectly(mock, '/v1/chat/completions', up);
    assert.equal(direct.choices[0].finish_reason, 'stop');
    assert.equal(msg.stop_reason, 'end_turn');
    assert.deepEqual(msg.content.map((b) => b.type), ['text']);
    assert.equal(msg.content[0].text, direct.choices[0].message.content);
  });

  it('tool_result with user text in the same turn: tool messages first, then the user message', async () => {
    await client.messages.create({
      model: 'gpt-test', max_tokens: 64, tools: ANTHROPIC_TOOLS,
      messages: [...TOOL_HISTORY, { role: 'user', content: [...TOOL_RESULTS, { type: 'text', text: 'which is warmer?' }] }],
    });
    const up = (await upstreamRequest(mock)).json;
    assert.deepEqual(up.messages.map((m) => m.role), ['user', 'assistant', 'tool', 'tool', 'user']);
    assertToolTurns(up.messages);
    assert.equal(textOf(up.messages[4].content), 'which is warmer?');
  });

  for (const [header, what] of [
    ['x-mock-error-after-events', 'an error event'],
    ['x-mock-disconnect-after-events', 'a cut connection'],
  ]) {
    it(`upstream stream ends in ${what}: the SDK raises, the raw stream ends in an error event`, async () => {
      const body = { model: 'gpt-test', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hello' }] };
      const headers = { [header]: '3' };
      await assert.rejects(client.messages.stream(body, { headers }).finalMessage(), (err) => {
        assert.ok(err instanceof Anthropic.APIError, `got ${err}`);
        return true;
      });
      const res = await postJson(gw.url, '/v1/messages', body, { ...ANTHROPIC_HEADERS, ...headers });
      await assertUpstreamPath('/v1/chat/completions');
      assert.equal(res.status, 200);
      const events = sseEvents(res.text).map((e) => ({ name: e.event, data: JSON.parse(e.data) }));
      assert.equal(events.filter((e) => e.data.type === 'message_start').length, 1, res.text);
      assert.equal(events.at(-1).name, 'error', res.text);
      assert.equal(events.at(-1).data.type, 'error');
      assert.equal(typeof events.at(-1).data.error.type, 'string');
      assert.equal(typeof events.at(-1).data.error.message, 'string');
      assert.ok(!events.some((e) => e.data.type === 'message_stop'), 'an incomplete stream has no message_stop');
    });
  }

  // A model quick mode knows nothing about is not taken to reason: thinking has no equivalent
  // there and, by default, is dropped and named.
  for (const stream of [false, true]) {
    it(`thinking toward a model that does not reason${stream ? ', streamed' : ''}: dropped, named in x-ringgate-dropped-fields`, async () => {
      const body = {
        model: 'gpt-test', max_tokens: 2048, stream, thinking: { type: 'enabled', budget_tokens: 1024 },
        messages: [{ role: 'user', content: 'hello' }],
      };
      const res = await postJson(gw.url, '/v1/messages', body, ANTHROPIC_HEADERS);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers.get('x-ringgate-dropped-fields'), 'thinking');
      const up = (await upstreamRequest(mock)).json;
      assert.ok(!('reasoning_effort' in up) && !('thinking' in up), JSON.stringify(up));
      const msg = await client.messages.create({ ...body, stream: false });
      assert.equal(msg.type, 'message');
    });
  }

  it('a field without an equivalent under --unsupported-fields refuse: 400 in Anthropic\'s shape naming it, nothing sent upstream', async () => {
    const strict = await startQuickGateway({
      upstream: mock.apiBase, extraArgs: ['--upstream-format', 'openai', '--unsupported-fields', 'refuse'],
    });
    const strictClient = new Anthropic({ baseURL: strict.url, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 20000 });
    const before = await requestCount(mock);
    for (const [extra, field] of [
      [{ thinking: { type: 'enabled', budget_tokens: 1024 } }, 'thinking'],
      [{ context_management: { edits: [] } }, 'context_management'],
      [{ system: [{ type: 'text', text: 's', cache_control: { type: 'ephemeral' } }] }, 'system[0].cache_control'],
    ]) {
      const body = { model: 'gpt-test', max_tokens: 2048, messages: [{ role: 'user', content: 'hello' }], ...extra };
      await assert.rejects(strictClient.messages.create(body), (err) => {
        assert.ok(err instanceof Anthropic.BadRequestError, `got ${err}`);
        assert.equal(err.status, 400);
        return true;
      });
      const res = await postJson(strict.url, '/v1/messages', body, ANTHROPIC_HEADERS);
      assert.equal(res.status, 400, res.text);
      assert.equal(res.json?.type, 'error', res.text);
      assert.equal(res.json.error.type, 'invalid_request_error');
      assert.ok(res.json.error.message.includes(field), res.json.error.message);
    }
    assert.equal(await requestCount(mock), before, 'a refused request reached the upstream');
  });

  it('--reasoning: thinking and output_config.effort become reasoning_effort; reasoning_content comes back as thinking', async () => {
    const reasoning = await startQuickGateway({
      upstream: mock.apiBase, extraArgs: ['--upstream-format', 'openai', '--reasoning'],
    });
    const rc = new Anthropic({ baseURL: reasoning.url, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 20000 });
    const msg = await rc.messages.create({
      model: 'gpt-test', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 10000 },
      messages: [{ role: 'user', content: 'hello' }],
    });
    let up = (await upstreamRequest(mock)).json;
    assert.equal(up.reasoning_effort, 'medium');
    assert.equal(up.max_completion_tokens, 2048, 'reasoning models get max_completion_tokens');
    assert.deepEqual(msg.content.map((b) => b.type), ['thinking', 'text']);
    assert.equal(msg.content[0].thinking, 'Thinking at medium effort.');
    assert.equal(typeof msg.content[0].signature, 'string');
    const streamed = await rc.messages.stream({
      model: 'gpt-test', max_tokens: 2048, thinking: { type: 'adaptive' }, output_config: { effort: 'low' },
      messages: [{ role: 'user', content: 'hello' }],
    }).finalMessage();
    up = (await upstreamRequest(mock)).json;
    assert.equal(up.reasoning_effort, 'low');
    assert.deepEqual(streamed.content.map((b) => b.type), ['thinking', 'text']);
    assert.equal(streamed.content[0].thinking, 'Thinking at low effort.');
    assert.equal(typeof streamed.content[0].signature, 'string');
  });

  for (const [status, sdkError, type] of [
    [529, Anthropic.APIError, undefined],
    [400, Anthropic.BadRequestError, 'invalid_request_error'],
  ]) {
    for (const stream of [false, true]) {
      it(`upstream ${status}${stream ? ', streamed' : ''}: an Anthropic-shaped error the SDK raises`, async () => {
        const body = { model: 'gpt-test', max_tokens: 64, stream, messages: [{ role: 'user', content: 'hello' }] };
        const headers = { 'x-mock-fail-status': String(status) };
        await assert.rejects(async () => {
          const r = await client.messages.create(body, { headers });
          if (stream) for await (const ev of r) void ev;
        }, (err) => {
          assert.ok(err instanceof sdkError, `got ${err}`);
          if (status === 400) assert.equal(err.status, 400);
          else assert.ok(err.status >= 500 && err.status <= 599, `status ${err.status}`);
          assert.equal(err.error?.type, 'error', JSON.stringify(err.error));
          assert.equal(err.error.error.message, 'mock injected failure');
          return true;
        });
        const res = await postJson(gw.url, '/v1/messages', body, { ...ANTHROPIC_HEADERS, ...headers });
        await assertUpstreamPath('/v1/chat/completions');
        assert.equal(res.json?.type, 'error', res.text);
        assert.equal(typeof res.json.error.type, 'string');
        if (type) assert.equal(res.json.error.type, type);
      });
    }
  }
});

describe('matching formats pass through untouched (quick mode)', () => {
  it('openai SDK -> OpenAI-format upstream: the body the mock got is the SDK\'s, byte for byte', async () => {
    const gw = await startFormatGateway({ upstream: mock.apiBase, format: 'openai' });
    const rec = recordingFetch();
    const client = new OpenAI({
      baseURL: `${gw.url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 20000, fetch: rec.fetch,
    });
    const bodies = [
      { model: 'gpt-test', messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'hello' }], n: 1 },
      { model: 'gpt-test', messages: [{ role: 'user', content: 'weather?' }], tools: OPENAI_TOOLS, stream: true },
    ];
    for (const body of bodies) {
      const r = await client.chat.completions.create(body);
      if (body.stream) for await (const chunk of r) void chunk;
      const sent = rec.lastBody();
      assert.equal(typeof sent, 'string');
      // A stream the client did not ask usage for is the one change: the gateway asks for it
      // (the body's first member), for its accounting, and keeps the usage chunk from the client.
      const expected = body.stream ? `{"stream_options":{"include_usage":true},${sent.slice(1)}` : sent;
      const stats = await mockStats(mock);
      assert.equal(stats.last_path, '/v1/chat/completions');
      assert.equal(stats.last_body_sha256, sha256Hex(expected));
      assert.equal((await mockLastRequest(mock)).body, expected);
      await assertNoClientCredentialUpstream(mock);
    }
    await gw.stop();
  });

  it('anthropic SDK -> Anthropic-format upstream: the body the mock got is the SDK\'s, byte for byte', async () => {
    const gw = await startFormatGateway({ upstream: mock.apiBase, format: 'anthropic' });
    const rec = recordingFetch();
    const client = new Anthropic({ baseURL: gw.url, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 20000, fetch: rec.fetch });
    const bodies = [
      { model: 'claude-test', max_tokens: 64, system: 'S', messages: [{ role: 'user', content: 'hello' }] },
      { model: 'claude-test', max_tokens: 64, tools: ANTHROPIC_TOOLS, messages: [{ role: 'user', content: 'weather?' }] },
    ];
    for (const body of bodies) {
      await client.messages.create(body);
      await client.messages.stream(body).finalMessage();
      const sent = rec.lastBody();
      assert.equal(typeof sent, 'string');
      const stats = await mockStats(mock);
      assert.equal(stats.last_path, '/v1/messages');
      assert.equal(stats.last_body_sha256, sha256Hex(sent));
      assert.equal((await mockLastRequest(mock)).body, sent);
      await assertNoClientCredentialUpstream(mock);
    }
    await gw.stop();
  });
});

describe('config mode: per-upstream format, default_max_tokens, provider keys', () => {
  const ANTHROPIC_KEY = `sk-ant-upstream-${crypto.randomBytes(12).toString('hex')}`;
  const OPENAI_KEY = `sk-oai-upstream-${crypto.randomBytes(12).toString('hex')}`;
  let gw;
  let openai;
  let anthropic;

  before(async () => {
    const toml = gatewayToml({
      apiBase: mock.apiBase,
      upstream: { name: 'anth', format: 'anthropic', api_key: 'env:RG_TR_ANTHROPIC_KEY' },
      extraUpstreams: [{ name: 'oai', url: mock.apiBase, format: 'openai', api_key: 'env:RG_TR_OPENAI_KEY' }],
      models: [
        { name: 'claude-cfg', upstream: 'anth', upstream_model: 'claude-upstream-id', default_max_tokens: 777 },
        { name: 'gpt-cfg', upstream: 'oai' },
      ],
    });
    gw = await startConfigGateway(toml, { env: { RG_TR_ANTHROPIC_KEY: ANTHROPIC_KEY, RG_TR_OPENAI_KEY: OPENAI_KEY } });
    openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 20000 });
    anthropic = new Anthropic({ baseURL: gw.url, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 20000 });
  });

  it('openai SDK to an anthropic upstream: max_tokens is the model\'s default_max_tokens when absent', async () => {
    const c = await openai.chat.completions.create({
      model: 'claude-cfg', messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'hello' }],
    });
    const up = await upstreamRequest(mock);
    assert.equal(up.path, '/v1/messages');
    assert.equal(up.json.model, 'claude-upstream-id');
    assert.equal(up.json.max_tokens, 777);
    assert.deepEqual(systemTexts(up.json.system), ['S']);
    const direct = await askMockDirectly(mock, '/v1/messages', up.json);
    assert.equal(c.choices[0].message.content, textOf(direct.content));
    assert.equal(c.model, 'claude-cfg');
  });

  it('openai SDK to an anthropic upstream: the configured key goes as x-api-key, not the client\'s', async () => {
    await openai.chat.completions.create({ model: 'claude-cfg', messages: [{ role: 'user', content: 'hi' }] });
    const stats = await mockStats(mock);
    assert.equal(stats.last_authorization_header, 'x-api-key');
    await assertNoClientCredentialUpstream(mock, sha256Hex(ANTHROPIC_KEY));
    assert.ok(!('authorization' in (await mockLastRequest(mock)).headers));
  });

  it('anthropic SDK to an openai upstream, streamed: translated, and the configured key as Bearer', async () => {
    const final = await anthropic.messages.stream({
      model: 'gpt-cfg', max_tokens: 32, system: 'S', messages: [{ role: 'user', content: 'hello' }],
    }).finalMessage();
    const up = await upstreamRequest(mock);
    assert.ok(!('x-api-key' in up.headers));
    const stats = await mockStats(mock);
    assert.equal(stats.last_authorization_header, 'authorization');
    await assertNoClientCredentialUpstream(mock, sha256Hex(`Bearer ${OPENAI_KEY}`));
    assert.equal(up.path, '/v1/chat/completions');
    assert.deepEqual(up.json.messages.map((m) => m.role), ['system', 'user']);
    const direct = await askMockDirectly(mock, '/v1/chat/completions', up.json);
    assert.equal(final.content[0].text, direct.choices[0].message.content);
  });

  it('neither provider key nor the client key appears in the gateway\'s output', async () => {
    for (const key of [ANTHROPIC_KEY, OPENAI_KEY, CLIENT_KEY]) {
      assert.ok(!gw.stdout.includes(key) && !gw.stderr.includes(key), 'a key leaked into the gateway output');
    }
  });
});
