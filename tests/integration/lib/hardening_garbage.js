// Malformed HTTP/1.1 requests for the robustness test, drawn from a seeded PRNG so that a failure
// names the seed and case that reproduce it. Every generator yields bytes that are NOT a valid
// request: a correct gateway answers each with a 4xx or closes, never a 2xx, a 5xx or a crash.
'use strict';

// mulberry32: tiny, fast, and the same sequence on every Node version.
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),  // inclusive
    pick: (list) => list[Math.floor(next() * list.length)],
    bytes: (n) => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; ++i) b[i] = Math.floor(next() * 256);
      return b;
    },
  };
}

const CHAT_BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

// Well-formed heads that the mutators below break.
function validHeads() {
  return [
    'GET /healthz HTTP/1.1\r\nHost: x\r\nUser-Agent: hardening\r\n\r\n',
    'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${CHAT_BODY.length}\r\n\r\n`,
  ];
}

const generators = {
  // Binary noise whose first byte can never start a method token.
  randomBytes(r) {
    const b = r.bytes(r.int(1, 2048));
    b[0] = r.pick([0x00, 0x01, 0x0a, 0x0d, 0x20, 0x7f, 0x80, 0xff]);
    return b;
  },

  // A head cut before its blank line; the half-close that follows is all the gateway gets.
  truncatedHead(r) {
    const head = r.pick(validHeads());
    return Buffer.from(head.slice(0, r.int(1, head.length - 3)), 'latin1');
  },

  // One header line far above max_head_bytes (16384 by default).
  hugeHeaderLine(r) {
    return Buffer.from(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Huge: ${'a'.repeat(r.int(17000, 70000))}\r\n\r\n`,
      'latin1');
  },

  // A chunked request body whose size line is not a chunk size.
  invalidChunkSize(r) {
    const size = r.pick(['zz', '-1', '0x10', '1 2', 'fffffffffffffffffffff', '', ' ', '+5', '5;\x00', '\x00']);
    return Buffer.from('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
                       `Transfer-Encoding: chunked\r\n\r\n${size}\r\n${CHAT_BODY}\r\n0\r\n\r\n`, 'latin1');
  },

  // A NUL byte somewhere inside an otherwise valid head (method, target, names, values, CRLFs).
  nulInHead(r) {
    const head = r.pick(validHeads());
    const at = r.int(0, head.length - 2);
    const body = head.startsWith('POST') ? CHAT_BODY : '';
    return Buffer.from(head.slice(0, at) + '\x00' + head.slice(at) + body, 'latin1');
  },

  // One CRLF of a valid head replaced by a bare LF.
  bareLf(r) {
    const head = r.pick(validHeads());
    const crlfs = [];
    for (let i = head.indexOf('\r\n'); i >= 0; i = head.indexOf('\r\n', i + 1)) crlfs.push(i);
    const at = r.pick(crlfs);
    const body = head.startsWith('POST') ? CHAT_BODY : '';
    return Buffer.from(head.slice(0, at) + head.slice(at + 1) + body, 'latin1');
  },

  // A well-framed request whose JSON body is noise: the body-parsing error path (000-H4).
  garbageJsonBody(r) {
    const body = r.bytes(r.int(1, 512));
    body[0] = r.pick([0x00, 0x7b, 0x5b, 0x22, 0xff]);  // never a complete JSON object
    body[body.length - 1] = 0x00;
    const head = 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
                 `Content-Length: ${body.length}\r\n\r\n`;
    return Buffer.concat([Buffer.from(head, 'latin1'), body]);
  },
};

// `count` cases, [{kind, index, bytes}], cycling through every generator.
function garbageCases(seed, count) {
  const r = prng(seed);
  const kinds = Object.keys(generators);
  const out = [];
  for (let i = 0; i < count; ++i) {
    const kind = kinds[i % kinds.length];
    out.push({ kind, index: i, bytes: generators[kind](r) });
  }
  return out;
}

module.exports = { prng, garbageCases };
