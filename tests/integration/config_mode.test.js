// Config mode (`ringgate serve --config FILE`): model listing and routing, and every client-facing
// error in OpenAI's shape.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const OpenAI = require('openai');
const {
  startMock, startConfigGateway, runRinggate, stopAll, writeTemp, freePort,
} = require('./lib/processes');
const {
  request, postJson, mockStats, mockLastRequest, curl, RawConn, parseResponses, assertOpenAiError, CHAT,
} = require('./lib/http');
const { gatewayToml } = require('./lib/config');

const MAX_BODY = 4096;
const MAX_HEAD = 2048;

describe('config mode', () => {
  let mock;
  let refusing;
  let gw;
  let client;

  before(async () => {
    mock = await startMock(['--tokens', '4']);
    refusing = await startMock(['--refuse']);
    const deadPort = await freePort();  // nothing listens here once freePort returns
    gw = await startConfigGateway(gatewayToml({
      apiBase: mock.apiBase,
      server: { max_body_bytes: MAX_BODY, max_head_bytes: MAX_HEAD },
      extraUpstreams: [
        { name: 'dead', url: `http://127.0.0.1:${deadPort}/v1` },
        { name: 'refusing', url: refusing.apiBase },
      ],
      models: [
        { name: 'gpt-4o-mini', upstream: 'mock', aliases: ['fast'], max_tokens_cap: 1000 },
        { name: 'renamed-model', upstream: 'mock', upstream_model: 'gpt-4o' },
        { name: 'text-embedding-3-small', upstream: 'mock' },
        { name: 'dead-model', upstream: 'dead' },
        { name: 'refused-model', upstream: 'refusing' },
      ],
    }));
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0, timeout: 20000 });
  });
  after(stopAll);

  it('check-config accepts a valid file and names file:line:column of a bad one', async () => {
    const good = writeTemp('good.toml', gatewayToml({ apiBase: mock.apiBase }));
    const ok = await runRinggate(['check-config', good]);
    assert.equal(ok.code, 0, ok.stderr);
    const bad = writeTemp('bad.toml', '[server]\nshards = 1\nmax_body_bytez = 5\n');
    const r = await runRinggate(['check-config', bad]);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /bad\.toml:3:\d+: .*max_body_bytez/);
  });

  it('GET /v1/models lists the configured models and aliases', async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    assert.deepEqual(ids.sort(),
      ['dead-model', 'fast', 'gpt-4o-mini', 'refused-model', 'renamed-model', 'text-embedding-3-small']);
  });

  it('chat, stream and embeddings through the openai SDK', async () => {
    const c = await client.chat.completions.create(CHAT);
    assert.ok(c.choices[0].message.content.length > 0);
    let n = 0;
    for await (const chunk of await client.chat.completions.create({ ...CHAT, stream: true })) {
      n += chunk.choices[0]?.delta?.content ? 1 : 0;
    }
    assert.equal(n, 4);
    const e = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['x', 'y', 'z'] });
    assert.equal(e.data.length, 3);
  });

  it('an alias routes to its model', async () => {
    const res = await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: 'fast' });
    assert.equal(res.status, 200, res.text);
    const last = await mockLastRequest(mock);
    assert.equal(JSON.parse(last.body).model, 'gpt-4o-mini');
  });

  it('upstream_model renames the model sent upstream', async () => {
    const res = await curl(['-f', `${gw.url}/v1/chat/completions`, '-H', 'content-type: application/json',
      '-d', JSON.stringify({ ...CHAT, model: 'renamed-model' })]);
    assert.equal(res.code, 0, res.stderr);
    const last = await mockLastRequest(mock);
    assert.equal(last.path, '/v1/chat/completions');
    assert.equal(JSON.parse(last.body).model, 'gpt-4o');
  });

  describe('errors in OpenAI shape', () => {
    it('400 malformed JSON', async () => {
      const res = await postJson(gw.url, '/v1/chat/completions', '{"model": "gpt-4o-mini", "messages": [');
      assertOpenAiError(res, 400);
    });

    // seed-defect: 004-P5
    it('404 unknown model (and nothing reaches the upstream)', async () => {
      const before = await mockStats(mock);
      const res = await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: 'GPT-4o-mini' });
      assertOpenAiError(res, 404);
      assert.match(res.json.error.message, /GPT-4o-mini/);
      assert.equal((await mockStats(mock)).requests, before.requests);
    });

    // seed-defect: 001-7
    it('400 when max_tokens exceeds the model cap', async () => {
      const res = await postJson(gw.url, '/v1/chat/completions', { ...CHAT, max_tokens: 1001 });
      assertOpenAiError(res, 400);
    });

    // seed-defect: 001-8
    it('413 body over max_body_bytes', async () => {
      const body = JSON.stringify({ ...CHAT, messages: [{ role: 'user', content: 'x'.repeat(MAX_BODY) }] });
      const res = await curl(['-s', '-w', '\n%{http_code}', `${gw.url}/v1/chat/completions`,
        '-H', 'content-type: application/json', '--data-binary', '@-'], { stdin: body });
      const status = Number(res.stdout.slice(res.stdout.lastIndexOf('\n') + 1));
      const text = res.stdout.slice(0, res.stdout.lastIndexOf('\n'));
      assertOpenAiError({ status, text, json: JSON.parse(text) }, 413);
    });

    // seed-defect: 000-X2
    it('415 wrong content type', async () => {
      const res = await request(`${gw.url}/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(CHAT),
      });
      assertOpenAiError(res, 415);
    });

    it('431 head over max_head_bytes', async () => {
      const conn = await RawConn.open(gw.port);
      try {
        await conn.write(`GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(MAX_HEAD)}\r\n\r\n`);
        await conn.until((c) => parseResponses(c.text).length === 1, 'a response');
        const [r] = parseResponses(conn.text);
        assertOpenAiError({ status: r.status, text: r.body, json: JSON.parse(r.body) }, 431);
        await conn.untilClosed();
      } finally {
        conn.destroy();
      }
    });

    for (const [what, framing] of [
      ['Content-Length with Transfer-Encoding', 'Content-Length: 4\r\nTransfer-Encoding: chunked\r\n'],
      ['two differing Content-Lengths', 'Content-Length: 4\r\nContent-Length: 5\r\n'],
    ]) {
      it(`400 ambiguous framing: ${what}`, async () => {
        const conn = await RawConn.open(gw.port);
        try {
          await conn.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n` +
                           `Content-Type: application/json\r\n${framing}\r\n0\r\n\r\n`);
          await conn.until((c) => parseResponses(c.text).length === 1, 'a response');
          const [r] = parseResponses(conn.text);
          assertOpenAiError({ status: r.status, text: r.body, json: JSON.parse(r.body) }, 400);
          // Framing can no longer be trusted, so the connection must not be reused.
          await conn.untilClosed();
        } finally {
          conn.destroy();
        }
      });
    }

    it('502 upstream unreachable (nothing listening)', async () => {
      const res = await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: 'dead-model' });
      assertOpenAiError(res, 502);
    });

    it('502 upstream refusing (accepts, then closes)', async () => {
      // (A refusing mock closes its /mock/stats connections too, so there is nothing to ask it.)
      const res = await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: 'refused-model' });
      assertOpenAiError(res, 502);
    });

    it('the openai SDK raises APIError with status and message', async () => {
      await assert.rejects(client.chat.completions.create({ ...CHAT, model: 'no-such-model' }), (e) => {
        assert.ok(e instanceof OpenAI.APIError, String(e));
        assert.equal(e.status, 404);
        assert.match(e.message, /no-such-model/);
        return true;
      });
    });
  });
});
