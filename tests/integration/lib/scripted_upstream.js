// A scripted upstream for tests that need byte-exact upstream behaviour: for every complete
// request it receives, it calls the test's script, which writes exactly the raw bytes the test
// names (stray bytes after a response, two framings at once, a head trickled a byte at a time, a
// close without answering). The test then says precisely what the upstream sent.
'use strict';

const net = require('node:net');
const tls = require('node:tls');

// One parsed request: method, path, lower-cased headers, body (the gateway always sends
// Content-Length, so that is the only framing read here).
function parseRequest(buf) {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  const lines = buf.subarray(0, headEnd).toString('latin1').split('\r\n');
  const [method, path] = lines[0].split(' ');
  const headers = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const len = Number(headers['content-length'] || 0);
  const total = headEnd + 4 + len;
  if (buf.length < total) return null;
  return {
    req: { method, path, headers, head: lines.join('\r\n'), body: buf.subarray(headEnd + 4, total).toString('utf8') },
    used: total,
  };
}

// What a script gets for one request.
class ScriptContext {
  constructor(upstream, socket, connId, indexOnConn, req) {
    this.upstream = upstream;
    this.socket = socket;
    this.connId = connId;          // 0, 1, ... in accept order
    this.indexOnConn = indexOnConn; // 0 for the first request on this connection
    this.req = req;
  }

  write(bytes) {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve(false);
      this.socket.write(bytes, () => resolve(true));
    });
  }

  // Writes `bytes` in pieces of `size` bytes, `gapMs` apart (a trickling upstream).
  async trickle(bytes, gapMs, size = 1) {
    const b = Buffer.from(bytes, 'latin1');
    for (let i = 0; i < b.length && !this.socket.destroyed; i += size) {
      await this.write(b.subarray(i, i + size));
      await new Promise((r) => setTimeout(r, gapMs));
    }
  }

  end() { this.socket.end(); }
  destroy() { this.socket.destroy(); }
  get closed() { return this.socket.destroyed; }
}

class ScriptedUpstream {
  // tlsOptions ({ cert, key } PEM): serve HTTPS instead of plain HTTP.
  constructor(script, tlsOptions = null) {
    this.script = script;
    this.scheme = tlsOptions ? 'https' : 'http';
    this.requests = [];   // every request, in arrival order: {connId, indexOnConn, ...req}
    this.connections = 0; // accepted so far
    this.sockets = new Set();
    this.server = tlsOptions
      ? tls.createServer(tlsOptions).on('secureConnection', (s) => this.onConnection(s))
      : net.createServer((s) => this.onConnection(s));
    this.server.on('tlsClientError', () => {});
  }

  // port 0: the kernel picks one; a test restarting a stand-in passes the port it had.
  start(port = 0) {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.port = this.server.address().port;
        this.url = `${this.scheme}://127.0.0.1:${this.port}`;
        this.apiBase = `${this.url}/v1`;
        resolve(this);
      });
    });
  }

  onConnection(socket) {
    const connId = this.connections++;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    let index = 0;
    let busy = Promise.resolve();
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const p = parseRequest(buf);
        if (!p) break;
        buf = buf.subarray(p.used);
        const ctx = new ScriptContext(this, socket, connId, index++, p.req);
        this.requests.push({ connId, indexOnConn: ctx.indexOnConn, ...p.req });
        busy = busy.then(() => this.script(ctx)).catch(() => socket.destroy());
      }
    });
  }

  stop() {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// Starts a scripted upstream on 127.0.0.1 (port chosen by the kernel unless given), over TLS
// when `tlsOptions` ({ cert, key } PEM) is given.
function startScriptedUpstream(script, port = 0, tlsOptions = null) {
  return new ScriptedUpstream(script, tlsOptions).start(port);
}

// A complete OpenAI chat completion answer with Content-Length framing, for scripts.
function chatResponse(content, extraHeaders = '') {
  const body = JSON.stringify({
    id: 'chatcmpl-scripted', object: 'chat.completion', created: 0, model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  });
  return `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n${extraHeaders}` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

module.exports = { startScriptedUpstream, chatResponse };
