// ringgate operator console: asks for the admin key (kept in sessionStorage, sent as a bearer
// token), polls the admin API every 2 s and draws what it answers. No framework, no network
// access beyond this gateway; data is written with textContent only, never as markup.
'use strict';

const POLL_MS = 2000;
const HOUR_S = 3600;
const KEY_SLOT = 'ringgate-admin-key';
const $ = (id) => document.getElementById(id);

let timer = null;
let generation = 0;  // a poll started later (a new key, a filter) supersedes one in flight

// ---- fetching ----------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path) {
  let res;
  try {
    res = await fetch(path, {
      headers: { authorization: `Bearer ${sessionStorage.getItem(KEY_SLOT) || ''}` },
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, String(e.message || e));
  }
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = undefined; }
  if (!res.ok) throw new ApiError(res.status, body?.error?.message || `HTTP ${res.status}`);
  if (body === undefined) throw new ApiError(res.status, 'the answer was not JSON');
  return body;
}

function showStatus(state, text) {
  const el = $('status');
  el.hidden = !text;
  el.dataset.state = state;
  el.textContent = text || '';
}

// The message for a refusal that concerns the whole console, or null.
function refusalMessage(err) {
  if (err.status === 401) {
    return 'The admin key was refused (401). Enter the key named by [metrics] admin_key in the ' +
           'gateway config.';
  }
  if (err.status === 403) {
    return 'No admin key configured on this gateway (403): set [metrics] admin_key in the ' +
           'config to use the console. ' + err.message;
  }
  if (err.status === 0) {
    return `The gateway could not be reached (${err.message}); retrying every ${POLL_MS / 1000} s.`;
  }
  return null;
}

// ---- formatting --------------------------------------------------------------------------

function num(v, digits = 2) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  return Number.isInteger(v) ? String(v) : Number(v).toFixed(digits);
}
const usd = (v) => (v === null || v === undefined ? '–' : Number(v).toFixed(6));
const pct = (v) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);
const when = (s) => (s ? new Date(s * 1000).toISOString().replace('T', ' ').slice(0, 19) : '–');

function duration(s) {
  if (s === null || s === undefined) return '–';
  s = Math.floor(s);
  const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
}

function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function badge(kind, value) {
  return el('span', value ?? 'unknown', { class: 'badge', [`data-${kind}`]: value ?? 'unknown' });
}

// ---- tables ------------------------------------------------------------------------------

// Replaces the table's rows: each row is an array of cells (a string/number or a Node).
function fillTable(id, rows, rowAttrs = () => ({})) {
  const body = $(id).tBodies[0];
  const cols = $(id).tHead.rows[0].cells.length;
  body.replaceChildren();
  if (!rows.length) {
    const tr = body.insertRow();
    tr.append(el('td', 'none', { class: 'empty', colspan: cols }));
    return;
  }
  for (const [i, cells] of rows.entries()) {
    const tr = body.insertRow();
    for (const [k, v] of Object.entries(rowAttrs(i))) tr.setAttribute(k, v);
    for (const c of cells) tr.append(c instanceof Node ? wrapCell(c) : el('td', c));
  }
}

function wrapCell(node) {
  const td = el('td');
  td.append(node);
  return td;
}

function limitsCell(limits = []) {
  const box = el('div');
  for (const l of limits) {
    const line = el('div');
    const meter = el('meter', null, { min: 0, max: l.limit, value: l.remaining, low: l.limit * 0.2 });
    line.append(meter, ` ${l.name}: ${num(l.remaining, 0)} / ${num(l.limit, 0)}`,
                l.reset_s ? ` (reset ${num(l.reset_s, 1)} s)` : '');
    box.append(line);
  }
  if (!limits.length) box.textContent = 'none';
  return box;
}

function budgetsCell(budgets = []) {
  const box = el('div');
  for (const b of budgets) {
    const line = el('div');
    const meter = el('meter', null, { min: 0, max: b.limit_usd, value: b.spent_usd, high: b.limit_usd * 0.8 });
    line.append(meter, ` ${b.period}: ${usd(b.spent_usd)} of ${usd(b.limit_usd)}, resets ${when(b.resets_at)}`);
    box.append(line);
  }
  if (!budgets.length) box.textContent = 'none';
  return box;
}

function renderKeys({ keys = [] }) {
  fillTable('keys', keys.map((k) => [k.id, k.team ?? '–', k.source,
    k.revoked ? 'revoked' : k.expires_at ? when(k.expires_at) : 'never', k.requests, usd(k.spend_usd),
    limitsCell(k.limits), budgetsCell(k.budgets)]), (i) => ({ 'data-key-id': keys[i].id }));
}

function renderTeams({ teams = [] }) {
  fillTable('teams', teams.map((t) => [t.id, t.keys, t.requests, usd(t.spend_usd), limitsCell(t.limits),
    budgetsCell(t.budgets)]), (i) => ({ 'data-team-id': teams[i].id }));
}

function managedText(m) {
  if (!m) return '–';
  return `${m.state}${m.pid ? ` pid ${m.pid}` : ''}${m.port ? ` :${m.port}` : ''}` +
         `${m.uptime_s !== undefined ? ` up ${duration(m.uptime_s)}` : ''}`;
}

function renderDeployments({ deployments = [] }) {
  fillTable('deployments', deployments.map((d) => [d.name, (d.models || []).join(', '), d.upstream,
    badge('health', d.health), badge('breaker', d.breaker), d.in_flight, num(d.latency_ewma_ms), d.requests,
    d.errors, managedText(d.managed)]),
  (i) => ({ 'data-deployment': deployments[i].name, 'data-breaker': deployments[i].breaker }));
}

function renderCache({ exact = {}, semantic = {} }) {
  fillTable('cache', [
    ['exact', exact.enabled ? 'yes' : 'no', exact.hits, exact.misses, exact.coalesced ?? '–', pct(exact.hit_ratio),
      exact.entries, exact.bytes, '–'],
    ['semantic', semantic.enabled ? 'yes' : 'no', semantic.hits, semantic.misses, '–', pct(semantic.hit_ratio),
      semantic.index_size, semantic.bytes, semantic.embedder_errors],
  ], (i) => ({ 'data-cache': i ? 'semantic' : 'exact' }));
}

function requestsPath() {
  const q = new URLSearchParams({ limit: '50' });
  const key = $('filter-key').value.trim(), model = $('filter-model').value.trim();
  if (key) q.set('key', key);
  if (model) q.set('model', model);
  return `/admin/requests?${q}`;
}

function renderRequests({ requests = [] }) {
  fillTable('requests', requests.map((r) => [when(r.time), r.request_id, r.key ?? '–', r.team ?? '–', r.model,
    r.deployment ?? '–', r.status, `${r.input_tokens ?? '–'} / ${r.output_tokens ?? '–'}`, usd(r.cost_usd),
    num(r.latency_ms), r.cache ?? '–']), (i) => ({ 'data-request-id': requests[i].request_id }));
}

// ---- headline and charts -----------------------------------------------------------------

function renderHeadline(o) {
  const tiles = [
    ['uptime', duration(o.uptime_s)], ['shards', o.shards],
    ['requests/s 1m', num(o.requests_per_s?.['1m'])], ['requests/s 5m', num(o.requests_per_s?.['5m'])],
    ['error rate 1m', pct(o.error_rate?.['1m'])], ['error rate 5m', pct(o.error_rate?.['5m'])],
    ['connections', o.open_connections], ['streams', o.open_streams],
    ['latency p50/p95/p99 ms', ['p50', 'p95', 'p99'].map((p) => num(o.latency_ms?.[p], 1)).join(' / ')],
    ['TTFT p50/p95/p99 ms', ['p50', 'p95', 'p99'].map((p) => num(o.ttft_ms?.[p], 1)).join(' / ')],
    ['spend today USD', usd(o.spend_today_usd)],
  ];
  $('headline').replaceChildren(...tiles.map(([label, value]) => {
    const t = el('div', null, { class: label.includes('/') ? 'tile wide' : 'tile', 'data-tile': label });
    t.append(el('div', label, { class: 'label' }), el('div', value ?? '–', { class: 'value' }));
    return t;
  }));
}

const COLOURS = { main: '#2563eb', p50: '#2563eb', p95: '#d97706', p99: '#dc2626', errors: '#b91c1c', spend: '#15803d' };

// Draws lines (name -> [[t, v]]) over the last hour ending at `now`; sets data-points to the
// number of points drawn so a test can tell an empty chart from a drawn one.
function drawChart(canvas, lines, now, unit) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth, h = canvas.clientHeight;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  const g = canvas.getContext('2d');
  g.scale(dpr, dpr);
  g.clearRect(0, 0, w, h);
  const pad = { l: 6, r: 6, t: 16, b: 16 };
  const all = Object.values(lines).flat();
  const top = Math.max(...all.map(([, v]) => v), 0);
  const max = top || 1;  // an all-zero chart still has a scale
  const x = (t) => pad.l + ((t - (now - HOUR_S)) / HOUR_S) * (w - pad.l - pad.r);
  const y = (v) => h - pad.b - (v / max) * (h - pad.t - pad.b);
  g.strokeStyle = '#e5e7eb';
  g.beginPath();
  for (let i = 0; i <= 4; i++) {
    const yy = pad.t + (i * (h - pad.t - pad.b)) / 4;
    g.moveTo(pad.l, yy);
    g.lineTo(w - pad.r, yy);
  }
  g.stroke();
  g.fillStyle = '#6b7280';
  g.font = '11px system-ui, sans-serif';
  g.fillText(`max ${num(max, unit === 'usd' ? 6 : 2)}`, pad.l, 11);
  g.fillText('-60 min', pad.l, h - 3);
  g.fillText('now', w - pad.r - 20, h - 3);
  for (const [name, pts] of Object.entries(lines)) {
    g.strokeStyle = g.fillStyle = COLOURS[name] || COLOURS.main;
    g.lineWidth = 2;
    g.beginPath();
    pts.forEach(([t, v], i) => (i ? g.lineTo(x(t), y(v)) : g.moveTo(x(t), y(v))));
    g.stroke();
    // Few points (a fresh process, quiet traffic) would be specks: mark each one.
    if (pts.length <= 60) for (const [t, v] of pts) g.fillRect(x(t) - 2, y(v) - 2, 4, 4);
  }
  canvas.dataset.points = String(all.length);
  canvas.dataset.max = String(top);
}

function renderCharts(o) {
  const now = o.now || Date.now() / 1000;
  const series = o.series || { step_s: 10, points: [] };
  const step = series.step_s || 10;
  const pts = (series.points || []).filter((p) => p.t > now - HOUR_S);
  const line = (f) => pts.map((p) => [p.t, Number(f(p)) || 0]);
  drawChart($('chart-requests'), { main: line((p) => p.requests / step) }, now);
  drawChart($('chart-errors'), { errors: line((p) => p.errors) }, now);
  drawChart($('chart-latency'), { p50: line((p) => p.p50_ms), p95: line((p) => p.p95_ms),
    p99: line((p) => p.p99_ms) }, now);
  drawChart($('chart-spend'), { spend: line((p) => p.spend_usd) }, now, 'usd');
}

// ---- polling -----------------------------------------------------------------------------

const SECTIONS = [
  { path: () => '/admin/overview', note: null, render: (o) => { renderHeadline(o); renderCharts(o); } },
  { path: () => '/admin/deployments', note: 'deployments-note', render: renderDeployments },
  { path: () => '/admin/keys', note: 'keys-note', render: renderKeys },
  { path: () => '/admin/teams', note: 'teams-note', render: renderTeams },
  { path: () => '/admin/cache', note: 'cache-note', render: renderCache },
  { path: requestsPath, note: 'requests-note', render: renderRequests },
];

async function poll() {
  clearTimeout(timer);
  const mine = ++generation;
  if (!sessionStorage.getItem(KEY_SLOT)) {
    showStatus('info', 'Enter the admin key ([metrics] admin_key in the gateway config) to connect.');
    return;
  }
  const results = await Promise.allSettled(SECTIONS.map((s) => api(s.path())));
  if (mine !== generation) return;
  let refusal = null;
  results.forEach((r, i) => {
    const s = SECTIONS[i];
    if (r.status === 'fulfilled') {
      s.render(r.value);
      if (s.note) $(s.note).textContent = '';
      return;
    }
    const whole = refusalMessage(r.reason);  // said once, in the banner
    refusal = refusal || whole;
    // What a refused key saw before is not left on screen.
    if (r.reason.status === 401 || r.reason.status === 403) s.render({});
    if (s.note) $(s.note).textContent = whole ? '' : `${s.path().split('?')[0]}: ${r.reason.message}`;
  });
  showStatus(refusal ? 'error' : 'ok', refusal);
  document.body.dataset.connected = refusal ? 'no' : 'yes';
  $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  // A refused key is not retried until another is entered; the rest is polled on.
  if (!results.some((r) => r.status === 'rejected' && r.reason.status === 401)) {
    timer = setTimeout(poll, POLL_MS);
  }
}

function start() {
  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(KEY_SLOT, $('admin-key').value);
    $('admin-key').value = '';
    poll();
  });
  $('forget-key').addEventListener('click', () => {
    sessionStorage.removeItem(KEY_SLOT);
    for (const s of SECTIONS) s.render({});
    poll();
  });
  $('filters').addEventListener('submit', (e) => {
    e.preventDefault();
    poll();
  });
  poll();
}

document.addEventListener('DOMContentLoaded', start);
