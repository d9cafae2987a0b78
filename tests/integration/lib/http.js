// Client-side helpers: fetch wrappers, the mock's control endpoints, curl, raw sockets, and
// condition polling with deadlines (the only way these tests wait).
'use strict';

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { spawn } = require('node:child_process');
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');

const POLL_MS = 10;

// Polls `check` until it returns a truthy value (which is returned) or the deadline passes.
async function waitFor(check, { deadlineMs = 10000, what = 'condition' } = {}) {
  const end = Date.now() + deadlineMs;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function request(url, { method = 'GET', headers = {}, body } = {}) {
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(20000),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

function postJson(base, path, body, headers = {}) {
  return request(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

// Sequential requests over exactly one client connection (keep-alive, one socket).
class OneConnectionClient {
  constructor(base) {
    this.base = base;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    this.sockets = new Set();
  }

  post(path, body, headers = {}) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(`${this.base}${path}`, {
        method: 'POST',
        agent: this.agent,
        timeout: 20000,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers },
      }, (res) => {
        this.sockets.add(res.socket);
        let out = '';
        res.setEncoding('utf8');
        res.on('data', (d) => { out += d; });
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: out }));
      });
      req.on('timeout', () => req.destroy(new Error(`${path}: no answer in time`)));
      req.on('error', reject);
      req.end(text);
    });
  }

  close() { this.agent.destroy(); }
}

// The mock's control endpoints, each on a fresh connection that closes after the answer, so that
// every call adds exactly one to the mock's connections_accepted (tests subtract them).
function mockGet(mock, path) {
  return new Promise((resolve, reject) => {
    // The mock's own control channel; its certificate is what the gateway is tested against.
    const get = mock.scheme === 'https' ? https.get : http.get;
    const req = get(`${mock.url}${path}`, { agent: false, timeout: 10000, rejectUnauthorized: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        try {
          resolve(JSON.parse(text));
        } catch (e) {
          reject(new Error(`${path}: not JSON (${res.statusCode}): ${text}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer in time`)));
    req.on('error', reject);
  });
}

function mockStats(mock) {
  return mockGet(mock, '/mock/stats');
}

function mockLastRequest(mock) {
  return mockGet(mock, '/mock/last_request');
}

// Waits until /mock/stats satisfies `pred`; returns those stats.
function waitForStats(mock, pred, what, deadlineMs = 10000) {
  return waitFor(async () => {
    const s = await mockStats(mock);
    return pred(s) ? s : null;
  }, { deadlineMs, what: `mock stats: ${what}` });
}

function sha256Hex(text) {
  return crypto.createHash('sha256').update(text).digest('hex');
}

// OpenAI's error shape: {"error":{"message","type","code"}}.
function assertOpenAiError(res, status, codePattern) {
  assert.equal(res.status, status, `status; body: ${res.text}`);
  assert.ok(res.json && res.json.error, `OpenAI error body expected, got: ${res.text}`);
  const e = res.json.error;
  assert.equal(typeof e.message, 'string');
  assert.ok(e.message.length > 0);
  assert.equal(typeof e.type, 'string');
  assert.ok('code' in e, `error.code missing: ${res.text}`);
  if (codePattern) assert.match(String(e.code), codePattern);
  return e;
}

// Runs curl with ARGS; resolves {code, stdout, stderr}. Killed if it outlives the deadline.
function curl(args, { deadlineMs = 20000, stdin } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn('curl', ['--silent', '--show-error', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8');
    p.stderr.setEncoding('utf8');
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`curl did not finish within ${deadlineMs} ms (hung); stdout: ${stdout}`));
    }, deadlineMs);
    p.on('error', (e) => { clearTimeout(timer); reject(e); });
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    p.stdin.end(stdin);
  });
}

// A raw client connection for the cases an HTTP library would not produce (slowloris, pipelining,
// oversized or ambiguous heads).
class RawConn {
  constructor(socket) {
    this.socket = socket;
    this.data = Buffer.alloc(0);
    this.closed = false;
    this.waiters = new Set();
    socket.on('data', (d) => {
      this.data = Buffer.concat([this.data, d]);
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    socket.on('error', () => {});
  }

  static open(port) {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => resolve(new RawConn(s)));
      s.once('error', reject);
    });
  }

  get text() { return this.data.toString('latin1'); }

  notify() {
    for (const w of this.waiters) w();
  }

  write(bytes) {
    return new Promise((resolve, reject) => {
      this.socket.write(bytes, (err) => (err ? reject(err) : resolve()));
    });
  }

  // Resolves once pred(this) holds; rejects at the deadline.
  until(pred, what, deadlineMs = 10000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (pred(this)) {
          cleanup();
          resolve(this);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`raw connection: timed out after ${deadlineMs} ms waiting for ${what}; ` +
                         `got ${JSON.stringify(this.text.slice(0, 500))} closed=${this.closed}`));
      }, deadlineMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  untilClosed(deadlineMs = 10000) {
    return this.until((c) => c.closed, 'the server to close the connection', deadlineMs);
  }

  destroy() { this.socket.destroy(); }
}

// Splits `text` into complete HTTP/1.1 responses (Content-Length or chunked framing).
// Returns [{status, headers, body}] for each complete one.
function parseResponses(text) {
  const out = [];
  let pos = 0;
  for (;;) {
    const headEnd = text.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) return out;
    const lines = text.slice(pos, headEnd).split('\r\n');
    const status = Number(lines[0].split(' ')[1]);
    const headers = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    let cur = headEnd + 4;
    let body = '';
    if (status === 100) {
      pos = cur;
      continue;
    }
    if ((headers['transfer-encoding'] || '').toLowerCase() === 'chunked') {
      for (;;) {
        const lineEnd = text.indexOf('\r\n', cur);
        if (lineEnd < 0) return out;
        const size = parseInt(text.slice(cur, lineEnd), 16);
        if (text.length < lineEnd + 2 + size + 2) return out;
        body += text.slice(lineEnd + 2, lineEnd + 2 + size);
        cur = lineEnd + 2 + size + 2;
        if (size === 0) break;
      }
    } else {
      const len = Number(headers['content-length'] || 0);
      if (text.length < cur + len) return out;
      body = text.slice(cur, cur + len);
      cur += len;
    }
    out.push({ status, headers, body });
    pos = cur;
  }
}

// The `data:` payloads of an SSE body, in order.
function sseData(body) {
  return body.split('\n\n')
    .map((ev) => ev.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n'))
    .filter((d) => d.length > 0);
}

const CHAT = Object.freeze({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] });

module.exports = {
  waitFor,
  request,
  postJson,
  mockGet,
  mockStats,
  mockLastRequest,
  waitForStats,
  sha256Hex,
  assertOpenAiError,
  curl,
  RawConn,
  OneConnectionClient,
  parseResponses,
  sseData,
  CHAT,
};
