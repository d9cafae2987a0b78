// The ledger equals what the upstream reported: a bounded run of bench/accounting_check.sh's
// check (tests/integration/lib/ledger_check.js), every path usage takes, every row matched.
'use strict';

const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const { startMock, startConfigGateway, stopAll } = require('./lib/processes');
const { postJson, waitFor, mockLastRequest } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const { records } = require('./lib/records');
const { runLedgerCheck, formatReport, expectedRow } = require('./lib/ledger_check');

describe('ledger equals upstream', () => {
  after(stopAll);

  it("maps each API's usage to ledger columns and prices it in whole microdollars", () => {
    // OpenAI: prompt_tokens include the cached ones; cost = (3*2 + 5*8 + 2*0.5) = 47 micro.
    assert.deepEqual(expectedRow({ api: 'openai', usage: { prompt_tokens: 5, completion_tokens: 5,
      prompt_tokens_details: { cached_tokens: 2 } } }), { input: 3, output: 5, cached: 2, creation: 0, cost: 47 });
    // Anthropic: input_tokens exclude cache reads; 0.5 rounds half up.
    assert.deepEqual(expectedRow({ api: 'anthropic', usage: { input_tokens: 0, output_tokens: 0,
      cache_read_input_tokens: 1, cache_creation_input_tokens: 0 } }),
    { input: 0, output: 0, cached: 1, creation: 0, cost: 1 });
  });

  it('300 streamed requests over the four paths: every ledger row equals the upstream usage', async () => {
    const r = await runLedgerCheck({ n: 300, concurrency: 8 });
    const report = formatReport(r);
    assert.equal(r.matched, r.n, report);
    for (const [kind, v] of Object.entries(r.byKind)) assert.equal(v.matched, 75, `${kind}\n${report}`);
  });

  // Found by this check: a client that sent its own stream_options without include_usage (or with
  // include_usage: false) was not asked for usage upstream, so its stream was recorded with usage
  // "none" and cost 0 and its budget never charged. The gateway now sets include_usage inside the
  // client's stream_options and keeps the usage chunk from the client.
  it('a stream that turned include_usage off is still accounted, and its client gets no usage chunk', async () => {
    const mock = await startMock();
    const gw = await startConfigGateway(gatewayToml({ apiBase: mock.apiBase,
      models: [{ name: 'gpt-4o-mini', upstream: 'mock', price: { input_per_mtok: 2, output_per_mtok: 8 } }] }),
    { env: { RINGGATE_LOG: 'debug' } });
    const res = await postJson(gw.url, '/v1/chat/completions', { model: 'gpt-4o-mini', stream: true,
      stream_options: { include_usage: false }, messages: [{ role: 'user', content: 'hi' }] },
    { 'x-request-id': 'usage-off', 'x-mock-tokens': '5' });
    assert.equal(res.status, 200);
    const chunks = res.text.split('\n').filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6)));
    assert.ok(chunks.length > 0 && chunks.every((c) => c.choices.length > 0), res.text);
    const last = await mockLastRequest(mock);
    assert.deepEqual(JSON.parse(last.body).stream_options, { include_usage: true });
    const r = await waitFor(() => records(gw).get('usage-off'), { what: 'the record' });
    assert.equal(r.usage, 'reported', JSON.stringify(r));
    assert.equal(r.output_tokens, 5, JSON.stringify(r));
  });
});
