// Clients that speak OpenAI's Responses API, unmodified, through ringgate: the openai SDK
// (responses.create, responses.stream + finalResponse(), tool calls over several turns chained
// with previous_response_id and, with store: false, with the whole history resent), the Agents
// SDK running an agent with a function tool, and the Vercel AI SDK's default `openai(model)`
// (a Responses model: generateText with a tool loop, streamText).
//
// Each runs against three upstreams (lib/responses_upstreams.js): the OpenAI-format mock serving
// /v1/responses natively (pass-through), an Anthropic-format upstream and a chat-only
// OpenAI-format upstream, both reached through ringgate's translation.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const OpenAI = require('openai');
const { Agent, Runner, OpenAIProvider, setTracingDisabled, tool: agentTool } = require('@openai/agents');
const { z } = require('zod');
const { generateText, streamText, tool, jsonSchema, stepCountIs } = require('ai');
const { createOpenAI } = require('@ai-sdk/openai');
const { startMock, stopAll } = require('./lib/processes');
const { postJson } = require('./lib/http');
const { stopFormatGateways } = require('./lib/translation_helpers');
const { UPSTREAM_KINDS, UPSTREAM_PATH, startGatewayFor, mockRequests } = require('./lib/responses_upstreams');

const KEY = 'sk-responses-client-test';
const MODEL = 'gpt-test';
const TOKENS = 6;
const MOCK_TEXT = 'lorem ipsum dolor sit amet consectetur';  // the mock's first 6 tokens
const WEATHER = {
  type: 'object',
  properties: { city: { type: 'string' } },
  required: ['city'],
  additionalProperties: false,
};
const WEATHER_TOOL = { type: 'function', name: 'get_weather', description: 'Current weather', parameters: WEATHER, strict: true };
const TOOL_RESULT = '{"temperature_c":21,"sky":"clear"}';

setTracingDisabled(true);  // the Agents SDK would otherwise export traces to api.openai.com

after(async () => {
  await stopFormatGateways();
  await stopAll();
});

// What the upstream's request `turn` says about the tool result the client sent back: the
// output text in the kind's own shape (function_call_output, tool_result or a tool message).
function toolResultsIn(kind, turn) {
  const body = turn.json;
  if (kind === 'native') {
    return (Array.isArray(body.input) ? body.input : []).filter((i) => i.type === 'function_call_output')
      .map((i) => (typeof i.output === 'string' ? i.output : JSON.stringify(i.output)));
  }
  if (kind === 'anthropic') {
    return body.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : []))
      .filter((b) => b.type === 'tool_result').map((b) => JSON.stringify(b.content));
  }
  return body.messages.filter((m) => m.role === 'tool').map((m) => JSON.stringify(m.content));
}

function apiTurns(kind, requests) {
  return requests.filter((r) => r.path.startsWith(UPSTREAM_PATH[kind]));
}

for (const { kind, label } of UPSTREAM_KINDS) {
  describe(`Responses clients, ${label}`, () => {
    let mock;
    let gw;
    let client;
    before(async () => {
      mock = await startMock(['--tokens', String(TOKENS)]);
      gw = await startGatewayFor(kind, mock, [MODEL]);
      client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY, maxRetries: 0, timeout: 20000 });
    });
    const reset = () => postJson(mock.url, '/mock/reset', {});

    it('openai responses.create: output_text, status and usage', async (t) => {
      const r = await client.responses.create({ model: MODEL, input: 'say something', max_output_tokens: 64 });
      assert.equal(r.object, 'response');
      assert.equal(r.status, 'completed');
      assert.match(r.id, /\S/);
      assert.equal(r.output_text, MOCK_TEXT);
      assert.equal(r.output.at(-1).type, 'message');
      assert.equal(r.usage.output_tokens, TOKENS);
      assert.ok(r.usage.input_tokens > 0);
    });

    it('openai responses.stream: the deltas add up to finalResponse()\'s text, created .. completed', async (t) => {
      const stream = client.responses.stream({ model: MODEL, input: [{ role: 'user', content: 'say something' }] });
      const types = [];
      let deltas = '';
      stream.on('event', (e) => types.push(e.type));
      stream.on('response.output_text.delta', (e) => { deltas += e.delta; });
      const final = await stream.finalResponse();
      assert.equal(deltas, MOCK_TEXT);
      assert.equal(final.output_text, deltas);
      assert.equal(final.status, 'completed');
      assert.equal(types[0], 'response.created');
      assert.equal(types.at(-1), 'response.completed');
      assert.ok(types.includes('response.output_item.done'));
      assert.equal(final.usage.output_tokens, TOKENS);
    });

    it('a tool call over three turns chained with previous_response_id', async (t) => {
      await reset();
      const first = await client.responses.create({ model: MODEL, input: 'weather in Paris?', tools: [WEATHER_TOOL] });
      const call = first.output.find((i) => i.type === 'function_call');
      assert.ok(call, JSON.stringify(first.output));
      assert.equal(call.name, 'get_weather');
      assert.match(call.call_id, /\S/);
      assert.equal(typeof JSON.parse(call.arguments).city, 'string');
      const second = await client.responses.create({
        model: MODEL, previous_response_id: first.id, tools: [WEATHER_TOOL],
        input: [{ type: 'function_call_output', call_id: call.call_id, output: TOOL_RESULT }],
      });
      assert.equal(second.output_text, MOCK_TEXT);
      // The tools stay offered (Anthropic refuses a history with tool blocks and no tools), but
      // not to be called: the native mock sees no call output in this turn's input.
      const third = await client.responses.create({
        model: MODEL, previous_response_id: second.id, input: 'and tomorrow?', tools: [WEATHER_TOOL], tool_choice: 'none',
      });
      assert.equal(third.output_text, MOCK_TEXT);

      const turns = apiTurns(kind, await mockRequests(mock));
      assert.equal(turns.length, 3, JSON.stringify(turns.map((r) => r.path)));
      assert.deepEqual(toolResultsIn(kind, turns[0]), []);
      assert.ok(toolResultsIn(kind, turns[1]).some((o) => o.includes('temperature_c')), turns[1].body);
      if (kind === 'native') {
        // The upstream keeps the conversation: ringgate passes the ids through.
        assert.equal(turns[1].json.previous_response_id, first.id);
        assert.equal(turns[2].json.previous_response_id, second.id);
      } else {
        // ringgate kept the conversation (its response store) and resends all of it.
        assert.ok(toolResultsIn(kind, turns[2]).some((o) => o.includes('temperature_c')), turns[2].body);
        assert.ok(turns[2].body.includes('weather in Paris?'), 'the first user turn is in the third request');
        assert.ok(turns[2].body.includes('and tomorrow?'));
      }
    });

    it('store: false: the whole history resent, the tool result reaches the upstream', async (t) => {
      await reset();
      const input = [{ role: 'user', content: 'weather in Paris?' }];
      const first = await client.responses.create({ model: MODEL, store: false, input, tools: [WEATHER_TOOL] });
      const call = first.output.find((i) => i.type === 'function_call');
      assert.ok(call, JSON.stringify(first.output));
      input.push(...first.output, { type: 'function_call_output', call_id: call.call_id, output: TOOL_RESULT });
      const second = await client.responses.create({ model: MODEL, store: false, input, tools: [WEATHER_TOOL] });
      assert.equal(second.output_text, MOCK_TEXT);
      const turns = apiTurns(kind, await mockRequests(mock));
      assert.equal(turns.length, 2);
      assert.ok(toolResultsIn(kind, turns[1]).some((o) => o.includes('temperature_c')), turns[1].body);
      if (kind === 'native') assert.equal(turns[1].json.store, false);
    });

    it('Agents SDK: an agent runs its function tool and answers with text', async (t) => {
      await reset();
      const calls = [];
      const getWeather = agentTool({
        name: 'get_weather',
        description: 'Current weather in a city',
        parameters: z.object({ city: z.string() }),
        execute: async ({ city }) => { calls.push(city); return TOOL_RESULT; },
      });
      const agent = new Agent({ name: 'weather agent', instructions: 'Answer with the weather.', model: MODEL, tools: [getWeather] });
      const runner = new Runner({
        modelProvider: new OpenAIProvider({ baseURL: `${gw.url}/v1`, apiKey: KEY, useResponses: true }),
        tracingDisabled: true,
      });
      const result = await runner.run(agent, 'weather in Paris?', { maxTurns: 4 });
      assert.equal(calls.length, 1);
      assert.equal(typeof calls[0], 'string');
      assert.equal(result.finalOutput, MOCK_TEXT);
      const turns = apiTurns(kind, await mockRequests(mock));
      assert.equal(turns.length, 2);
      assert.ok(toolResultsIn(kind, turns[1]).some((o) => o.includes('temperature_c')), turns[1].body);
    });

    it('Vercel AI SDK openai(model) (Responses): generateText with a tool loop', async (t) => {
      await reset();
      const calls = [];
      const model = createOpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY })(MODEL);
      const r = await generateText({
        model, prompt: 'weather in Paris?', maxRetries: 0, stopWhen: stepCountIs(3),
        tools: {
          get_weather: tool({
            description: 'Current weather',
            inputSchema: jsonSchema(WEATHER),
            execute: async (input) => { calls.push(input); return JSON.parse(TOOL_RESULT); },
          }),
        },
      });
      assert.equal(calls.length, 1);
      assert.equal(typeof calls[0].city, 'string');
      assert.equal(r.steps.length, 2);
      assert.equal(r.steps[0].finishReason, 'tool-calls');
      assert.equal(r.text, MOCK_TEXT);
      const turns = apiTurns(kind, await mockRequests(mock));
      assert.equal(turns.length, 2);
      assert.ok(toolResultsIn(kind, turns[1]).some((o) => o.includes('temperature_c')), turns[1].body);
    });

    // With its default store: true the SDK names the earlier answer's message by id
    // (item_reference) instead of resending it; through translation the gateway finds the item
    // in the conversation it kept for that answer.
    it('Vercel AI SDK openai(model) (Responses): a second turn that names the first answer by item_reference', async () => {
      await reset();
      const model = createOpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY })(MODEL);
      const first = await generateText({ model, prompt: 'hello', maxRetries: 0 });
      assert.equal(first.text, MOCK_TEXT);
      const messages = [{ role: 'user', content: 'hello' }, ...first.response.messages, { role: 'user', content: 'and more' }];
      const second = await generateText({ model, messages, maxRetries: 0 });
      assert.equal(second.text, MOCK_TEXT);
      if (kind === 'native') return;  // the referenced item is the upstream's to resolve
      const turns = apiTurns(kind, await mockRequests(mock));
      assert.equal(turns.length, 2);
      const history = JSON.stringify(turns[1].json.messages);
      assert.ok(history.includes(MOCK_TEXT), `the first answer reached the upstream: ${history}`);
      assert.ok(history.includes('and more'), history);
    });

    it('Vercel AI SDK openai(model) (Responses): streamText', async (t) => {
      const model = createOpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY })(MODEL);
      const r = streamText({ model, prompt: 'say something', maxRetries: 0 });
      let streamed = '';
      for await (const piece of r.textStream) streamed += piece;
      assert.equal(streamed, MOCK_TEXT);
      assert.equal(await r.text, streamed);
      assert.equal(await r.finishReason, 'stop');
      assert.equal((await r.usage).outputTokens, TOKENS);
    });
  });
}
