// Answers never cross clients and a sent POST is never replayed: each case scripts the exact bytes
// a broken or hostile upstream writes (tests/integration/lib/scripted_upstream.js) and checks what
// every client got. Waits are conditions with deadlines.
'use strict';

const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const { startConfigGateway, stopAll } = require('./lib/processes');
const { request, postJson, waitFor, RawConn, parseResponses, sseData, CHAT } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const { startScriptedUpstream, chatResponse } = require('./lib/scripted_upstream');

// The content of a chat completion answer (or the error message when it is not one).
function contentOf(res) {
  const j = JSON.parse(res.text);
  return j.choices ? j.choices[0].message.content : `error ${res.status}: ${j.error.message}`;
}

// A gateway in front of `script`, one shard, so every request shares one upstream pool.
async function gatewayFor(script, { timeouts = {}, server = {} } = {}) {
  const up = await startScriptedUpstream(script);
  const gw = await startConfigGateway(gatewayToml({ apiBase: up.apiBase, timeouts, server }));
  return { up, gw };
}

// Each request's answer names the request it answers ("answer N", N counted over the upstream).
function numberedAnswers() {
  let n = 0;
  return (ctx) => ctx.write(chatResponse(`answer ${n++}`));
}

const chat = (gw, content) =>
  postJson(gw.url, '/v1/chat/completions', { ...CHAT, messages: [{ role: 'user', content }] });

describe('upstream connection hygiene', () => {
  after(stopAll);

  // seed-defect: 004-P13 — keep-alive pools, but a connection with leftovers is never reused.
  it('a second response written after the first never reaches the next client', async () => {
    let idleCtx;
    const answer = numberedAnswers();
    const { up, gw } = await gatewayFor(async (ctx) => {
      idleCtx = ctx;
      await answer(ctx);
    });
    try {
      assert.equal(contentOf(await chat(gw, 'a')), 'answer 0');
      // The upstream writes a whole response to nobody while the connection sits in the pool.
      assert.ok(await idleCtx.write(chatResponse('STRAY: written while idle')));
      const b = await chat(gw, 'b');
      assert.equal(contentOf(b), 'answer 1');
      assert.equal(up.connections, 2, 'the dirty idle connection was closed, a new one opened');
    } finally {
      await up.stop();
      await gw.stop();
    }
  });

  it('a body sent after a 204 is not taken for the next response', async () => {
    let firstCtx;
    const answer = numberedAnswers();
    const { up, gw } = await gatewayFor((ctx) => {
      if (!firstCtx) {
        firstCtx = ctx;
        return ctx.write('HTTP/1.1 204 No Content\r\n\r\n');
      }
      return answer(ctx);
    });
    try {
      const a = await chat(gw, 'a');
      assert.equal(a.status, 204);
      assert.equal(a.text, '');
      // The body a 204 cannot have, sent once the client has its answer.
      assert.ok(await firstCtx.write(chatResponse('STRAY: body after 204')));
      assert.equal(contentOf(await chat(gw, 'b')), 'answer 0');
    } finally {
      await up.stop();
      await gw.stop();
    }
  });

  it('an idle pooled connection the upstream closed is not written to', async () => {
    let first;
    const answer = numberedAnswers();
    const { up, gw } = await gatewayFor(async (ctx) => {
      first ??= ctx;
      await answer(ctx);
    });
    try {
      assert.equal(contentOf(await chat(gw, 'a')), 'answer 0');
      first.destroy();  // the upstream's keep-alive timeout fires while the connection is idle
      await waitFor(() => up.sockets.size === 0, { what: 'the upstream side to close' });
      assert.equal(contentOf(await chat(gw, 'b')), 'answer 1');
      assert.equal(up.requests.length, 2, 'each request reached the upstream exactly once');
    } finally {
      await up.stop();
      await gw.stop();
    }
  });
});

describe('a sent request is never replayed', () => {
  after(stopAll);

  it('a POST on a reused connection that closes without answering is a 502, sent once', async () => {
    let n = 0;
    const { up, gw } = await gatewayFor((ctx) => {
      // The first request is answered; the second one is read, then the upstream drops it.
      if (n++ === 0) return ctx.write(chatResponse('answer 0'));
      ctx.destroy();
      return undefined;
    });
    try {
      assert.equal(contentOf(await chat(gw, 'a')), 'answer 0');
      const b = await chat(gw, 'b');
      assert.equal(b.status, 502, b.text);
      assert.match(JSON.parse(b.text).error.message, /closed the connection before responding/);
      assert.equal(up.requests.length, 2, 'the dropped POST was not sent again');
    } finally {
      await up.stop();
      await gw.stop();
    }
  });

  it('a GET on a reused connection that closes without answering is retried once', async () => {
    let n = 0;
    const models = JSON.stringify({ object: 'list', data: [] });
    const up = await startScriptedUpstream((ctx) => {
      if (n++ === 1) {
        ctx.destroy();
        return undefined;
      }
      return ctx.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n` +
                       `Content-Length: ${models.length}\r\n\r\n${models}`);
    });
    const gw = await startConfigGateway(`passthrough = true\n${gatewayToml({ apiBase: up.apiBase, models: [] })}`);
    try {
      assert.equal((await request(`${gw.url}/v1/models`)).status, 200);
      const again = await request(`${gw.url}/v1/models`);
      assert.equal(again.status, 200, 'an idempotent request may be retried on a new connection');
      assert.equal(up.requests.length, 3);
    } finally {
      await up.stop();
      await gw.stop();
    }
  });
});

describe('response framing', () => {
  after(stopAll);

  // Transfer-Encoding and Content-Length together: the client must get one 502, never the
  // upstream's length over a re-framed body with the rest smuggled in as a second response.
  for (const sse of [false, true]) {
    it(`Transfer-Encoding with Content-Length is refused with 502 (${sse ? 'SSE' : 'JSON'})`, async () => {
      const injected = chatResponse('INJECTED');
      const body = sse ? 'data: {"choices":[]}\n\n' : '{"x":1}';
      const { up, gw } = await gatewayFor((ctx) => ctx.write(
        `HTTP/1.1 200 OK\r\nContent-Type: ${sse ? 'text/event-stream' : 'application/json'}\r\n` +
        `Content-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n\r\n` +
        `${(body.length + injected.length).toString(16)}\r\n${body}${injected}\r\n0\r\n\r\n`));
      try {
        const c = await RawConn.open(gw.port);
        const req = JSON.stringify({ ...CHAT, stream: sse });
        await c.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
                      `Content-Length: ${req.length}\r\n\r\n${req}`);
        await c.until((x) => parseResponses(x.text).length >= 1, 'an answer');
        const got = parseResponses(c.text);
        assert.equal(got[0].status, 502, c.text);
        assert.match(got[0].body, /Transfer-Encoding/);
        // Nothing after it on the connection, in particular not the injected answer.
        await c.write(`GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`);
        await c.until((x) => parseResponses(x.text).length >= 2 || x.closed, 'health or close');
        assert.ok(!c.text.includes('INJECTED'), c.text);
        c.destroy();
      } finally {
        await up.stop();
        await gw.stop();
      }
    });
  }

  it('a body arriving beyond Content-Length is never relayed', async () => {
    const { up, gw } = await gatewayFor((ctx) => ctx.write(chatResponse('exact') + 'EXTRA BYTES'));
    try {
      const a = await chat(gw, 'a');
      assert.equal(contentOf(a), 'exact');
    } finally {
      await up.stop();
      await gw.stop();
    }
  });

  it('an SSE stream framed with Content-Length reaches the client as exactly that many bytes', async () => {
    const events = 'data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}\n\ndata: [DONE]\n\n';
    const { up, gw } = await gatewayFor((ctx) => ctx.write(
      `HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: ${events.length}\r\n\r\n${events}`));
    try {
      const res = await postJson(gw.url, '/v1/chat/completions', { ...CHAT, stream: true });
      assert.equal(res.status, 200);
      assert.deepEqual(sseData(res.text), ['{"choices":[{"index":0,"delta":{"content":"hi"}}]}', '[DONE]']);
    } finally {
      await up.stop();
      await gw.stop();
    }
  });
});

describe('what a request keeps is its own', () => {
  after(stopAll);

  // The shard's JSON parser is shared: a request that waits on its upstream must not read its
  // model name out of the parser after another client's request was parsed there.
  it("a translated answer names its own client's model while another request is parsed", async () => {
    const held = [];
    const answer = (model) => JSON.stringify({
      id: 'msg_1', type: 'message', role: 'assistant', model, content: [{ type: 'text', text: 'hi' }],
      stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1 },
    });
    const up = await startScriptedUpstream((ctx) => {
      // Hold the first request until the second one has been parsed and sent, then answer both.
      held.push(ctx);
      if (held.length < 2) return undefined;
      return Promise.all(held.map((c) => c.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${answer('upstream-name').length}\r\n\r\n${answer('upstream-name')}`)));
    });
    const gw = await startConfigGateway(gatewayToml({
      apiBase: up.apiBase,
      upstream: { format: 'anthropic' },
      models: [{ name: 'model-aaaa', upstream: 'mock' }, { name: 'model-bbbb', upstream: 'mock' }],
    }));
    try {
      const ask = (model) => postJson(gw.url, '/v1/chat/completions',
        { model, max_tokens: 5, messages: [{ role: 'user', content: 'same shape' }] });
      const a = ask('model-aaaa');
      await waitFor(() => held.length === 1, { what: 'the first request to reach the upstream' });
      const [ra, rb] = await Promise.all([a, ask('model-bbbb')]);
      assert.equal(ra.status, 200, ra.text);
      assert.equal(JSON.parse(ra.text).model, 'model-aaaa');
      assert.equal(JSON.parse(rb.text).model, 'model-bbbb');
    } finally {
      await up.stop();
      await gw.stop();
    }
  });
});
