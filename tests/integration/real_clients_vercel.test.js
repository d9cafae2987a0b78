// The Vercel AI SDK (ai 6 with @ai-sdk/openai's chat models, @ai-sdk/openai-compatible and
// @ai-sdk/anthropic), unmodified, through ringgate to the mock: generateText with a tool loop and
// streamText, pass-through and translated to the other format. Its default Responses models
// (`openai(model)`) belong to the Responses API issue.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { generateText, streamText, tool, jsonSchema, stepCountIs } = require('ai');
const { createOpenAI } = require('@ai-sdk/openai');
const { createOpenAICompatible } = require('@ai-sdk/openai-compatible');
const { createAnthropic } = require('@ai-sdk/anthropic');
const { startMock, stopAll } = require('./lib/processes');
const { startFormatGateway, stopFormatGateways } = require('./lib/translation_helpers');

const KEY = 'sk-vercel-test';
const PROMPT = 'weather in Paris?';

let mock;
before(async () => {
  mock = await startMock(['--tokens', '5']);
});
after(async () => {
  await stopFormatGateways();
  await stopAll();
});

// The client speaks `client`; the gateway's upstream speaks `upstream`.
const PROVIDERS = {
  'openai .chat()': { client: 'openai', model: (url) => createOpenAI({ baseURL: `${url}/v1`, apiKey: KEY }).chat('gpt-test') },
  'openai-compatible': {
    client: 'openai',
    model: (url) => createOpenAICompatible({ name: 'ringgate', baseURL: `${url}/v1`, apiKey: KEY, includeUsage: true }).chatModel('gpt-test'),
  },
  anthropic: { client: 'anthropic', model: (url) => createAnthropic({ baseURL: `${url}/v1`, apiKey: KEY })('claude-test') },
};

function weatherTool(calls) {
  return tool({
    description: 'Current weather',
    inputSchema: jsonSchema({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
    execute: async (input) => { calls.push(input); return { temperature_c: 21 }; },
  });
}

for (const [name, provider] of Object.entries(PROVIDERS)) {
  for (const upstream of ['openai', 'anthropic']) {
    const label = upstream === provider.client ? 'pass-through' : `translated to ${upstream}`;
    describe(`Vercel AI SDK ${name}, ${label}`, () => {
      let model;
      before(async () => {
        const gw = await startFormatGateway({ upstream: mock.apiBase, format: upstream });
        model = provider.model(gw.url);
      });

      it('generateText with a tool: calls it, sends the result, ends with text', async () => {
        const calls = [];
        const r = await generateText({
          model, prompt: PROMPT, maxRetries: 0, tools: { get_weather: weatherTool(calls) }, stopWhen: stepCountIs(3),
        });
        assert.equal(calls.length, 1);
        assert.equal(typeof calls[0], 'object');
        assert.equal(r.steps.length, 2);
        assert.equal(r.steps[0].finishReason, 'tool-calls');
        assert.match(r.text, /\S/);
        assert.equal(r.finishReason, 'stop');
        assert.ok(r.totalUsage.outputTokens > 0);
      });

      it('streamText: the text parts add up to the final text, with usage', async () => {
        const errors = [];
        const r = streamText({ model, prompt: PROMPT, maxRetries: 0, onError: ({ error }) => errors.push(error) });
        let streamed = '';
        for await (const part of r.textStream) streamed += part;
        assert.deepEqual(errors, []);
        assert.equal(streamed.trim().split(/\s+/).length, 5);
        assert.equal(await r.text, streamed);
        assert.equal(await r.finishReason, 'stop');
        assert.equal((await r.usage).outputTokens, 5);
      });
    });
  }
}
