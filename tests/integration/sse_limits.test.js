// SSE events are bounded and framed exactly: an upstream event larger than max_sse_event_bytes
// ends the stream with an error event in the client's API shape and a clean end of the chunked
// stream (pass-through and translated alike), and event boundaries split across upstream reads
// are still found. The upstream is scripted, so each test says exactly which bytes it sent.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startConfigGateway, stopAll } = require('./lib/processes');
const { RawConn, parseResponses, sseData, request } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const { startScriptedUpstream } = require('./lib/scripted_upstream');

const SSE_HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n';
const MiB = 1 << 20;

function chunk(text) {
  const b = Buffer.from(text, 'latin1');
  return Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]);
}
const LAST_CHUNK = '0\r\n\r\n';

// Writes `text` as chunks of `size` bytes, each chunk its own write.
async function writeChunked(ctx, text, size) {
  for (let i = 0; i < text.length; i += size) {
    if (!(await ctx.write(chunk(text.slice(i, i + size))))) return;
  }
}

// Data lines of 1 KiB each, `total` bytes, never a blank line: one event that never ends.
function endlessEvent(total) {
  const line = `data: ${'x'.repeat(1017)}\n`;
  return line.repeat(Math.ceil(total / line.length));
}

function anthropicEvent(type, body) {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...body })}\n\n`;
}

const MESSAGE_START = anthropicEvent('message_start', {
  message: {
    id: 'msg_scripted', type: 'message', role: 'assistant', model: 'claude-x', content: [],
    stop_reason: null, usage: { input_tokens: 3, output_tokens: 1 },
  },
});
const TEXT_BLOCK_START = anthropicEvent('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
function textDelta(text) {
  return anthropicEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text } });
}
const ANTHROPIC_END =
  anthropicEvent('content_block_stop', { index: 0 }) +
  anthropicEvent('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 9 } }) +
  anthropicEvent('message_stop', {});

function openaiChunk(delta, finish = null) {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-scripted', object: 'chat.completion.chunk', created: 0, model: 'gpt-x',
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;
}

// What each case's upstream sends, chosen by the client's x-sse-case header.
const scripts = {
  // Two events, then one event of 2 MiB that never ends; the upstream keeps the stream open.
  async 'oversized-openai'(ctx) {
    await ctx.write(SSE_HEAD);
    await ctx.write(chunk('data: {"n":1}\n\ndata: {"n":2}\n\n'));
    await writeChunked(ctx, endlessEvent(2 * MiB), 65536);
  },
  async 'oversized-anthropic'(ctx) {
    await ctx.write(SSE_HEAD);
    await ctx.write(chunk(MESSAGE_START + TEXT_BLOCK_START));
    await writeChunked(ctx, `event: content_block_delta\n${endlessEvent(2 * MiB)}`, 65536);
  },
  // A complete Anthropic stream whose one delta is 1.2 MiB, properly ended.
  async 'translated-big-delta'(ctx) {
    await ctx.write(SSE_HEAD);
    await ctx.write(chunk(MESSAGE_START + TEXT_BLOCK_START + textDelta('Hello')));
    await writeChunked(ctx, textDelta('y'.repeat(1.2 * MiB)), 65536);
    await ctx.write(chunk(ANTHROPIC_END) + LAST_CHUNK);
  },
  // The reverse direction: an OpenAI stream whose one chunk is 1.2 MiB.
  async 'translated-big-chunk'(ctx) {
    await ctx.write(SSE_HEAD);
    await ctx.write(chunk(openaiChunk({ role: 'assistant', content: 'Hello' })));
    await writeChunked(ctx, openaiChunk({ content: 'y'.repeat(1.2 * MiB) }), 65536);
    await ctx.write(chunk(openaiChunk({}, 'stop') + 'data: [DONE]\n\n') + LAST_CHUNK);
  },
};

// A complete stream with one event of `size` bytes of payload, for the configured-cap cases.
function sizedOpenAiStream(size) {
  return openaiChunk({ role: 'assistant', content: 'Hello' }) + openaiChunk({ content: 'z'.repeat(size) }) +
    openaiChunk({}, 'stop') + 'data: [DONE]\n\n';
}
for (const size of [60 * 1024, 100 * 1024]) {
  scripts[`sized-${size}`] = async (ctx) => {
    await ctx.write(SSE_HEAD);
    await writeChunked(ctx, sizedOpenAiStream(size), 16384);
    await ctx.write(LAST_CHUNK);
  };
}

// Events split at awkward places, each step written only once the client holds the event the
// previous step completed, so every step is its own upstream read at the gateway.
const SPLIT_STEPS = [
  { pieces: ['data: {"n":1}\n\ndata: {"n":2}\n'], seen: '{"n":1}' },
  // "\n" | "\n", then "\r\n\r" | "\n"
  { pieces: ['\ndata: {"n":3}\r\n\r'], seen: '{"n":2}' },
  { pieces: ['\nevent: e\r\ndata: {"n":4}\r\n'], seen: '{"n":3}' },
  // One read with blank lines split across chunks of the upstream's own framing.
  { pieces: ['\r', '\n', 'data: {"n":5}\n', '\n', ': c\n'], seen: '{"n":5}' },
  // A byte per chunk, all in one read.
  { pieces: [...'\ndata: {"n":6}\r\n\r\ndata: {"n":7}\n'], seen: '{"n":6}' },
  { pieces: ['\n'], seen: null, last: true },
];
for (const s of SPLIT_STEPS) {
  s.bytes = Buffer.concat([...s.pieces.map(chunk), Buffer.from(s.last ? LAST_CHUNK : '')]);
}
const SPLIT_BODY = SPLIT_STEPS.map((s) => s.pieces.join('')).join('');  // what the client must get

let clientConn = null;  // the client of the running split case, for the script to wait on

scripts['split-boundaries'] = async (ctx) => {
  await ctx.write(SSE_HEAD);
  for (const step of SPLIT_STEPS) {
    await ctx.write(step.bytes);
    if (step.seen) await clientConn.until((c) => c.text.includes(step.seen), `client to see ${step.seen}`);
  }
};

// One request on its own raw connection; resolves with the complete response and the raw text.
async function post(gw, path, body, sseCase, extraHeaders = '', onOpen = () => {}) {
  const conn = await RawConn.open(gw.port);
  onOpen(conn);
  const text = JSON.stringify(body);
  await conn.write(`POST ${path} HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n` +
    `x-sse-case: ${sseCase}\r\n${extraHeaders}Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
  try {
    await conn.until((c) => parseResponses(c.text).length === 1 || c.closed, 'a complete response', 20000);
    const res = parseResponses(conn.text)[0];
    assert.ok(res, `the chunked response did not end cleanly: ${JSON.stringify(conn.text.slice(-300))}`);
    return res;
  } finally {
    conn.destroy();
  }
}

// The blocks of an SSE body: [{event, data}].
function sseBlocks(body) {
  return body.split('\n\n').filter((b) => b.trim()).map((b) => {
    const lines = b.split('\n');
    const ev = lines.find((l) => l.startsWith('event:'));
    return {
      event: ev ? ev.slice(6).trim() : '',
      data: lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n'),
    };
  });
}

const OPENAI_STREAM = (model) => ({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] });
const ANTHROPIC_STREAM = (model) => ({ model, max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hi' }] });
const ANTHROPIC_HEADERS = 'anthropic-version: 2023-06-01\r\n';

describe('SSE event limits and framing', () => {
  let upstream;
  let gw;

  before(async () => {
    upstream = await startScriptedUpstream((ctx) => scripts[ctx.req.headers['x-sse-case']](ctx));
    gw = await startConfigGateway(gatewayToml({
      apiBase: upstream.apiBase,
      timeouts: { stream_idle_ms: 60000 },  // longer than any deadline here: no timeout hides a hang
      upstream: { name: 'oai', format: 'openai' },
      extraUpstreams: [{ name: 'anth', url: upstream.apiBase, format: 'anthropic' }],
      models: [
        { name: 'gpt-pass', upstream: 'oai' },
        { name: 'claude-pass', upstream: 'anth' },
      ],
    }));
  });
  after(async () => {
    await stopAll();
    await upstream.stop();
  });

  // seed-defect: 001-2
  it('pass-through: a 2 MiB event without a blank line ends the stream with an OpenAI error event', async () => {
    const res = await post(gw, '/v1/chat/completions', OPENAI_STREAM('gpt-pass'), 'oversized-openai');
    assert.equal(res.status, 200);
    assert.ok(!res.body.includes('xxxx'), 'no byte of the oversized event reaches the client');
    const data = sseData(res.body);
    assert.deepEqual(data.slice(0, 2), ['{"n":1}', '{"n":2}']);
    assert.equal(data.length, 3, res.body.slice(0, 500));
    const err = JSON.parse(data[2]).error;
    assert.equal(err.code, 'upstream_stream_error');
    assert.match(err.message, /max_sse_event_bytes/);
    // The gateway is free for the next client at once.
    assert.equal((await request(`${gw.url}/healthz`)).status, 200);
  });

  // seed-defect: 001-2
  it('pass-through: an Anthropic client gets `event: error` after the events before the oversized one', async () => {
    const res = await post(gw, '/v1/messages', ANTHROPIC_STREAM('claude-pass'), 'oversized-anthropic', ANTHROPIC_HEADERS);
    assert.equal(res.status, 200);
    const blocks = sseBlocks(res.body);
    assert.deepEqual(blocks.map((b) => b.event), ['message_start', 'content_block_start', 'error']);
    const err = JSON.parse(blocks[2].data);
    assert.equal(err.type, 'error');
    assert.match(err.error.message, /max_sse_event_bytes/);
  });

  it('translated (Anthropic upstream, OpenAI client): a 1.2 MiB delta ends in an error event, not `stop`', async () => {
    const res = await post(gw, '/v1/chat/completions', OPENAI_STREAM('claude-pass'), 'translated-big-delta');
    assert.equal(res.status, 200);
    const data = sseData(res.body);
    const parsed = data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d));
    assert.ok(parsed.some((c) => c.choices && c.choices[0]?.delta?.content === 'Hello'), res.body.slice(0, 800));
    assert.ok(!parsed.some((c) => c.choices && c.choices.some((ch) => ch.finish_reason)),
      `no finish_reason may follow a lost event: ${res.body.slice(0, 800)}`);
    const last = parsed.at(-1);
    assert.ok(last.error, `the stream ends with an error chunk: ${res.body.slice(-400)}`);
    assert.match(last.error.message, /max_sse_event_bytes/);
  });

  it('translated (OpenAI upstream, Anthropic client): a 1.2 MiB chunk ends in `event: error`, not message_stop', async () => {
    const res = await post(gw, '/v1/messages', ANTHROPIC_STREAM('gpt-pass'), 'translated-big-chunk', ANTHROPIC_HEADERS);
    assert.equal(res.status, 200);
    const blocks = sseBlocks(res.body);
    const names = blocks.map((b) => b.event);
    assert.ok(!names.includes('message_stop'), names.join(','));
    assert.equal(names.at(-1), 'error', names.join(','));
    assert.match(JSON.parse(blocks.at(-1).data).error.message, /max_sse_event_bytes/);
  });

  // seed-defect: 004-P10
  it('events split at awkward boundaries across many upstream reads arrive intact and in order', async () => {
    const res = await post(gw, '/v1/chat/completions', OPENAI_STREAM('gpt-pass'), 'split-boundaries', '',
      (c) => { clientConn = c; });
    assert.equal(res.status, 200);
    assert.equal(res.body, SPLIT_BODY);
    assert.deepEqual(sseData(res.body.replace(/\r\n/g, '\n')).slice(0, 7),
      ['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}', '{"n":5}', '{"n":6}', '{"n":7}']);
  });
});

// One setting bounds both paths: 60 KiB events pass under a 64 KiB cap, 100 KiB ones end the stream.
describe('SSE event limits: max_sse_event_bytes from the config', () => {
  let upstream;
  let gw;

  before(async () => {
    upstream = await startScriptedUpstream((ctx) => scripts[ctx.req.headers['x-sse-case']](ctx));
    gw = await startConfigGateway(gatewayToml({
      apiBase: upstream.apiBase,
      server: { max_sse_event_bytes: 65536 },
      upstream: { name: 'oai', format: 'openai' },
      models: [{ name: 'gpt-pass', upstream: 'oai' }],
    }));
  });
  after(async () => {
    await stopAll();
    await upstream.stop();
  });

  it('pass-through (OpenAI client) and translated (Anthropic client) alike', async () => {
    for (const size of [60 * 1024, 100 * 1024]) {
      const passed = await post(gw, '/v1/chat/completions', OPENAI_STREAM('gpt-pass'), `sized-${size}`);
      const data = sseData(passed.body);
      const translated = await post(gw, '/v1/messages', ANTHROPIC_STREAM('gpt-pass'), `sized-${size}`, ANTHROPIC_HEADERS);
      const names = sseBlocks(translated.body).map((b) => b.event);
      if (size < 65536) {
        assert.equal(passed.body, sizedOpenAiStream(size), 'relayed byte for byte');
        assert.equal(names.at(-1), 'message_stop', names.join(','));
      } else {
        assert.match(JSON.parse(data.at(-1)).error.message, /max_sse_event_bytes/);
        assert.equal(data.length, 2, 'the event before, then the error');
        assert.equal(names.at(-1), 'error', names.join(','));
      }
    }
  });
});
