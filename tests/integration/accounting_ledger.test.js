// The ledger equals what the upstream reported: a bounded run of bench/accounting_check.sh's
// check (tests/integration/lib/ledger_check.js), every path usage takes, every row matched.
'use strict';

const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const { stopAll } = require('./lib/processes');
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
});
