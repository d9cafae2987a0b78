// Builds ringgate TOML configs for tests: one mock-backed OpenAI upstream and a few models by
// default, with [server] and [timeouts] overrides and extra upstreams/models as needed. Open
// access ([auth] mode = "none") unless the test gives its own `auth`, `keys` or `teams`.
'use strict';

function tomlValue(v) {
  if (Array.isArray(v)) return `[${v.map(tomlValue).join(', ')}]`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object') {
    return `{ ${Object.entries(v).map(([k, x]) => `${k} = ${tomlValue(x)}`).join(', ')} }`;
  }
  return String(v);
}

function table(header, fields) {
  const lines = [header];
  for (const [k, v] of Object.entries(fields)) {
    if (v !== undefined) lines.push(`${k} = ${tomlValue(v)}`);
  }
  return lines.join('\n') + '\n';
}

// apiBase: the mock's http(s)://127.0.0.1:PORT/v1.
// auth: the [auth] table (null for none); keys, teams: [[keys]] and [[teams]] entries;
// anonymous, cors, log, ledger, metrics: those tables when given (ledger: { path,
// flush_interval_ms }); deployments: [[deployments]] entries (models name them).
function gatewayToml({ apiBase, server = {}, timeouts = {}, upstream = {}, extraUpstreams = [], deployments = [], models,
  keys = [], teams = [], auth = keys.length || teams.length ? null : { mode: 'none' }, anonymous, cors, log, ledger,
  metrics } = {}) {
  const parts = [table('[server]', { shards: 1, ...server })];
  if (auth) parts.push(table('[auth]', auth));
  for (const t of teams) parts.push(table('[[teams]]', t));
  for (const k of keys) parts.push(table('[[keys]]', k));
  if (anonymous) parts.push(table('[anonymous]', anonymous));
  if (cors) parts.push(table('[cors]', cors));
  if (log) parts.push(table('[log]', log));
  if (ledger) parts.push(table('[ledger]', ledger));
  if (metrics) parts.push(table('[metrics]', metrics));
  if (Object.keys(timeouts).length) parts.push(table('[timeouts]', timeouts));
  parts.push(table('[[upstreams]]', { name: 'mock', url: apiBase, format: 'openai', ...upstream }));
  for (const u of extraUpstreams) parts.push(table('[[upstreams]]', u));
  for (const d of deployments) parts.push(table('[[deployments]]', d));
  const ms = models ?? [
    { name: 'gpt-4o-mini', upstream: 'mock', aliases: ['fast'], max_tokens_cap: 1000 },
    { name: 'renamed-model', upstream: 'mock', upstream_model: 'gpt-4o' },
    { name: 'text-embedding-3-small', upstream: 'mock' },
  ];
  for (const m of ms) parts.push(table('[[models]]', m));
  return parts.join('\n');
}

module.exports = { gatewayToml };
