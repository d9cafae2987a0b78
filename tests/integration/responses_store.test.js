// previous_response_id through translation (Anthropic-format upstream): the gateway keeps each
// translated conversation per virtual key, so a key continues its own conversations only, an id
// it does not hold is a clear 400 (never an answer without the history), `store: false` keeps
// nothing, and `instructions` are not carried over.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { startMock, startConfigGateway, stopAll } = require('./lib/processes');
const { postJson, sha256Hex } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const { mockRequests } = require('./lib/responses_upstreams');

const newKey = () => 'rg-' + crypto.randomBytes(32).toString('base64url');
const KEYS = { alice: newKey(), bob: newKey() };
const bearer = (key) => ({ authorization: `Bearer ${key}` });
const MODEL = 'claude-test';

describe('previous_response_id through translation', () => {
  let mock;
  let gw;
  before(async () => {
    mock = await startMock(['--tokens', '3']);
    gw = await startConfigGateway(gatewayToml({
      apiBase: mock.apiBase,
      upstream: { format: 'anthropic' },
      keys: [{ id: 'alice', sha256: sha256Hex(KEYS.alice) }, { id: 'bob', sha256: sha256Hex(KEYS.bob) }],
      models: [{ name: MODEL, upstream: 'mock' }],
    }));
  });
  after(stopAll);

  const create = (key, body) => postJson(gw.url, '/v1/responses', { model: MODEL, ...body }, bearer(key));
  const lastMessages = async () => (await mockRequests(mock)).at(-1).json;

  it('a key continues its own conversation with the whole history sent upstream', async () => {
    const first = await create(KEYS.alice, { input: 'first question', instructions: 'be terse' });
    assert.equal(first.status, 200, first.text);
    assert.match(first.json.id, /^resp_[0-9a-f]{32}$/);
    const second = await create(KEYS.alice, { input: 'second question', previous_response_id: first.json.id });
    assert.equal(second.status, 200, second.text);
    assert.notEqual(second.json.id, first.json.id);
    const sent = await lastMessages();
    const texts = sent.messages.map((m) => (typeof m.content === 'string' ? m.content : m.content.map((b) => b.text).join('')));
    assert.equal(sent.messages.length, 3, JSON.stringify(sent.messages));
    assert.equal(texts[0], 'first question');
    assert.equal(sent.messages[1].role, 'assistant');
    assert.equal(texts[1], first.json.output[0].content[0].text);
    assert.equal(texts[2], 'second question');
    assert.equal(sent.system, undefined, 'instructions are not carried over');
    // The chain goes on from the second turn.
    const third = await create(KEYS.alice, { input: 'third', previous_response_id: second.json.id });
    assert.equal(third.status, 200, third.text);
    assert.equal((await lastMessages()).messages.length, 5);
  });

  // Another key's id is as unknown as a made-up one: nothing reaches the upstream.
  it('another key cannot continue it, even with the right id', async () => {
    const mine = await create(KEYS.alice, { input: 'private' });
    assert.equal(mine.status, 200, mine.text);
    const before = (await mockRequests(mock)).length;
    const theirs = await create(KEYS.bob, { input: 'continue', previous_response_id: mine.json.id });
    assert.equal(theirs.status, 400, theirs.text);
    assert.equal(theirs.json.error.type, 'invalid_request_error');
    assert.equal(theirs.json.error.param, 'previous_response_id');
    assert.match(theirs.json.error.message, /send the whole conversation in `input`/);
    assert.equal((await mockRequests(mock)).length, before, 'nothing was sent upstream');
  });

  it('store: false keeps nothing; a malformed id is refused', async () => {
    const unstored = await create(KEYS.alice, { input: 'forget me', store: false });
    assert.equal(unstored.status, 200, unstored.text);
    assert.equal(unstored.json.store, false);
    const next = await create(KEYS.alice, { input: 'again', previous_response_id: unstored.json.id });
    assert.equal(next.status, 400, next.text);
    assert.equal(next.json.error.param, 'previous_response_id');
    const bad = await create(KEYS.alice, { input: 'x', previous_response_id: 42 });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.json.error.param, 'previous_response_id');
  });

  it('a streamed turn is kept too', async () => {
    const res = await fetch(`${gw.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(KEYS.bob) },
      body: JSON.stringify({ model: MODEL, input: 'stream it', stream: true }),
    });
    assert.equal(res.status, 200);
    const text = await res.text();
    const completed = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)))
      .find((e) => e.type === 'response.completed');
    assert.ok(completed, text);
    const next = await create(KEYS.bob, { input: 'and then', previous_response_id: completed.response.id });
    assert.equal(next.status, 200, next.text);
    assert.equal((await lastMessages()).messages.length, 3);
  });
});
