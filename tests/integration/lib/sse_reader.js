// Reads a streamed response event by event as the bytes arrive, so a test can act (query the
// mock, abort, signal the gateway) between events.
'use strict';

const http = require('node:http');

class SseReader {
  // Sends POST `path` with a JSON body; resolves once the response head arrived.
  static open(base, path, body, headers = {}) {
    const text = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(`${base}${path}`, {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers },
      }, (res) => resolve(new SseReader(req, res)));
      req.on('error', reject);
      req.end(text);
    });
  }

  constructor(req, res) {
    this.req = req;
    this.res = res;
    this.status = res.statusCode;
    this.headers = res.headers;
    this.buffer = '';
    this.events = [];  // data payloads of complete events
    this.ended = false;
    this.error = null;
    this.waiters = new Set();
    res.setEncoding('utf8');
    res.on('data', (d) => {
      this.buffer += d;
      let i;
      while ((i = this.buffer.indexOf('\n\n')) >= 0) {
        const ev = this.buffer.slice(0, i);
        this.buffer = this.buffer.slice(i + 2);
        const data = ev.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
        if (data) this.events.push(data);
      }
      this.notify();
    });
    res.on('end', () => { this.ended = true; this.notify(); });
    res.on('error', (e) => { this.error = e; this.notify(); });
    res.on('aborted', () => { this.error = this.error || new Error('response aborted'); this.notify(); });
    res.on('close', () => { this.closed = true; this.notify(); });
  }

  notify() {
    for (const w of this.waiters) w();
  }

  until(pred, what, deadlineMs = 15000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (pred(this)) {
          cleanup();
          resolve(this);
        } else if (this.error || (this.closed && !this.ended)) {
          cleanup();
          reject(new Error(`stream failed while waiting for ${what}: ${this.error || 'closed early'}; ` +
                           `events so far: ${this.events.length}`));
        } else if (this.ended) {
          cleanup();
          reject(new Error(`stream ended while waiting for ${what}; events: ${JSON.stringify(this.events)}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${deadlineMs} ms waiting for ${what}; events: ${this.events.length}`));
      }, deadlineMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  untilEvents(n, deadlineMs) {
    return this.until((r) => r.events.length >= n, `${n} event(s)`, deadlineMs);
  }

  untilEnd(deadlineMs) {
    return this.until((r) => r.ended, 'the end of the stream', deadlineMs);
  }

  abort() {
    this.req.destroy();
  }
}

module.exports = { SseReader };
