// Helpers for the OpenAI <-> Anthropic translation tests: a quick-mode gateway with
// --upstream-format (lib/processes.js's startQuickGateway has no such option), a fetch that records
// what an SDK sent, raw SSE event parsing with event names, and replaying the request the mock
// received so a test can compare the gateway's translated answer with the upstream's own answer.
'use strict';

const { spawn } = require('node:child_process');
const readline = require('node:readline');
const { request, mockLastRequest } = require('./http');

const RINGGATE_BIN = process.env.RINGGATE_BIN;
const STARTUP_DEADLINE_MS = 15000;
const STOP_DEADLINE_MS = 5000;

const live = new Set();

// `ringgate serve --upstream URL --upstream-format FORMAT [--upstream-key REF]` on a kernel-picked
// port; resolves with {url, port, stdout(), stderr(), stop()} once the gateway prints its port.
function startFormatGateway({ upstream, format, keyRef, shards = 1, env = {} }) {
  const args = ['serve', '--upstream', upstream, '--upstream-format', format, '--shards', String(shards),
    '--listen', '127.0.0.1:0'];
  if (keyRef) args.push('--upstream-key', keyRef);
  const proc = spawn(RINGGATE_BIN, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let exited = false;
  const exit = new Promise((resolve) => proc.on('exit', () => { exited = true; resolve(); }));
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => { stderr += d; });
  const lines = readline.createInterface({ input: proc.stdout });
  const gw = {
    proc,
    stdout: () => stdout,
    stderr: () => stderr,
    async stop() {
      live.delete(gw);
      if (exited) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_DEADLINE_MS);
      await exit;
      clearTimeout(timer);
    },
  };
  live.add(gw);
  return new Promise((resolve, reject) => {
    let first = true;
    const timer = setTimeout(() => {
      gw.stop();
      reject(new Error(`ringgate printed no port within ${STARTUP_DEADLINE_MS} ms; stderr: ${stderr}`));
    }, STARTUP_DEADLINE_MS);
    exit.then(() => {
      clearTimeout(timer);
      if (first) reject(new Error(`ringgate exited before listening; stderr: ${stderr}`));
    });
    lines.on('line', (l) => {
      stdout += l + '\n';
      if (!first) return;
      first = false;
      clearTimeout(timer);
      const m = /^listening on 127\.0\.0\.1:(\d+) \(\d+ shards?\)$/.exec(l);
      if (!m) {
        gw.stop();
        reject(new Error(`unexpected first line: ${JSON.stringify(l)}`));
        return;
      }
      gw.port = Number(m[1]);
      gw.url = `http://127.0.0.1:${gw.port}`;
      resolve(gw);
    });
  });
}

async function stopFormatGateways() {
  await Promise.all([...live].map((g) => g.stop()));
}

process.on('exit', () => {
  for (const g of live) g.proc.kill('SIGKILL');
});

// A fetch for the SDKs' `fetch` option that keeps every request body exactly as sent.
function recordingFetch() {
  const sent = [];
  const f = (url, init = {}) => {
    sent.push({ url: String(url), body: init.body });
    return fetch(url, init);
  };
  return { fetch: f, sent, lastBody: () => sent.at(-1)?.body };
}

// The events of an SSE body: [{event, data}] with `event` undefined when the event had no name
// and `data` the joined data lines as text. Comments and blank events are skipped.
function sseEvents(text) {
  const out = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event;
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (event !== undefined || data.length) out.push({ event, data: data.join('\n') });
  }
  return out;
}

// The request the mock received last, with its body parsed.
async function upstreamRequest(mock) {
  const last = await mockLastRequest(mock);
  return { ...last, json: JSON.parse(last.body) };
}

// Sends `body` (the translated request the mock received) straight to the mock at `path`, not
// streamed, so a test can compare the gateway's translated answer with the upstream's own.
async function askMockDirectly(mock, path, body) {
  const direct = { ...body };
  delete direct.stream;
  delete direct.stream_options;
  const res = await request(`${mock.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(direct),
  });
  if (res.status !== 200) throw new Error(`mock answered ${res.status}: ${res.text}`);
  return res.json;
}

module.exports = {
  startFormatGateway,
  stopFormatGateways,
  recordingFetch,
  sseEvents,
  upstreamRequest,
  askMockDirectly,
};
