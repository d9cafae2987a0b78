// Tool-call history repair on the wire: agents' histories that one API accepts and the other
// refuses (orphaned, duplicated and missing tool results, ids with characters or lengths the other
// side rejects, empty arguments, results after other content) are repaired before translation,
// both ways, and named in x-ringgate-repaired; the mock upstream enforces the real APIs' rules,
// so the same histories sent as they are get the 400 a real upstream answers.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const OpenAI = require('openai');
const Anthropic = require('@anthropic-ai/sdk');
const { startMock, startQuickGateway, stopAll } = require('./lib/processes');
const { postJson, mockLastRequest } = require('./lib/http');

const CLIENT_KEY = `sk-client-${crypto.randomBytes(12).toString('hex')}`;
const PORTABLE = /^[A-Za-z0-9_-]{1,40}$/;

const OPENAI_TOOLS = [{
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
}];
const ANTHROPIC_TOOLS = [{
  name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } },
}];

const call = (id, args = '{"city":"Paris"}') => ({ id, type: 'function', function: { name: 'get_weather', arguments: args } });
const toolMsg = (id, content = '18C') => ({ role: 'tool', tool_call_id: id, content });
const use = (id, city = 'Paris') => ({ type: 'tool_use', id, name: 'get_weather', input: { city } });
const result = (id, content = '18C') => ({ type: 'tool_result', tool_use_id: id, content });

// An agent's OpenAI history after a model switch: ids minted by an OpenAI-compatible server
// (Anthropic's pattern refuses ':' and '.'), a stale result from a trimmed context, an empty
// arguments string, a result sent twice, a call whose result never came.
const OPENAI_HISTORY = [
  toolMsg('call_trimmed', 'stale'),
  { role: 'user', content: 'Weather in Paris and Rome?' },
  { role: 'assistant', content: null, tool_calls: [call('functions.get_weather:0'), call('functions.get_weather:1', '')] },
  toolMsg('functions.get_weather:0'),
  toolMsg('functions.get_weather:0', 'retry: 18C'),
  { role: 'user', content: 'And Oslo?' },
];
const OPENAI_REPAIRS = 'mapped_id=functions.get_weather%3A0>rg_7cc5b6d28f8470f2dff9e57672618a5c,' +
  'functions.get_weather%3A1>rg_e0f3f1ef7c83caefff8c2f6baa721bf1; dropped_orphan_result=call_trimmed; ' +
  'dropped_duplicate_result=functions.get_weather%3A0; added_missing_result=functions.get_weather%3A1; ' +
  'empty_arguments=functions.get_weather%3A1';

// An Anthropic history with ids longer than OpenAI's 40 characters, a result sent in a later user
// message than the one after the call, a result answering nothing, and a call left unanswered.
const LONG_A = `toolu_${'a'.repeat(44)}`;
const LONG_B = `toolu_${'b'.repeat(44)}`;
const ANTHROPIC_HISTORY = [
  { role: 'user', content: [result('toolu_trimmed', 'stale'), { type: 'text', text: 'Weather in Paris and Rome?' }] },
  { role: 'assistant', content: [use(LONG_A), use(LONG_B, 'Rome')] },
  { role: 'user', content: 'One moment, the tool is slow.' },
  { role: 'user', content: [result(LONG_A)] },
];

let mock;
before(async () => { mock = await startMock(['--tokens', '4']); });
after(stopAll);

async function upstreamBody() {
  return JSON.parse((await mockLastRequest(mock)).body);
}

describe('OpenAI client -> Anthropic-format upstream: the history is repaired before translation', () => {
  let gw;
  let client;

  before(async () => {
    gw = await startQuickGateway({ upstream: mock.apiBase, extraArgs: ['--upstream-format', 'anthropic'] });
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 20000 });
  });

  it('sent as it is, Anthropic refuses it (the mock answers what Anthropic answers)', async () => {
    const raw = await postJson(mock.url, '/v1/messages', {
      model: 'claude-x', max_tokens: 16, tools: ANTHROPIC_TOOLS,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: [use('functions.get_weather:0')] },
        { role: 'user', content: [result('functions.get_weather:0')] },
      ],
    });
    assert.equal(raw.status, 400);
    assert.match(raw.json.error.message, /tool_use\.id: String should match pattern/);
  });

  it('through ringgate the upstream gets a valid history and the header names every repair', async () => {
    const { data, response } = await client.chat.completions.create({
      model: 'claude-x', max_tokens: 16, tools: OPENAI_TOOLS, messages: OPENAI_HISTORY,
    }).withResponse();
    assert.equal(response.status, 200);
    assert.equal(data.object, 'chat.completion');
    assert.equal(response.headers.get('x-ringgate-repaired'), OPENAI_REPAIRS);
    const up = await upstreamBody();
    // The results and the next user text are one Anthropic user turn, results first.
    assert.deepEqual(up.messages.map((m) => m.role), ['user', 'assistant', 'user']);
    const ids = up.messages[1].content.filter((b) => b.type === 'tool_use').map((b) => b.id);
    assert.deepEqual(ids, ['rg_7cc5b6d28f8470f2dff9e57672618a5c', 'rg_e0f3f1ef7c83caefff8c2f6baa721bf1']);
    assert.deepEqual(up.messages[1].content[1].input, {}, '"" arguments became {}');
    const answers = up.messages[2].content;
    assert.deepEqual(answers.map((b) => [b.type, b.tool_use_id]),
      [['tool_result', ids[0]], ['tool_result', ids[1]], ['text', undefined]]);
    assert.equal(answers[0].content, '18C', 'the first of two results stays');
    assert.match(answers[1].content, /No result was provided/);
    assert.equal(answers[2].text, 'And Oslo?');
  });

  it('a later turn of the same conversation maps the same ids the same way (no state needed)', async () => {
    const next = [...OPENAI_HISTORY,
      { role: 'assistant', content: null, tool_calls: [call('functions.get_weather:2', '{"city":"Oslo"}')] },
      toolMsg('functions.get_weather:2', '2C')];
    const { response } = await client.chat.completions.create({
      model: 'claude-x', max_tokens: 16, tools: OPENAI_TOOLS, messages: next,
    }).withResponse();
    assert.equal(response.status, 200);
    const up = await upstreamBody();
    assert.equal(up.messages[1].content[0].id, 'rg_7cc5b6d28f8470f2dff9e57672618a5c');
    const last = up.messages.at(-1).content[0];
    assert.equal(last.type, 'tool_result');
    assert.equal(last.tool_use_id, up.messages.at(-2).content[0].id);
    assert.match(last.tool_use_id, PORTABLE);
  });

  it('a valid history goes without the header, and is not rewritten', async () => {
    const { response } = await client.chat.completions.create({
      model: 'claude-x', max_tokens: 16, tools: OPENAI_TOOLS,
      messages: [{ role: 'user', content: 'Weather?' }, { role: 'assistant', content: null, tool_calls: [call('call_ok')] },
        toolMsg('call_ok')],
    }).withResponse();
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-ringgate-repaired'), null);
  });
});

describe('Anthropic client -> OpenAI-format upstream: the history is repaired before translation', () => {
  let gw;
  let client;

  before(async () => {
    gw = await startQuickGateway({ upstream: mock.apiBase });
    client = new Anthropic({ baseURL: gw.url, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 20000 });
  });

  it('sent as it is, OpenAI refuses it', async () => {
    const raw = await postJson(mock.url, '/v1/chat/completions', {
      model: 'gpt-4o-mini', tools: OPENAI_TOOLS,
      messages: [{ role: 'user', content: 'Weather?' }, { role: 'assistant', content: null, tool_calls: [call(LONG_A)] },
        toolMsg(LONG_A)],
    });
    assert.equal(raw.status, 400);
    assert.match(raw.json.error.message, /Expected a string with maximum length 40/);
  });

  for (const stream of [false, true]) {
    it(`through ringgate the upstream gets a valid history (${stream ? 'streamed' : 'not streamed'})`, async () => {
      const params = { model: 'gpt-4o-mini', max_tokens: 16, tools: ANTHROPIC_TOOLS, messages: ANTHROPIC_HISTORY };
      let headers;
      if (stream) {
        const { data, response } = await client.messages.stream(params).withResponse();
        headers = response.headers;
        assert.equal((await data.finalMessage()).type, 'message');
      } else {
        const { data, response } = await client.messages.create(params).withResponse();
        headers = response.headers;
        assert.equal(data.type, 'message');
      }
      const repaired = headers.get('x-ringgate-repaired');
      assert.match(repaired, /^mapped_id=toolu_a{44}>rg_[0-9a-f]{32},toolu_b{44}>rg_[0-9a-f]{32}; /);
      assert.match(repaired, /; dropped_orphan_result=toolu_trimmed; moved_result=toolu_a{44}; added_missing_result=toolu_b{44}$/);
      const up = await upstreamBody();
      assert.deepEqual(up.messages.map((m) => m.role), ['user', 'assistant', 'tool', 'tool', 'user']);
      const ids = up.messages[1].tool_calls.map((c) => c.id);
      assert.ok(ids.every((id) => PORTABLE.test(id)), ids.join(','));
      assert.deepEqual(up.messages.slice(2, 4).map((m) => m.tool_call_id), ids);
      assert.equal(up.messages[2].content, '18C');
      assert.match(up.messages[3].content, /^Error: No result was provided/);
      assert.equal(up.messages[4].content, 'One moment, the tool is slow.');
      assert.equal(up.messages[0].content, 'Weather in Paris and Rome?', 'the stale result is gone, the text stays');
    });
  }
});

describe('pass-through (matching formats) is never rewritten', () => {
  it('an OpenAI client\'s own history to an OpenAI upstream reaches it as sent, and its 400 comes back', async () => {
    const gw = await startQuickGateway({ upstream: mock.apiBase });
    const body = { model: 'gpt-4o-mini', messages: [toolMsg('call_trimmed'), { role: 'user', content: 'hi' }] };
    const res = await postJson(gw.url, '/v1/chat/completions', body);
    assert.equal(res.status, 400);
    assert.match(res.json.error.message, /must be a response to a preceeding message with 'tool_calls'/);
    assert.equal(res.headers.get('x-ringgate-repaired'), null);
    assert.deepEqual(await upstreamBody(), body);
  });
});
