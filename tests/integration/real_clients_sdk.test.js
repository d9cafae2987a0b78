// The official SDKs' helpers, unmodified, through ringgate to the mock: pass-through and
// translated to the other format. translation.test.js checks the wire; this file checks that the
// helpers people build on (stream accumulators, runTools, retries, countTokens, error classes)
// get what they expect, on every route.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const OpenAI = require('openai');
const Anthropic = require('@anthropic-ai/sdk');
const { startMock, stopAll } = require('./lib/processes');
const { mockStats } = require('./lib/http');
const { startFormatGateway, stopFormatGateways } = require('./lib/translation_helpers');

const CLIENT_KEY = 'sk-real-client-test';
const WEATHER = {
  type: 'object',
  properties: { city: { type: 'string' } },
  required: ['city'],
};
const USER = [{ role: 'user', content: 'weather in Paris?' }];

let mock;
before(async () => {
  mock = await startMock(['--tokens', '6']);
});
after(async () => {
  await stopFormatGateways();
  await stopAll();
});

// How many requests the mock has answered so far.
async function mockRequests() {
  return (await mockStats(mock)).requests;
}

const OPENAI_ROUTES = [
  { label: 'pass-through', format: 'openai' },
  { label: 'translated to Anthropic Messages', format: 'anthropic' },
];

for (const route of OPENAI_ROUTES) {
  describe(`openai SDK, ${route.label}`, () => {
    let client;
    before(async () => {
      const gw = await startFormatGateway({ upstream: mock.apiBase, format: route.format });
      client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 20000 });
    });

    it('chat.completions.stream() with include_usage: finalChatCompletion() has text, finish and usage', async () => {
      const stream = client.chat.completions.stream({
        model: 'gpt-test', max_tokens: 64, messages: USER, stream_options: { include_usage: true },
      });
      let deltas = '';
      stream.on('content', (d) => { deltas += d; });
      const final = await stream.finalChatCompletion();
      assert.equal(final.choices[0].message.content, deltas);
      assert.equal(deltas.trim().split(/\s+/).length, 6);
      assert.equal(final.choices[0].finish_reason, 'stop');
      assert.equal(final.usage.completion_tokens, 6);
      assert.ok(final.usage.prompt_tokens > 0);
    });

    it('stream() with tools: the accumulated tool call has id, name and parseable arguments', async () => {
      const stream = client.chat.completions.stream({
        model: 'gpt-test', max_tokens: 64, messages: USER,
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: WEATHER } }],
      });
      const final = await stream.finalChatCompletion();
      const call = final.choices[0].message.tool_calls[0];
      assert.equal(final.choices[0].finish_reason, 'tool_calls');
      assert.match(call.id, /\S/);
      assert.equal(call.function.name, 'get_weather');
      assert.equal(typeof JSON.parse(call.function.arguments), 'object');
    });

    it('runTools(): runs the tool, sends its result back, ends with the model\'s text', async () => {
      const calls = [];
      const runner = client.chat.completions.runTools({
        model: 'gpt-test', max_tokens: 64, messages: USER,
        tools: [{
          type: 'function',
          function: {
            name: 'get_weather', parameters: WEATHER, parse: JSON.parse,
            function: (args) => { calls.push(args); return { temperature_c: 21 }; },
          },
        }],
      });
      const text = await runner.finalContent();
      assert.equal(calls.length, 1);
      assert.equal(typeof calls[0], 'object');
      assert.match(text, /\S/);
      const toolMessages = runner.messages.filter((m) => m.role === 'tool');
      assert.equal(toolMessages.length, 1);
    });

    it('a 429 upstream is retried by the SDK as it would be by the provider, then raises RateLimitError', async () => {
      const retrying = client.withOptions({ maxRetries: 2, defaultHeaders: { 'x-mock-fail-status': '429' } });
      const before = await mockRequests();
      await assert.rejects(
        retrying.chat.completions.create({ model: 'gpt-test', max_tokens: 16, messages: USER }),
        (e) => e instanceof OpenAI.RateLimitError && e.status === 429,
      );
      assert.equal(await mockRequests() - before, 3);
    });

    it('a 400 upstream is BadRequestError with a message, and is not retried', async () => {
      const failing = client.withOptions({ maxRetries: 2, defaultHeaders: { 'x-mock-fail-status': '400' } });
      const before = await mockRequests();
      await assert.rejects(
        failing.chat.completions.create({ model: 'gpt-test', max_tokens: 16, messages: USER }),
        (e) => e instanceof OpenAI.BadRequestError && e.status === 400 && /\S/.test(e.message),
      );
      assert.equal(await mockRequests() - before, 1);
    });
  });
}

describe('openai SDK embeddings, pass-through', () => {
  it('embeddings.create() returns one vector per input, floats and base64 alike', async () => {
    const gw = await startFormatGateway({ upstream: mock.apiBase, format: 'openai' });
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 20000 });
    const floats = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'float' });
    assert.equal(floats.data.length, 2);
    assert.ok(floats.data[0].embedding.length > 0);
    // The SDK asks for base64 by default and decodes it itself.
    const decoded = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'a' });
    assert.equal(decoded.data[0].embedding.length, floats.data[0].embedding.length);
  });
});

const ANTHROPIC_ROUTES = [
  { label: 'pass-through', format: 'anthropic' },
  { label: 'translated to OpenAI chat', format: 'openai' },
];

for (const route of ANTHROPIC_ROUTES) {
  describe(`@anthropic-ai/sdk, ${route.label}`, () => {
    let client;
    before(async () => {
      const gw = await startFormatGateway({ upstream: mock.apiBase, format: route.format });
      client = new Anthropic({ baseURL: gw.url, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 20000 });
    });

    it('messages.stream(): finalMessage() has the text the text events carried, and usage', async () => {
      const stream = client.messages.stream({ model: 'claude-test', max_tokens: 64, messages: USER });
      let deltas = '';
      stream.on('text', (d) => { deltas += d; });
      const final = await stream.finalMessage();
      assert.deepEqual(final.content.map((b) => b.type), ['text']);
      assert.equal(final.content[0].text, deltas);
      assert.equal(deltas.trim().split(/\s+/).length, 6);
      assert.equal(final.stop_reason, 'end_turn');
      assert.equal(final.usage.output_tokens, 6);
    });

    it('tool use streamed: input_json_delta assembles into the tool_use input', async () => {
      const stream = client.messages.stream({
        model: 'claude-test', max_tokens: 64, messages: USER,
        tools: [{ name: 'get_weather', input_schema: WEATHER }],
      });
      const jsonEvents = [];
      stream.on('inputJson', (partial) => jsonEvents.push(partial));
      const final = await stream.finalMessage();
      const use = final.content.find((b) => b.type === 'tool_use');
      assert.equal(final.stop_reason, 'tool_use');
      assert.equal(use.name, 'get_weather');
      assert.equal(typeof use.input, 'object');
      assert.ok(jsonEvents.length > 0);
    });

    it('messages.countTokens() answers a positive input_tokens that grows with the prompt', async () => {
      const short = await client.messages.countTokens({ model: 'claude-test', messages: USER });
      const long = await client.messages.countTokens({
        model: 'claude-test', messages: [{ role: 'user', content: 'weather in Paris? '.repeat(50) }],
      });
      assert.ok(short.input_tokens > 0);
      assert.ok(long.input_tokens > short.input_tokens);
    });

    it('an upstream 429 is RateLimitError after the SDK\'s retries; a 400 is BadRequestError, not retried', async () => {
      const limited = client.withOptions({ maxRetries: 1, defaultHeaders: { 'x-mock-fail-status': '429' } });
      let before = await mockRequests();
      await assert.rejects(
        limited.messages.create({ model: 'claude-test', max_tokens: 16, messages: USER }),
        (e) => e instanceof Anthropic.RateLimitError && e.error?.type === 'error',
      );
      assert.equal(await mockRequests() - before, 2);
      const bad = client.withOptions({ maxRetries: 1, defaultHeaders: { 'x-mock-fail-status': '400' } });
      before = await mockRequests();
      await assert.rejects(
        bad.messages.create({ model: 'claude-test', max_tokens: 16, messages: USER }),
        (e) => e instanceof Anthropic.BadRequestError && e.error?.error?.type === 'invalid_request_error',
      );
      assert.equal(await mockRequests() - before, 1);
    });
  });
}
