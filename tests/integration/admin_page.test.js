// The operator console (README "Operator console") in headless Chromium against a running
// gateway with traffic from the mock: the page and its files are served without a key and with
// a strict CSP; with the admin key the charts draw the last hour's series, the tables show the
// configured keys, teams and deployments and the recent requests (filtered); a deployment that
// fails opens its breaker and the page shows it open; a wrong key, a gateway with no admin key
// and an unreachable gateway each get their message. Screenshots go to test-artifacts/.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const { startMock, startConfigGateway, freePort, stopAll } = require('./lib/processes');
const { request, postJson, sha256Hex } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const { launchBrowser } = require('./lib/browser');

const ADMIN_KEY = 'rg-' + crypto.randomBytes(32).toString('base64url');
const KEYS = {
  alice: 'rg-' + crypto.randomBytes(32).toString('base64url'),
  bob: 'rg-' + crypto.randomBytes(32).toString('base64url'),
};
const ARTIFACTS = process.env.RINGGATE_TEST_ARTIFACTS ||
  path.resolve(path.dirname(process.env.RINGGATE_BIN), '..', '..', 'test-artifacts');
const USER = [{ role: 'user', content: 'hello console' }];
const PRICE = { input_per_mtok: 2, output_per_mtok: 8 };  // so spend is not zero
// Two polls of the page (every 2 s) and the gateway's aggregation, with room for a slow CI.
const SHOWN_WITHIN_MS = 8000;

let mock, gw, browser;

function consoleToml(apiBase, deadBase, metrics) {
  return gatewayToml({
    apiBase,
    metrics,
    teams: [{ name: 'eng', budget: { daily_usd: 5 } }],
    keys: [
      { id: 'alice', sha256: sha256Hex(KEYS.alice), team: 'eng', limits: { rpm: 600 } },
      { id: 'bob', sha256: sha256Hex(KEYS.bob), team: 'eng' },
    ],
    extraUpstreams: [{ name: 'dead', url: deadBase, format: 'openai' }],
    deployments: [
      { name: 'mock-a', upstream: 'mock', model: 'gpt-4o' },
      // Tried first for "flaky"; nothing listens there. A long cooldown keeps it open while
      // the page looks (no half-open probe in between).
      { name: 'dead-b', upstream: 'dead', model: 'gpt-4o', weight: 1000,
        breaker: { consecutive_failures: 2, cooldown_ms: 600000, max_cooldown_ms: 600000 } },
    ],
    models: [
      { name: 'gpt-4o', deployments: ['mock-a'], price: PRICE },
      { name: 'flaky', deployments: ['dead-b', 'mock-a'], price: PRICE },
    ],
  });
}

async function chat(key, model = 'gpt-4o') {
  const res = await postJson(gw.url, '/v1/chat/completions', { model, max_tokens: 16, messages: USER },
    { authorization: `Bearer ${KEYS[key]}` });
  assert.equal(res.status, 200, res.text);
  return res;
}

// A fresh tab on the console (sessionStorage is per tab), with `key` entered when given.
async function openConsole(url, key) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1600 });
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(`${url}/admin/`);
  if (key !== undefined) {
    await page.type('#admin-key', key);
    await page.click('#key-form button[type=submit]');
  }
  return page;
}

async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `admin-${name}.png`), fullPage: true });
}

function statusText(page) {
  return page.$eval('#status', (e) => (e.hidden ? '' : e.textContent));
}

test.before(async () => {
  mock = await startMock(['--tokens', '5']);
  const dead = await freePort();
  gw = await startConfigGateway(consoleToml(mock.apiBase, `http://127.0.0.1:${dead}/v1`,
    { admin_key: 'env:RG_TEST_ADMIN_KEY' }), { env: { RG_TEST_ADMIN_KEY: ADMIN_KEY } });
  browser = await launchBrowser();
  for (let i = 0; i < 6; i++) await chat(i % 3 ? 'alice' : 'bob');
});

test.after(async () => {
  await browser?.close();
  await stopAll();
});

test('the page and its files are served without a key, uncached, with a strict CSP', async () => {
  for (const p of ['/admin', '/admin/']) {
    const res = await request(gw.url + p);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const csp = res.headers.get('content-security-policy');
    assert.match(csp, /default-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.match(res.text, /<script src="\/admin\/console\.js" defer><\/script>/);
    assert.doesNotMatch(res.text, /<script>|https?:\/\//, 'no inline script, nothing from elsewhere');
  }
  const head = await request(`${gw.url}/admin/`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
  const js = await request(`${gw.url}/admin/console.js`);
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.match(js.text, /\/admin\/overview/);
  const css = await request(`${gw.url}/admin/console.css`);
  assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
  const post = await postJson(gw.url, '/admin/', {});
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
  assert.equal(post.json.error.type, 'invalid_request_error');
});

test('with the admin key the charts draw the traffic and the tables show keys, teams, deployments, requests', async () => {
  const page = await openConsole(gw.url, ADMIN_KEY);
  try {
    // Drawn from real numbers: points on every chart, and requests, latency and spend above
    // zero (errors may be none).
    for (const [chart, above] of [['requests', 0], ['errors', -1], ['latency', 0], ['spend', 0]]) {
      await page.waitForFunction((id, min) => {
        const c = document.getElementById(id);
        return Number(c.dataset.points) > 0 && Number(c.dataset.max) > min;
      }, { timeout: SHOWN_WITHIN_MS }, `chart-${chart}`, above);
    }
    // The requests line was drawn: some of the canvas's pixels are the line's colour (#2563eb).
    const drawn = await page.$eval('#chart-requests', (c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] === 0x25 && d[i + 1] === 0x63 && d[i + 2] === 0xeb) n++;
      return n;
    });
    assert.ok(drawn > 0, 'the requests chart has pixels of its line');

    await page.waitForSelector('#keys tr[data-key-id="alice"]', { timeout: SHOWN_WITHIN_MS });
    const keyIds = await page.$$eval('#keys tbody tr', (rows) => rows.map((r) => r.dataset.keyId));
    assert.deepEqual(keyIds.sort(), ['alice', 'bob']);
    const aliceRequests = await page.$eval('#keys tr[data-key-id="alice"]', (r) => Number(r.cells[4].textContent));
    assert.ok(aliceRequests >= 4, `alice's requests: ${aliceRequests}`);
    await page.waitForSelector('#teams tr[data-team-id="eng"]', { timeout: SHOWN_WITHIN_MS });
    const deployments = await page.$$eval('#deployments tbody tr', (rows) => rows.map((r) => r.dataset.deployment));
    assert.deepEqual(deployments.sort(), ['dead-b', 'mock-a']);
    await page.waitForSelector('#cache tr[data-cache="exact"]', { timeout: SHOWN_WITHIN_MS });

    // Recent requests, then only bob's.
    await page.waitForFunction(() => document.querySelectorAll('#requests tr[data-request-id]').length >= 6,
      { timeout: SHOWN_WITHIN_MS });
    await page.type('#filter-key', 'bob');
    await page.click('#filters button[type=submit]');
    await page.waitForFunction(() => {
      const keys = [...document.querySelectorAll('#requests tr[data-request-id]')].map((r) => r.cells[2].textContent);
      return keys.length === 2 && keys.every((k) => k === 'bob');
    }, { timeout: SHOWN_WITHIN_MS });
    assert.equal(await statusText(page), '');
    await screenshot(page, 'overview');

    // The key stays for the tab (sessionStorage): a reload connects without asking again.
    await page.evaluate(() => { document.getElementById('chart-requests').dataset.points = '0'; });
    await page.reload();
    await page.waitForFunction(() => Number(document.getElementById('chart-requests').dataset.points) > 0,
      { timeout: SHOWN_WITHIN_MS });
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('a breaker opened by a failing deployment shows as open within a few seconds', async () => {
  const page = await openConsole(gw.url, ADMIN_KEY);
  try {
    const row = '#deployments tr[data-deployment="dead-b"]';
    await page.waitForSelector(`${row}[data-breaker="closed"]`, { timeout: SHOWN_WITHIN_MS });
    // Two connection refusals in a row (each answered by mock-a behind it) open dead-b's breaker.
    for (let i = 0; i < 2; i++) {
      const res = await chat('alice', 'flaky');
      assert.equal(res.headers.get('x-ringgate-deployment'), 'mock-a');
      assert.equal(res.headers.get('x-ringgate-attempts'), '2');
    }
    await page.waitForSelector(`${row}[data-breaker="open"]`, { timeout: SHOWN_WITHIN_MS });
    const badge = await page.$eval(`${row} .badge[data-breaker]`, (b) => ({
      text: b.textContent, colour: getComputedStyle(b).backgroundColor }));
    assert.deepEqual(badge, { text: 'open', colour: 'rgb(185, 28, 28)' });
    assert.equal(await page.$eval('#deployments tr[data-deployment="mock-a"]', (r) => r.dataset.breaker), 'closed');
    await screenshot(page, 'breaker-open');
  } finally {
    await page.close();
  }
});

test('a wrong admin key shows that the key was refused, and shows no data', async () => {
  const page = await openConsole(gw.url, 'rg-not-the-admin-key');
  try {
    await page.waitForFunction(() => /the admin key was refused/i.test(document.getElementById('status').textContent),
      { timeout: SHOWN_WITHIN_MS });
    assert.equal(await page.$eval('#status', (e) => e.dataset.state), 'error');
    assert.equal(await page.$$eval('#keys tr[data-key-id]', (r) => r.length), 0);
    await screenshot(page, 'wrong-key');
  } finally {
    await page.close();
  }
});

test('no admin key configured: the page says so; a gateway gone: the page says it cannot reach it', async () => {
  const dead = await freePort();
  const open = await startConfigGateway(consoleToml(mock.apiBase, `http://127.0.0.1:${dead}/v1`));
  const page = await openConsole(open.url, 'rg-any-key');
  try {
    await page.waitForFunction(() => /no admin key configured/i.test(document.getElementById('status').textContent),
      { timeout: SHOWN_WITHIN_MS });
    assert.match(await statusText(page), /\[metrics\] admin_key/);
    await screenshot(page, 'no-admin-key');
    await open.stop();
    await page.waitForFunction(() => /could not be reached/i.test(document.getElementById('status').textContent),
      { timeout: SHOWN_WITHIN_MS });
  } finally {
    await page.close();
  }
});
