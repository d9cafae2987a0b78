// Ledger equals upstream: N streamed requests through a gateway with a ledger, mixed over the
// paths usage takes (OpenAI pass-through with and without stream_options.include_usage, an OpenAI
// client on an Anthropic-format upstream, an Anthropic client on an OpenAI-format upstream), each
// with its own request id. What the upstream reported comes from the upstream itself: the mock
// keeps the usage object each answer carried under the request's x-mock-usage-tag
// (GET /mock/usage_log), whatever the gateway did to the stream afterwards. After SIGTERM (the
// drain commits every row), each ledger row (`ringgate usage --rows`) is compared per request id:
// input, output, cached input and cache creation tokens, and the cost computed here from the
// config's prices. Used by bench/accounting_check.sh (N = 10000) and by
// tests/integration/accounting_ledger.test.js (a bounded N in CI).
'use strict';

const crypto = require('node:crypto');
const path = require('node:path');
const { startMock, startConfigGateway, runRinggate, tempDir, withDeadline } = require('./processes');
const { gatewayToml } = require('./config');
const { mockGet } = require('./http');

// USD per million tokens; microdollars per token once multiplied by 10^6 and divided by 10^6.
const PRICE = { input_per_mtok: 2, output_per_mtok: 8, cached_input_per_mtok: 0.5, cache_write_per_mtok: 3 };
const MODELS = [
  { name: 'gpt-4o-mini', upstream: 'mock', price: PRICE },
  { name: 'claude-3-5-haiku', upstream: 'anth', price: PRICE },
];

// The four paths, by request number.
const KINDS = ['passthrough', 'passthrough-usage', 'openai-to-anthropic', 'anthropic-to-openai'];

function requestFor(i, runId) {
  const kind = KINDS[i % KINDS.length];
  const id = `lc-${runId}-${i}`;
  const headers = {
    'content-type': 'application/json',
    'x-request-id': id,
    'x-mock-usage-tag': id,
    'x-mock-tokens': String(1 + (i % 13)),
    // Cache reads on two requests in three; the mock caps them at the prompt for OpenAI.
    'x-mock-cached-tokens': String(i % 3 ? 1 + (i % 5) : 0),
  };
  const text = `ledger check ${i} ${'word '.repeat(i % 17)}`;
  if (kind === 'anthropic-to-openai') {
    return { id, kind, path: '/v1/messages', headers: { ...headers, 'anthropic-version': '2023-06-01' },
      body: { model: 'gpt-4o-mini', max_tokens: 64, stream: true, messages: [{ role: 'user', content: text }] } };
  }
  const body = { model: kind === 'openai-to-anthropic' ? 'claude-3-5-haiku' : 'gpt-4o-mini', stream: true,
    max_tokens: 64, messages: [{ role: 'user', content: text }] };
  if (kind === 'passthrough-usage' || (kind === 'openai-to-anthropic' && i % 8 < 4)) {
    body.stream_options = { include_usage: true };
  }
  return { id, kind, path: '/v1/chat/completions', headers, body };
}

// The usage chunk an OpenAI-shaped stream ended with, if the client asked for one.
function clientUsage(text) {
  const data = text.split('\n').filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6)));
  const last = data.at(-1);
  return last && last.usage ? last.usage : null;
}

function complete(r, text) {
  return r.path === '/v1/messages' ? text.includes('event: message_stop') : text.includes('data: [DONE]');
}

// What the ledger must hold for a usage object the upstream reported, in its own API's words:
// OpenAI's prompt_tokens include the cached ones, Anthropic's input_tokens do not.
function expectedRow(entry) {
  const u = entry.usage;
  let t;
  if (entry.api === 'anthropic') {
    t = { input: u.input_tokens ?? 0, output: u.output_tokens ?? 0, cached: u.cache_read_input_tokens ?? 0,
      creation: u.cache_creation_input_tokens ?? 0 };
  } else {
    const cached = Math.min(u.prompt_tokens_details?.cached_tokens ?? 0, u.prompt_tokens ?? 0);
    t = { input: (u.prompt_tokens ?? 0) - cached, output: u.completion_tokens ?? 0, cached, creation: 0 };
  }
  // Integer microdollars: sum of tokens x microdollars per Mtok, / 10^6 rounded half up.
  const perMtok = (usd) => BigInt(Math.round(usd * 1e6));
  const sum = BigInt(t.input) * perMtok(PRICE.input_per_mtok) + BigInt(t.output) * perMtok(PRICE.output_per_mtok) +
    BigInt(t.cached) * perMtok(PRICE.cached_input_per_mtok) + BigInt(t.creation) * perMtok(PRICE.cache_write_per_mtok);
  return { ...t, cost: Number((sum + 500000n) / 1000000n) };
}

async function readRows(ledger, since = '24h') {
  const r = await runRinggate(['usage', '--ledger', ledger, '--since', since, '--rows']);
  if (r.code !== 0) throw new Error(`ringgate usage --rows exited ${r.code}: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

// Runs the check; resolves to { n, matched, mismatches, ... } (mismatches: at most `maxListed`).
async function runLedgerCheck({ n, concurrency = 16, log = () => {}, maxListed = 50 } = {}) {
  const runId = crypto.randomBytes(4).toString('hex');
  const dir = tempDir();
  const ledger = path.join(dir, 'ledger.db');
  const mock = await startMock();
  const gw = await startConfigGateway(gatewayToml({
    apiBase: mock.apiBase,
    extraUpstreams: [{ name: 'anth', url: mock.apiBase, format: 'anthropic' }],
    models: MODELS,
    ledger: { path: ledger },
  }), { dir });
  const client = new Map();  // id -> { kind, status, complete, usage (what the client saw) }
  const started = Date.now();
  try {
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < n; i = next++) {
        const r = requestFor(i, runId);
        const res = await fetch(gw.url + r.path, { method: 'POST', headers: r.headers,
          body: JSON.stringify(r.body), signal: AbortSignal.timeout(30000) });
        const text = await res.text();
        client.set(r.id, { kind: r.kind, status: res.status, complete: complete(r, text),
          usage: r.body.stream_options ? clientUsage(text) : null });
        if ((i + 1) % 1000 === 0) log(`# ${i + 1} / ${n} requests sent`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  } finally {
    // SIGTERM: the drain hands every record to the ledger and close() commits it (000-M3).
    await gw.signalAndWait('SIGTERM', 30000);
  }
  const elapsedS = (Date.now() - started) / 1000;
  const upstream = new Map();
  const logged = await mockGet(mock, '/mock/usage_log');
  for (const e of logged.entries) upstream.set(e.tag, e);
  await mock.stop();
  const rows = new Map();
  for (const row of await readRows(ledger)) {
    if (row.request_id.startsWith(`lc-${runId}-`)) rows.set(row.request_id, row);
  }

  const mismatches = [];
  let matched = 0;
  const byKind = Object.fromEntries(KINDS.map((k) => [k, { n: 0, matched: 0 }]));
  for (let i = 0; i < n; ++i) {
    const id = `lc-${runId}-${i}`;
    const c = client.get(id);
    const kind = KINDS[i % KINDS.length];
    byKind[kind].n++;
    const problems = [];
    const up = upstream.get(id);
    const row = rows.get(id);
    if (!c || c.status !== 200 || !c.complete) problems.push(`client: status ${c?.status}, complete ${c?.complete}`);
    if (!up) problems.push('the upstream logged no usage for it');
    if (!row) problems.push('no ledger row');
    if (up && row) {
      const want = expectedRow(up);
      const got = { input: row.input_tokens, output: row.output_tokens, cached: row.cached_input_tokens,
        creation: row.cache_creation_tokens, cost: row.cost_micros };
      for (const k of Object.keys(want)) {
        if (want[k] !== got[k]) problems.push(`${k}: ledger ${got[k]}, upstream ${want[k]}`);
      }
      if (row.usage_source !== 'reported') problems.push(`usage_source ${row.usage_source}`);
      if (!row.taps_complete) problems.push('taps incomplete');
      // Where the client saw the usage chunk (pass-through), it must be the upstream's too.
      if (c?.usage && up.api === 'openai' && JSON.stringify(c.usage) !== JSON.stringify(up.usage)) {
        problems.push(`client usage ${JSON.stringify(c.usage)} != upstream ${JSON.stringify(up.usage)}`);
      }
    }
    if (problems.length === 0) {
      ++matched;
      byKind[kind].matched++;
    } else if (mismatches.length < maxListed) {
      mismatches.push({ id, kind, problems });
    } else {
      mismatches.truncated = (mismatches.truncated ?? 0) + 1;
    }
  }
  return { n, matched, mismatches, byKind, rows: rows.size, upstreamLogged: upstream.size,
    upstreamDropped: logged.dropped, elapsedS, ledger };
}

function formatReport(r) {
  const pct = r.n ? (100 * r.matched / r.n).toFixed(2) : '0.00';
  const lines = [`rows matched: ${r.matched} / ${r.n} (${pct}%)`];
  for (const [k, v] of Object.entries(r.byKind)) lines.push(`  ${k}: ${v.matched} / ${v.n}`);
  lines.push(`  ledger rows for this run: ${r.rows}; upstream usage logged: ${r.upstreamLogged} ` +
             `(dropped ${r.upstreamDropped}); ${r.elapsedS.toFixed(1)} s`);
  for (const m of r.mismatches) lines.push(`mismatch ${m.id} (${m.kind}): ${m.problems.join('; ')}`);
  if (r.mismatches.truncated) lines.push(`... and ${r.mismatches.truncated} more mismatches`);
  return lines.join('\n');
}

module.exports = { runLedgerCheck, formatReport, readRows, expectedRow, withDeadline };
