// CORS: preflights answered by the gateway without a key and never forwarded, default deny for
// other origins, CORS headers on every answer to an allowed origin (errors and streams too), and
// a real page in headless Chromium streaming through ringgate with the official SDK and fetch.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');

const { startMock, startConfigGateway, stopAll } = require('./lib/processes');
const { request, postJson, mockStats, sha256Hex, CHAT } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const { startPageServer, launchBrowser, pageResult } = require('./lib/browser');

const KEY = 'rg-' + crypto.randomBytes(32).toString('base64url');

let mock, gw, allowedPages, otherPages, browser;

function sdkPage(gatewayUrl) {
  return `<!doctype html><script type="module">
import OpenAI from '/openai/index.mjs';
try {
  const client = new OpenAI({ baseURL: ${JSON.stringify(gatewayUrl + '/v1')},
    apiKey: ${JSON.stringify(KEY)}, dangerouslyAllowBrowser: true, maxRetries: 0 });
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true,
    messages: [{ role: 'user', content: 'hello from a page' }] });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  window.result = { ok: true, text };
} catch (e) { window.result = { ok: false, error: String(e) }; }
</script>`;
}

function fetchPage(gatewayUrl) {
  return `<!doctype html><script type="module">
try {
  const res = await fetch(${JSON.stringify(gatewayUrl + '/v1/chat/completions')}, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer ${KEY}' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }) });
  const body = await res.json();
  window.result = { ok: true, status: res.status, requestId: res.headers.get('x-request-id'),
    remaining: res.headers.get('x-ratelimit-remaining-requests'),
    text: body.choices[0].message.content };
} catch (e) { window.result = { ok: false, error: String(e) }; }
</script>`;
}

test.before(async () => {
  mock = await startMock();
  allowedPages = await startPageServer({});
  otherPages = await startPageServer({});
  gw = await startConfigGateway(
    gatewayToml({
      apiBase: mock.apiBase,
      auth: { mode: 'keys' },
      keys: [{ id: 'page', sha256: sha256Hex(KEY), limits: { rpm: 1000 } }],
      cors: { allowed_origins: [allowedPages.url] },
    }),
  );
  browser = await launchBrowser();
});

test.after(async () => {
  await browser?.close();
  await allowedPages?.close();
  await otherPages?.close();
  await stopAll();
});

function preflight(origin, headers = 'authorization, content-type, x-stainless-os') {
  return request(`${gw.url}/v1/chat/completions`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers },
  });
}

test('a preflight from an allowed origin is answered without a key and never forwarded', async () => {
  const before = (await mockStats(mock)).requests;
  const res = await preflight(allowedPages.url, 'authorization, content-type, x-stainless-os, cookie');
  assert.equal(res.status, 204);
  assert.equal(res.headers.get('access-control-allow-origin'), allowedPages.url);
  assert.equal(res.headers.get('access-control-allow-headers'), 'authorization, content-type, x-stainless-os');
  assert.match(res.headers.get('access-control-allow-methods'), /POST/);
  assert.equal((await mockStats(mock)).requests, before);
});

test('a preflight from another origin gets a 204 with no CORS headers (default deny)', async () => {
  // seed-defect: 001-1 — configured origins, correct preflight, default deny.
  const res = await preflight(otherPages.url);
  assert.equal(res.status, 204);
  for (const [name] of res.headers) assert.doesNotMatch(name, /^access-control-/);
});

test('answers to an allowed origin carry CORS headers: success, stream and auth error', async () => {
  const origin = { origin: allowedPages.url };
  const ok = await postJson(gw.url, '/v1/chat/completions', CHAT, { ...origin, authorization: `Bearer ${KEY}` });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('access-control-allow-origin'), allowedPages.url);
  assert.match(ok.headers.get('access-control-expose-headers'), /x-ratelimit-remaining-requests/);

  const stream = await postJson(gw.url, '/v1/chat/completions', { ...CHAT, stream: true }, {
    ...origin, authorization: `Bearer ${KEY}`,
  });
  assert.equal(stream.status, 200);
  assert.equal(stream.headers.get('access-control-allow-origin'), allowedPages.url);

  const denied = await postJson(gw.url, '/v1/chat/completions', CHAT, origin);
  assert.equal(denied.status, 401);
  assert.equal(denied.headers.get('access-control-allow-origin'), allowedPages.url);
});

test('a page on an allowed origin streams a completion with the openai SDK and with fetch', async () => {
  allowedPages.pages['/sdk.html'] = sdkPage(gw.url);
  allowedPages.pages['/fetch.html'] = fetchPage(gw.url);
  const sdk = await pageResult(browser, `${allowedPages.url}/sdk.html`);
  assert.equal(sdk.ok, true, sdk.error);
  assert.ok(sdk.text.length > 0);

  const viaFetch = await pageResult(browser, `${allowedPages.url}/fetch.html`);
  assert.equal(viaFetch.ok, true, viaFetch.error);
  assert.equal(viaFetch.status, 200);
  assert.ok(viaFetch.requestId, 'x-request-id is exposed to the page');
  assert.ok(viaFetch.remaining !== null, 'the rate-limit headers are exposed to the page');
  assert.ok(viaFetch.text.length > 0);
});

test('a page on another origin is blocked by the browser', async () => {
  otherPages.pages['/sdk.html'] = sdkPage(gw.url);
  otherPages.pages['/fetch.html'] = fetchPage(gw.url);
  const sdk = await pageResult(browser, `${otherPages.url}/sdk.html`);
  assert.equal(sdk.ok, false);
  const viaFetch = await pageResult(browser, `${otherPages.url}/fetch.html`);
  assert.equal(viaFetch.ok, false);
  assert.match(viaFetch.error, /Failed to fetch/);
});
