// What the hardening tests observe from outside a process: resident memory and open descriptors
// from /proc, the mock's reset endpoint, and one raw connection carrying one malformed request.
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const { RawConn, parseResponses } = require('./http');

// VmRSS of `pid` in bytes.
function rssBytes(pid) {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

function openFds(pid) {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

// POST /mock/reset on its own connection; resolves when the mock confirmed.
function mockReset(mock) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${mock.url}/mock/reset`, { method: 'POST', agent: false, timeout: 10000 }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`reset: ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('/mock/reset: no answer in time')));
    req.on('error', reject);
    req.end();
  });
}

// Sends `bytes` on a fresh connection, half-closes, and waits for the gateway to close.
// Resolves {responses, text}: every complete response it sent, and all bytes it sent.
async function sendAndHalfClose(port, bytes, deadlineMs = 15000) {
  const conn = await RawConn.open(port);
  try {
    // The gateway may answer and close before reading everything (431): a failed write is fine.
    await conn.write(bytes).catch(() => {});
    conn.socket.end();
    await conn.untilClosed(deadlineMs);
    return { responses: parseResponses(conn.text), text: conn.text };
  } finally {
    conn.destroy();
  }
}

module.exports = { rssBytes, openFds, mockReset, sendAndHalfClose };
