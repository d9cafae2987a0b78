// Quick mode (`ringgate serve --upstream URL`): curl and the official openai SDK through the
// gateway to the mock upstream, pass-through of other /v1 APIs, request ids, pooling, pipelining.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const OpenAI = require('openai');
const { startMock, startQuickGateway, stopAll } = require('./lib/processes');
const {
  request, postJson, mockStats, mockLastRequest, curl, RawConn, OneConnectionClient, parseResponses, sseData, CHAT,
} = require('./lib/http');

describe('quick mode', () => {
  let mock;
  let gw;
  let client;

  before(async () => {
    mock = await startMock(['--tokens', '8']);
    gw = await startQuickGateway({ upstream: mock.apiBase, shards: 1 });
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0, timeout: 20000 });
  });
  after(stopAll);

  it('answers /healthz', async () => {
    const res = await request(`${gw.url}/healthz`);
    assert.equal(res.status, 200);
  });

  describe('curl', () => {
    it('chat completion, not streamed', async () => {
      const r = await curl(['-f', `${gw.url}/v1/chat/completions`, '-H', 'content-type: application/json',
        '-d', JSON.stringify(CHAT)]);
      assert.equal(r.code, 0, r.stderr);
      const body = JSON.parse(r.stdout);
      assert.equal(body.object, 'chat.completion');
      assert.equal(body.model, 'gpt-4o-mini');
      assert.ok(body.choices[0].message.content.length > 0);
      assert.equal(body.usage.completion_tokens, 8);
    });

    it('chat completion, streamed', async () => {
      const r = await curl(['-f', '-N', `${gw.url}/v1/chat/completions`, '-H', 'content-type: application/json',
        '-d', JSON.stringify({ ...CHAT, stream: true })]);
      assert.equal(r.code, 0, r.stderr);
      const events = sseData(r.stdout);
      assert.equal(events.at(-1), '[DONE]');
      const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
      assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk'));
      const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
      assert.equal(text.trim().split(/\s+/).length, 8);
    });

    it('models: the upstream list', async () => {
      const r = await curl(['-f', `${gw.url}/v1/models`]);
      assert.equal(r.code, 0, r.stderr);
      const direct = await request(`${mock.url}/v1/models`);
      assert.deepEqual(JSON.parse(r.stdout), direct.json);
    });

    it('embeddings', async () => {
      const r = await curl(['-f', `${gw.url}/v1/embeddings`, '-H', 'content-type: application/json',
        '-d', JSON.stringify({ model: 'text-embedding-3-small', input: ['a', 'b'] })]);
      assert.equal(r.code, 0, r.stderr);
      const body = JSON.parse(r.stdout);
      assert.equal(body.object, 'list');
      assert.equal(body.data.length, 2);
      assert.ok(body.data.every((d) => Array.isArray(d.embedding) && d.embedding.length > 0));
    });
  });

  describe('openai SDK', () => {
    it('chat completion, not streamed', async () => {
      const c = await client.chat.completions.create(CHAT);
      assert.equal(c.object, 'chat.completion');
      assert.ok(c.choices[0].message.content.length > 0);
    });

    it('chat completion, streamed', async () => {
      const stream = await client.chat.completions.create({ ...CHAT, stream: true });
      let text = '';
      let finish;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      assert.equal(text.trim().split(/\s+/).length, 8);
      assert.equal(finish, 'stop');
    });

    it('models', async () => {
      const ids = [];
      for await (const m of client.models.list()) ids.push(m.id);
      assert.ok(ids.includes('gpt-4o-mini'), ids.join(','));
      assert.ok(ids.includes('text-embedding-3-small'), ids.join(','));
    });

    it('embeddings', async () => {
      const e = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
      assert.equal(e.data.length, 1);
      assert.ok(e.data[0].embedding.length > 0);
    });
  });

  describe('pass-through of other /v1 APIs', () => {
    for (const [path, body] of [
      ['/v1/responses', { model: 'gpt-4o-mini', input: 'say hi' }],
      ['/v1/completions', { model: 'gpt-4o-mini', prompt: 'say hi', max_tokens: 5 }],
    ]) {
      for (const stream of [false, true]) {
        // A streamed legacy completion is the one change: the gateway asks for the stream's usage
        // (its accounting needs it) as the body's first member; the client still gets no usage chunk.
        const asksUsage = stream && path === '/v1/completions';
        it(`${path} ${stream ? 'streamed' : 'not streamed'} reaches the mock ${asksUsage ? 'asking for usage' : 'unchanged'}`, async () => {
          const sent = JSON.stringify({ ...body, stream });
          const res = await postJson(gw.url, path, sent);
          assert.equal(res.status, 200, res.text);
          const last = await mockLastRequest(mock);
          assert.equal(last.method, 'POST');
          assert.equal(last.path, path);
          assert.equal(last.body, asksUsage ? `{"stream_options":{"include_usage":true},${sent.slice(1)}` : sent);
          if (stream) {
            assert.match(res.headers.get('content-type'), /^text\/event-stream/);
            const direct = await postJson(mock.url, path, sent);
            assert.equal(sseData(res.text).length, sseData(direct.text).length);
            assert.ok(sseData(res.text).length > 1, res.text);
          } else {
            assert.equal(res.json.object, path === '/v1/responses' ? 'response' : 'text_completion');
          }
        });
      }
    }

    it('forwards the request body byte for byte', async () => {
      // Unusual spacing and key order would not survive a re-serialisation.
      const sent = '{ "input" : "x",\n  "model":"gpt-4o-mini" , "stream":false }';
      const res = await postJson(gw.url, '/v1/responses', sent);
      assert.equal(res.status, 200, res.text);
      const last = await mockLastRequest(mock);
      assert.equal(last.method, 'POST');
      assert.equal(last.path, '/v1/responses');
      assert.equal(last.body, sent);
    });
  });

  describe('X-Request-ID', () => {
    // seed-defect: 000-H1
    it('echoes a given id and sends it upstream', async () => {
      const res = await postJson(gw.url, '/v1/chat/completions', CHAT, { 'x-request-id': 'test-req-42' });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-request-id'), 'test-req-42');
      const last = await mockLastRequest(mock);
      assert.equal(last.headers['x-request-id'], 'test-req-42');
    });

    // seed-defect: 000-H1
    it('makes one when none is given, echoes it and sends it upstream', async () => {
      const a = await postJson(gw.url, '/v1/chat/completions', CHAT);
      const idA = a.headers.get('x-request-id');
      assert.ok(idA && idA.length > 0);
      assert.equal((await mockLastRequest(mock)).headers['x-request-id'], idA);
      const b = await postJson(gw.url, '/v1/chat/completions', CHAT);
      assert.notEqual(b.headers.get('x-request-id'), idA);
    });
  });

  // seed-defect: 004-P13
  it('reuses one pooled upstream connection for sequential requests', async () => {
    const own = await startMock();
    const g = await startQuickGateway({ upstream: own.apiBase, shards: 1 });
    const before = await mockStats(own);
    const n = 20;
    // One client connection, so each request starts after the previous one fully finished.
    const c = new OneConnectionClient(g.url);
    try {
      for (let i = 0; i < n; ++i) {
        const res = await c.post('/v1/chat/completions', i % 2 ? { ...CHAT, stream: true } : CHAT);
        assert.equal(res.status, 200);
      }
      assert.equal(c.sockets.size, 1);
    } finally {
      c.close();
    }
    const s = await mockStats(own);
    assert.equal(s.requests, n);
    // Less the one connection each of the two /mock/stats calls made.
    assert.equal(s.connections_accepted - before.connections_accepted - 1, 1);
  });

  it('answers pipelined requests on one connection in order', async () => {
    const conn = await RawConn.open(gw.port);
    try {
      const ids = ['pipe-1', 'pipe-2', 'pipe-3'];
      const heads = ids.map((id, i) => {
        const body = i === 1 ? JSON.stringify(CHAT) : '';
        return i === 1
          ? `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Request-ID: ${id}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`
          : `GET ${i === 0 ? '/healthz' : '/v1/models'} HTTP/1.1\r\nHost: x\r\nX-Request-ID: ${id}\r\n\r\n`;
      });
      await conn.write(heads.join(''));
      await conn.until((c) => parseResponses(c.text).length === 3, 'three responses');
      const rs = parseResponses(conn.text);
      assert.deepEqual(rs.map((r) => r.headers['x-request-id']), ids);
      assert.deepEqual(rs.map((r) => r.status), [200, 200, 200]);
      assert.equal(JSON.parse(rs[1].body).object, 'chat.completion');
      assert.equal(JSON.parse(rs[2].body).object, 'list');
    } finally {
      conn.destroy();
    }
  });

  it('handles Expect: 100-continue (curl with a large body)', async () => {
    // curl sends Expect: 100-continue for bodies over 1 MiB and waits for the interim answer.
    const big = { ...CHAT, messages: [{ role: 'user', content: 'x'.repeat(1100000) }] };
    const r = await curl(['-f', '-v', `${gw.url}/v1/chat/completions`, '-H', 'content-type: application/json',
      '--data-binary', '@-', '--expect100-timeout', '15'], { stdin: JSON.stringify(big) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /> Expect: 100-continue/i);
    assert.match(r.stderr, /< HTTP\/1\.1 100 Continue/i);
    assert.equal(JSON.parse(r.stdout).object, 'chat.completion');
  });
});
