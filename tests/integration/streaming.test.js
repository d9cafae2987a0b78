// Streaming behaviour end to end: incremental forwarding, client disconnects, upstream failures
// mid-stream, and draining on SIGTERM.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const OpenAI = require('openai');
const { startMock, startQuickGateway, stopAll, withDeadline } = require('./lib/processes');
const { mockStats, waitForStats, curl, sseData, CHAT } = require('./lib/http');
const { SseReader } = require('./lib/sse_reader');

const STREAM = { ...CHAT, stream: true };

describe('streaming', () => {
  let mock;
  let gw;

  before(async () => {
    mock = await startMock();
    gw = await startQuickGateway({ upstream: mock.apiBase, shards: 1 });
  });
  after(stopAll);

  // seed-defect: 004-P10
  it('forwards each event as it arrives, not when the upstream finishes', async () => {
    const before = await mockStats(mock);
    const r = await SseReader.open(gw.url, '/v1/chat/completions', STREAM,
      { 'x-mock-interval-ms': '100', 'x-mock-tokens': '30' });
    try {
      assert.equal(r.status, 200);
      await r.untilEvents(1);
      // The client holds an event while the upstream is still generating this very stream.
      const during = await mockStats(mock);
      assert.ok(during.active_streams > 0, JSON.stringify(during));
      assert.equal(during.streams_completed, before.streams_completed);
      JSON.parse(r.events[0]);
      await r.untilEnd();
      assert.equal(r.events.at(-1), '[DONE]');
      await waitForStats(mock, (s) => s.streams_completed === before.streams_completed + 1, 'stream completed');
    } finally {
      r.abort();
    }
  });

  // seed-defect: 004-P14
  it('a client that disconnects mid-stream makes the gateway drop the upstream stream', async () => {
    const before = await mockStats(mock);
    const r = await SseReader.open(gw.url, '/v1/chat/completions', STREAM,
      { 'x-mock-interval-ms': '100', 'x-mock-tokens': '500' });
    await r.untilEvents(2);
    r.abort();
    const after = await waitForStats(mock,
      (s) => s.client_disconnects_midstream > before.client_disconnects_midstream && s.active_streams === 0,
      'the upstream to see the disconnect');
    assert.equal(after.streams_completed, before.streams_completed);
  });

  // seed-defect: 001-2
  it('an upstream that dies mid-stream gives curl a final error event and a clean end', async () => {
    const r = await curl(['-N', `${gw.url}/v1/chat/completions`, '-H', 'content-type: application/json',
      '-H', 'x-mock-disconnect-after-events: 3', '-d', JSON.stringify(STREAM)]);
    // curl exits 0 only if the chunked body ended properly (terminating chunk).
    assert.equal(r.code, 0, r.stderr);
    const events = sseData(r.stdout);
    assert.equal(events.length, 4, r.stdout);
    for (const e of events.slice(0, 3)) assert.equal(JSON.parse(e).object, 'chat.completion.chunk');
    const last = JSON.parse(events[3]);
    assert.equal(typeof last.error.message, 'string');
    assert.ok('type' in last.error && 'code' in last.error, events[3]);
    assert.ok(!events.includes('[DONE]'));
  });

  // seed-defect: 001-2
  it('an upstream that dies mid-stream makes the openai SDK raise APIError, not hang', async () => {
    const client = new OpenAI({
      baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0, timeout: 20000,
      defaultHeaders: { 'x-mock-disconnect-after-events': '2' },
    });
    let chunks = 0;
    await assert.rejects(withDeadline((async () => {
      for await (const _ of await client.chat.completions.create(STREAM)) ++chunks;
    })(), 20000, 'SDK stream'), (e) => {
      assert.ok(e instanceof OpenAI.APIError, `APIError expected, got ${e}`);
      assert.match(e.message, /upstream/i);
      return true;
    });
    assert.equal(chunks, 2);
  });

  it('the gateway keeps serving after upstream failures and disconnects', async () => {
    const r = await curl(['-f', `${gw.url}/v1/chat/completions`, '-H', 'content-type: application/json',
      '-d', JSON.stringify(CHAT)]);
    assert.equal(r.code, 0, r.stderr);
  });

  // seed-defect: 000-H5
  it('SIGTERM during a stream lets the stream finish, then exits 0', async () => {
    const own = await startQuickGateway({ upstream: mock.apiBase, shards: 1 });
    const r = await SseReader.open(own.url, '/v1/chat/completions', STREAM,
      { 'x-mock-interval-ms': '100', 'x-mock-tokens': '10' });
    await r.untilEvents(1);
    own.proc.kill('SIGTERM');
    await r.untilEnd();
    assert.equal(r.events.at(-1), '[DONE]');
    const text = r.events.slice(0, -1).map((e) => JSON.parse(e).choices[0]?.delta?.content ?? '').join('');
    assert.equal(text.trim().split(/\s+/).length, 10);
    const { code, signal } = await withDeadline(own.exited, 10000, 'gateway exit after drain');
    assert.equal(signal, null);
    assert.equal(code, 0, own.stderr);
  });
});
