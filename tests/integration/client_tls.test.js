// HTTPS on the client listener ([server.tls], issue 17): the official SDKs over TLS with a test
// CA (streaming included), a plain and a TLS listener at once, mutual TLS accepted and refused, a
// world-readable key refused at start, certificates reloaded on SIGHUP under load with no failed
// request, and a handshake flood held to max_connections and closed at handshake_ms.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const https = require('node:https');
const net = require('node:net');
const path = require('node:path');
const tls = require('node:tls');
const OpenAI = require('openai');
const Anthropic = require('@anthropic-ai/sdk');
const undici = require('undici');
const { startMock, startConfigGateway, runRinggate, stopAll, tempDir, writeTemp, withDeadline } = require('./lib/processes');
const { postJson, waitFor, CHAT } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const { makeTestCertificates, issueCertificate } = require('./lib/tls_certs');

function count(text, needle) {
  return text.split(needle).length - 1;
}

// An https request with the test CA (and a client certificate when given); a fresh connection
// unless `agent` keeps one alive.
function httpsRequest(url, { method = 'GET', body, ca, cert, key, agent, headers = {} } = {}) {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method, ca, cert, key, agent: agent ?? false, timeout: 20000,
      headers: { ...headers, ...(text ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } : {}) },
    }, (res) => {
      let out = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { out += d; });
      res.on('end', () => resolve({ status: res.statusCode, text: out }));
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer in time`)));
    req.on('error', reject);
    req.end(text);
  });
}

// The certificate a new TLS connection to `port` is served.
function peerCertificate(port, ca) {
  return withDeadline(new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca, ALPNProtocols: ['http/1.1'] }, () => {
      const cert = s.getPeerCertificate();
      s.end();
      resolve(cert);
    });
    s.on('error', reject);
  }), 10000, 'a TLS handshake');
}

// The port of the [server.tls] listen listener, from the gateway's second stdout line.
async function tlsPort(gw) {
  const m = await waitFor(() => /tls listening on port (\d+)/.exec(gw.stdout), { what: 'the TLS port line' });
  return Number(m[1]);
}

// An SDK's fetch with the test CA: the SDKs take a fetch function, undici's takes the CA.
function fetchWithCa(ca) {
  const dispatcher = new undici.Agent({ connect: { ca } });
  return (url, init) => undici.fetch(url, { ...init, dispatcher });
}

describe('TLS on the client listener', () => {
  let dir;
  let certs;
  let ca;
  let mock;

  function tomlWith(tlsTable, server = {}) {
    return gatewayToml({ apiBase: mock.apiBase, server: { ...server, tls: tlsTable } });
  }

  before(async () => {
    dir = tempDir();
    certs = makeTestCertificates(dir);
    fs.chmodSync(certs.keyFile, 0o600);
    ca = fs.readFileSync(certs.caFile);
    mock = await startMock(['--tokens', '5']);
  });
  after(stopAll);

  it('serves the openai and @anthropic-ai/sdk clients over HTTPS, streamed and not', async () => {
    const gw = await startConfigGateway(tomlWith({ cert_file: certs.certFile, key_file: certs.keyFile }));
    const base = `https://127.0.0.1:${gw.port}`;
    const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'k', maxRetries: 0, timeout: 20000, fetch: fetchWithCa(ca) });
    const c = await openai.chat.completions.create(CHAT);
    assert.ok(c.choices[0].message.content.length > 0);
    let text = '';
    for await (const chunk of await openai.chat.completions.create({ ...CHAT, stream: true })) {
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    assert.equal(text.trim().split(/\s+/).length, 5);

    const anthropic = new Anthropic({ baseURL: base, apiKey: 'k', maxRetries: 0, timeout: 20000, fetch: fetchWithCa(ca) });
    const m = await anthropic.messages.create({ model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(m.type, 'message');
    let streamed = '';
    const stream = anthropic.messages.stream({ model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    stream.on('text', (t) => { streamed += t; });
    await stream.finalMessage();
    assert.equal(streamed.trim().split(/\s+/).length, 5);

    // Plain HTTP on the TLS port gets no HTTP answer; a client without the CA refuses the server.
    await assert.rejects(postJson(`http://127.0.0.1:${gw.port}`, '/v1/chat/completions', CHAT));
    await assert.rejects(httpsRequest(`${base}/v1/models`), /self-signed|unable to verify|certificate/i);
    assert.match(gw.stderr, /tls: serving subject \/CN=127\.0\.0\.1, serial [0-9A-F]+; kTLS not used/);
    assert.doesNotMatch(gw.stderr + gw.stdout, /PRIVATE KEY/);
  });

  it('serves plain HTTP and HTTPS side by side on two listeners', async () => {
    const gw = await startConfigGateway(tomlWith({ cert_file: certs.certFile, key_file: certs.keyFile, listen: '127.0.0.1:0' }));
    const port = await tlsPort(gw);
    assert.notEqual(port, gw.port);
    const plain = await postJson(gw.url, '/v1/chat/completions', CHAT);
    assert.equal(plain.status, 200);
    const secure = await httpsRequest(`https://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST', body: CHAT, ca });
    assert.equal(secure.status, 200);
    assert.equal(JSON.parse(secure.text).object, 'chat.completion');
    // Each listener speaks only its own protocol.
    await assert.rejects(httpsRequest(`https://127.0.0.1:${gw.port}/v1/models`, { ca }));
  });

  it('mutual TLS: a client certificate from client_ca_file is accepted, none or a foreign one refused', async () => {
    const client = issueCertificate(dir, 'client', '/CN=svc-a', { client: true });
    const other = makeTestCertificates(tempDir());  // another CA's certificate
    const gw = await startConfigGateway(tomlWith({ cert_file: certs.certFile, key_file: certs.keyFile, client_ca_file: certs.caFile }));
    const url = `https://127.0.0.1:${gw.port}/v1/chat/completions`;
    const ok = await httpsRequest(url, { method: 'POST', body: CHAT, ca, cert: fs.readFileSync(client.certFile), key: fs.readFileSync(client.keyFile) });
    assert.equal(ok.status, 200);
    await assert.rejects(httpsRequest(url, { method: 'POST', body: CHAT, ca }));
    fs.chmodSync(other.keyFile, 0o600);
    await assert.rejects(httpsRequest(url, {
      method: 'POST', body: CHAT, ca, cert: fs.readFileSync(other.certFile), key: fs.readFileSync(other.keyFile),
    }));
    // Still serving after the refusals.
    const again = await httpsRequest(url, { method: 'POST', body: CHAT, ca, cert: fs.readFileSync(client.certFile), key: fs.readFileSync(client.keyFile) });
    assert.equal(again.status, 200);
  });

  it('mutual TLS: a [[keys]] tls_subject stands in for a virtual key; a presented key still wins', async () => {
    const client = issueCertificate(dir, 'svc', '/CN=svc-a', { client: true });
    const stranger = issueCertificate(dir, 'stranger', '/CN=svc-b', { client: true });
    const gw = await startConfigGateway(gatewayToml({
      apiBase: mock.apiBase,
      server: { tls: { cert_file: certs.certFile, key_file: certs.keyFile, client_ca_file: certs.caFile, client_cert: 'optional' } },
      keys: [{ id: 'svc-a', tls_subject: 'CN=svc-a' }],
    }));
    const url = `https://127.0.0.1:${gw.port}/v1/chat/completions`;
    const withCert = (c) => ({ method: 'POST', body: CHAT, ca, cert: fs.readFileSync(c.certFile), key: fs.readFileSync(c.keyFile) });
    assert.equal((await httpsRequest(url, withCert(client))).status, 200);
    // A key presented with the certificate is the one checked (here a wrong one).
    assert.equal((await httpsRequest(url, { ...withCert(client), headers: { authorization: 'Bearer rg-wrong' } })).status, 401);
    // A certificate whose subject names no key, or none at all (client_cert optional): no key.
    assert.equal((await httpsRequest(url, withCert(stranger))).status, 401);
    assert.equal((await httpsRequest(url, { method: 'POST', body: CHAT, ca })).status, 401);
  });

  it('refuses to start with a private key other users may read, naming the mode and not the key', async () => {
    const open = path.join(dir, 'open.key');
    fs.copyFileSync(certs.keyFile, open);
    fs.chmodSync(open, 0o644);
    const toml = tomlWith({ cert_file: certs.certFile, key_file: open });
    await assert.rejects(startConfigGateway(toml),
      (e) => /key_file .*open\.key' has mode 0644/.test(e.message) && !/PRIVATE KEY/.test(e.message));
    // check-config loads the certificate and key as serve does.
    const checked = await runRinggate(['check-config', writeTemp('ringgate.toml', toml)]);
    assert.equal(checked.code, 1);
    assert.match(checked.stderr, /has mode 0644: other users may read or change the private key/);
    assert.doesNotMatch(checked.stderr + checked.stdout, /PRIVATE KEY/);
  });

  it('reloads the certificate on SIGHUP under load with no failed request; a bad one keeps the old', async (t) => {
    const live = { certFile: path.join(dir, 'live.pem'), keyFile: path.join(dir, 'live.key') };
    const second = issueCertificate(dir, 'second', '/CN=127.0.0.1/O=second');
    fs.copyFileSync(certs.certFile, live.certFile);
    fs.copyFileSync(certs.keyFile, live.keyFile);
    fs.chmodSync(live.keyFile, 0o600);
    const toml = tomlWith({ cert_file: live.certFile, key_file: live.keyFile });
    const gw = await startConfigGateway(toml);
    const base = `https://127.0.0.1:${gw.port}`;
    assert.equal((await peerCertificate(gw.port, ca)).subject.O, undefined);

    let stop = false;
    let ok = 0;
    const failures = [];
    const keepAlive = new https.Agent({ keepAlive: true, maxSockets: 2, ca });
    async function worker(id) {
      for (let i = 0; !stop && i < 100000; ++i) {
        const stream = (i + id) % 2 === 0;
        try {
          // Half on new connections (a handshake each), half on kept-alive ones.
          const r = await httpsRequest(`${base}/v1/chat/completions`,
            { method: 'POST', body: { ...CHAT, stream }, ca, agent: id % 2 ? keepAlive : false });
          if (r.status === 200 && (!stream || r.text.includes('[DONE]'))) ok++;
          else failures.push(`${r.status} ${r.text.slice(0, 200)}`);
        } catch (e) {
          failures.push(String(e));
        }
      }
    }
    const workers = Array.from({ length: 4 }, (_, id) => worker(id));
    try {
      await waitFor(() => ok >= 20, { what: 'load to start' });
      for (let n = 1; n <= 6; ++n) {
        const use = n % 2 ? second : certs;
        fs.copyFileSync(use.certFile, live.certFile);
        fs.copyFileSync(use.keyFile, live.keyFile);
        const seen = count(gw.stderr, 'reload: ok');
        const before = ok;
        gw.proc.kill('SIGHUP');
        await waitFor(() => count(gw.stderr, 'reload: ok') > seen, { what: `reload ${n}` });
        const want = n % 2 ? 'second' : undefined;
        await waitFor(async () => (await peerCertificate(gw.port, ca)).subject.O === want,
          { what: `new connections to get certificate ${want ?? 'first'}` });
        await waitFor(() => ok >= before + 5, { what: `requests after reload ${n}` });
      }
      // A certificate file that does not parse: the reload is refused and the old one stays.
      fs.writeFileSync(live.certFile, 'not a certificate\n');
      const refusals = count(gw.stderr, 'reload: refused');
      gw.proc.kill('SIGHUP');
      await waitFor(() => count(gw.stderr, 'reload: refused') > refusals, { what: 'the refusal' });
      assert.match(gw.stderr, /reload: refused: \[server\.tls\]: cannot load cert_file '.*live\.pem'/);
      const before = ok;
      await waitFor(() => ok >= before + 5, { what: 'requests after the refused reload' });
    } finally {
      stop = true;
      await Promise.all(workers);
      keepAlive.destroy();
    }
    assert.deepEqual(failures, []);
    assert.equal((await peerCertificate(gw.port, ca)).subject.O, undefined);  // the last good one
    assert.doesNotMatch(gw.stderr, /PRIVATE KEY/);
    t.diagnostic(`6 certificate reloads, ${ok} requests, ${failures.length} failed`);
  });

  it('a handshake flood stays within max_connections and is closed at handshake_ms', async () => {
    const limit = 20;
    const handshakeMs = 1500;
    const gw = await startConfigGateway(tomlWith(
      { cert_file: certs.certFile, key_file: certs.keyFile, handshake_ms: handshakeMs },
      { max_connections: limit }));
    // Half send nothing, half the start of a ClientHello (a record header and a few bytes).
    const helloStart = Buffer.from('16030100f5010000f10303', 'hex');
    function stall(i) {
      const s = net.connect(gw.port, '127.0.0.1');
      const info = { opened: Date.now(), closedAt: undefined };
      s.on('connect', () => { if (i % 2) s.write(helloStart); });
      s.on('error', () => {});
      info.closed = new Promise((resolve) => s.on('close', () => { info.closedAt = Date.now(); resolve(); }));
      info.socket = s;
      return info;
    }
    // Below the limit: a normal client is served meanwhile, and every stalled one is closed at the
    // deadline (not before, not long after).
    const few = Array.from({ length: limit / 2 }, (_, i) => stall(i));
    await waitFor(() => few.every((f) => f.socket.readyState === 'open' || f.closedAt), { what: 'connects' });
    const r = await httpsRequest(`https://127.0.0.1:${gw.port}/v1/chat/completions`, { method: 'POST', body: CHAT, ca });
    assert.equal(r.status, 200);
    await withDeadline(Promise.all(few.map((f) => f.closed)), handshakeMs + 5000, 'stalled handshakes closed');
    for (const f of few) {
      const held = f.closedAt - f.opened;
      assert.ok(held >= handshakeMs - 200 && held <= handshakeMs + 3000, `held ${held} ms`);
    }
    // Over the limit: what does not fit is refused at once, so no more than `limit` are held.
    const many = Array.from({ length: limit * 2 }, (_, i) => stall(i));
    await waitFor(() => many.filter((f) => f.closedAt).length >= limit,
      { deadlineMs: handshakeMs - 300, what: 'connections over the limit to be refused' });
    assert.ok(many.filter((f) => !f.closedAt).length <= limit);
    await withDeadline(Promise.all(many.map((f) => f.closed)), handshakeMs + 5000, 'the flood closed');
    const after = await httpsRequest(`https://127.0.0.1:${gw.port}/v1/models`, { ca });
    assert.equal(after.status, 200);
  });
});
