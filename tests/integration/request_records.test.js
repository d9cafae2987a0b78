// The single completion point: every request, answered locally, refused, forwarded or cut, leaves
// one record on the shard's ring, which the accounting thread drains. With RINGGATE_LOG=debug it
// logs each as a JSON line; at exit it says how many it consumed and how many a full ring dropped.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startMock, startConfigGateway, stopAll } = require('./lib/processes');
const { request, postJson, waitFor, RawConn, CHAT } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const { records } = require('./lib/records');

describe('request records', () => {
  let mock;
  let gw;
  before(async () => {
    mock = await startMock();
    gw = await startConfigGateway(gatewayToml({ apiBase: mock.apiBase }), { env: { RINGGATE_LOG: 'debug' } });
  });
  after(stopAll);

  // seed-defect: 002-5 (the anonymous path is accounted: client_key is 'anonymous')
  it('a forwarded request is recorded with its models, status, bytes and timings', async () => {
    const res = await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: 'fast' }, { 'x-request-id': 'rec-fwd-1' });
    assert.equal(res.status, 200);
    const r = await waitFor(() => records(gw).get('rec-fwd-1'), { what: 'the record of rec-fwd-1' });
    assert.equal(r.model, 'fast');
    assert.equal(r.served_model, 'gpt-4o-mini');
    assert.equal(r.upstream, 'mock');
    assert.equal(r.status, 200);
    assert.equal(r.outcome, 'answered');
    assert.equal(r.client_key, 'anonymous');
    assert.ok(r.bytes_in > 0 && r.bytes_out > res.text.length, JSON.stringify(r));
    assert.ok(r.upstream_ttfb_us > 0 && r.total_us >= r.upstream_ttfb_us, JSON.stringify(r));
  });

  // seed-defect: 002-4 (an upstream 402 is relayed and still recorded)
  it('local answers, refusals and upstream failures are recorded too', async () => {
    await request(`${gw.url}/healthz`, { headers: { 'x-request-id': 'rec-local-1' } });
    await postJson(gw.url, '/v1/chat/completions', { ...CHAT, model: 'nope' }, { 'x-request-id': 'rec-404-1' });
    await postJson(gw.url, '/v1/chat/completions', CHAT,
      { 'x-request-id': 'rec-fail-1', 'x-mock-fail-status': '500' });
    await postJson(gw.url, '/v1/chat/completions', CHAT,
      { 'x-request-id': 'rec-402-1', 'x-mock-fail-status': '402' });
    const local = await waitFor(() => records(gw).get('rec-local-1'), { what: 'the health record' });
    assert.equal(local.outcome, 'local');
    assert.equal(local.status, 200);
    const refused = await waitFor(() => records(gw).get('rec-404-1'), { what: 'the 404 record' });
    assert.equal(refused.status, 404);
    assert.equal(refused.outcome, 'local');
    // An upstream's own 500 is an answer it gave, relayed whole.
    const failed = await waitFor(() => records(gw).get('rec-fail-1'), { what: 'the 500 record' });
    assert.equal(failed.status, 500);
    assert.equal(failed.outcome, 'answered');
    const unpaid = await waitFor(() => records(gw).get('rec-402-1'), { what: 'the 402 record' });
    assert.equal(unpaid.status, 402);
    assert.equal(unpaid.outcome, 'answered');
  });

  it('a request refused before it parsed is recorded', async () => {
    const before = records(gw).size;
    const c = await RawConn.open(gw.port);
    await c.write('GARBAGE\r\n\r\n');
    await c.untilClosed();
    const r = await waitFor(() => [...records(gw).values()].slice(before).find((x) => x.status === 400),
      { what: 'the record of the malformed request' });
    assert.equal(r.outcome, 'local');
  });

  it('at exit every record was consumed and none dropped', async () => {
    await gw.stop();
    const m = /request records: (\d+) consumed, (\d+) dropped/.exec(gw.stderr);
    assert.ok(m, gw.stderr.slice(-500));
    assert.equal(Number(m[2]), 0);
    assert.equal(Number(m[1]), records(gw).size);
  });
});
