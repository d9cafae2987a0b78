// Budget alerts: a key spending past 50% and 100% of its daily budget raises each threshold once
// (one warn line, one webhook POST, one count in ringgate_budget_alerts_total), a webhook that
// fails twice is retried until it takes the alert, and the webhook URL's secret (a token in its
// path) never reaches the gateway's stderr.
// seed-defect: 000-M1
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const { startMock, startConfigGateway, stopAll, tempDir } = require('./lib/processes');
const { makeTestCertificates } = require('./lib/tls_certs');
const { postJson, request, waitFor, sha256Hex, assertOpenAiError } = require('./lib/http');
const { gatewayToml } = require('./lib/config');

const newKey = () => 'rg-' + crypto.randomBytes(32).toString('base64url');
const KEYS = { spender: newKey(), retried: newKey() };
const ADMIN = newKey();
const TOKEN = `sekrit-${crypto.randomBytes(8).toString('hex')}`;  // what the webhook URL hides
// 0.01 USD per output token, input free: a request costs exactly its max_tokens / 100 USD.
const PRICE = { input_per_mtok: 0, output_per_mtok: 10000 };

// A webhook receiver: keeps every POST, and answers the next `failNext` with a 500. With `tls`
// ({ certFile, keyFile }) it is https.
async function startWebhook(tls) {
  const hook = { posts: [], failNext: 0 };
  const onRequest = (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      hook.posts.push({ path: req.url, type: req.headers['content-type'], body: JSON.parse(body) });
      const fail = hook.failNext > 0;
      if (fail) hook.failNext -= 1;
      res.writeHead(fail ? 500 : 200, { 'content-type': 'text/plain' });
      res.end(fail ? 'not now' : 'ok');
    });
  };
  hook.server = tls
    ? https.createServer({ cert: fs.readFileSync(tls.certFile), key: fs.readFileSync(tls.keyFile) }, onRequest)
    : http.createServer(onRequest);
  await new Promise((resolve) => hook.server.listen(0, '127.0.0.1', resolve));
  hook.port = hook.server.address().port;
  return hook;
}

function alertLines(gw) {
  return gw.stderr.split('\n').filter((l) => l.includes('"event":"budget_alert"')).map((l) => JSON.parse(l));
}

describe('budget alerts', () => {
  let mock, gw, hook;
  before(async () => {
    mock = await startMock();
    hook = await startWebhook();
    const toml = gatewayToml({
      apiBase: mock.apiBase,
      models: [{ name: 'gpt-4o-mini', upstream: 'mock', price: PRICE }],
      keys: [
        { id: 'spender', sha256: sha256Hex(KEYS.spender), budget: { daily_usd: 1 } },
        { id: 'retried', sha256: sha256Hex(KEYS.retried), budget: { total_usd: 1, alert_percent: [10] } },
      ],
    }) + '\n[metrics]\nadmin_key = "env:RG_TEST_ADMIN_KEY"\n' +
      '\n[alerts]\nbudget_percent = [50, 100]\nwebhook = "env:RG_TEST_ALERT_WEBHOOK"\n' +
      'webhook_timeout_ms = 2000\nwebhook_retries = 3\n';
    gw = await startConfigGateway(toml, {
      env: {
        RG_TEST_ADMIN_KEY: ADMIN,
        RG_TEST_ALERT_WEBHOOK: `http://127.0.0.1:${hook.port}/hooks/T000/${TOKEN}`,
      },
    });
  });
  after(async () => {
    await stopAll();
    hook.server.close();
  });

  const spend = (key, maxTokens) => postJson(gw.url, '/v1/chat/completions',
    { model: 'gpt-4o-mini', max_tokens: maxTokens, messages: [{ role: 'user', content: 'spend' }] },
    { authorization: `Bearer ${key}`, 'x-mock-tokens': String(maxTokens) });
  const postsFor = (id) => hook.posts.filter((p) => p.body.id === id);
  const scrape = async () => (await request(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text;

  it('each threshold crossed is logged once, POSTed once and counted once', async () => {
    assert.equal((await spend(KEYS.spender, 30)).status, 200);  // 0.30 of 1 USD: below 50%
    assert.equal((await spend(KEYS.spender, 30)).status, 200);  // 0.60: past 50%
    await waitFor(() => postsFor('spender').length === 1, { what: 'the 50% webhook POST' });
    assert.equal((await spend(KEYS.spender, 10)).status, 200);  // 0.70: nothing new
    assert.equal((await spend(KEYS.spender, 30)).status, 200);  // 1.00: 100%
    await waitFor(() => postsFor('spender').length === 2, { what: 'the 100% webhook POST' });
    assertOpenAiError(await spend(KEYS.spender, 10), 402, /budget/);  // spent: refused, no alert

    const posts = postsFor('spender');
    assert.deepEqual(posts.map((p) => p.body.percent), [50, 100]);
    assert.equal(posts[0].path, `/hooks/T000/${TOKEN}`);
    assert.equal(posts[0].type, 'application/json');
    assert.deepEqual({ ...posts[1].body, period_start: undefined, text: undefined }, {
      event: 'budget_alert', scope: 'key', id: 'spender', period: 'daily', period_start: undefined,
      percent: 100, spent_usd: '1', budget_usd: '1', text: undefined,
    });
    assert.match(posts[0].body.period_start, /^\d{4}-\d{2}-\d{2}$/);
    assert.match(posts[0].body.text, /spender reached 50% of its daily budget \(0\.6 of 1 USD\)/);

    const lines = await waitFor(() => {
      const l = alertLines(gw).filter((a) => a.id === 'spender');
      return l.length === 2 && l;
    }, { what: 'two alert lines' });
    assert.deepEqual(lines.map((l) => [l.level, l.scope, l.period, l.percent, l.spent_usd, l.budget_usd]),
      [['warn', 'key', 'daily', 50, '0.6', '1'], ['warn', 'key', 'daily', 100, '1', '1']]);

    const text = await scrape();
    assert.match(text, /ringgate_budget_alerts_total\{scope="key",period="daily",threshold="50"\} 1\n/);
    assert.match(text, /ringgate_budget_alerts_total\{scope="key",period="daily",threshold="100"\} 1\n/);
    assert.match(text, /ringgate_budget_alert_webhooks_total\{result="delivered"\} 2\n/);
    // Nothing more arrives for what already fired.
    assert.equal(postsFor('spender').length, 2);
    assert.equal(alertLines(gw).filter((a) => a.id === 'spender').length, 2);
  });

  it('a webhook that fails twice is retried with backoff until it takes the alert', async () => {
    hook.failNext = 2;
    assert.equal((await spend(KEYS.retried, 20)).status, 200);  // 0.20 of its total 1 USD: 10%
    await waitFor(() => postsFor('retried').length === 3, { what: 'two failed attempts and a third' });
    const posts = postsFor('retried');
    assert.ok(posts.every((p) => JSON.stringify(p.body) === JSON.stringify(posts[0].body)), 'the same alert each time');
    assert.equal(posts[0].body.period, 'total');
    assert.equal(posts[0].body.percent, 10);  // its own alert_percent, not [alerts]'
    assert.equal(posts[0].body.period_start, undefined);
    const text = await waitFor(async () => {
      const t = await scrape();
      return /ringgate_budget_alert_webhooks_total\{result="delivered"\} 3\n/.test(t) && t;
    }, { what: 'the delivery counted' });
    assert.match(text, /ringgate_budget_alert_webhook_retries_total 2\n/);
    assert.match(text, /ringgate_budget_alert_webhooks_total\{result="failed"\} 0\n/);
    assert.ok(!gw.stderr.includes('budget_alert_webhook_failed'), gw.stderr);
    assert.equal(alertLines(gw).filter((a) => a.id === 'retried').length, 1);
  });

  it('the webhook URL is a secret: stderr shows its scheme and host, never its path', async () => {
    assert.ok(gw.stderr.includes(`alerts: budget_percent=50,100 webhook=http://127.0.0.1:${hook.port} ` +
      '(env:RG_TEST_ALERT_WEBHOOK)'), gw.stderr);
    assert.ok(!gw.stderr.includes(TOKEN), 'the token reached stderr');
    assert.ok(!gw.stderr.includes('/hooks/'), 'the path reached stderr');
    await gw.stop();
    assert.ok(!gw.stderr.includes(TOKEN), 'the token reached stderr at shutdown');
  });
});

describe('budget alerts over https', () => {
  const certs = makeTestCertificates(tempDir());
  let mock, hook;
  before(async () => {
    mock = await startMock();
    hook = await startWebhook(certs);
  });
  after(async () => {
    await stopAll();
    hook.server.close();
  });

  // A gateway whose one key's first spend raises one alert, POSTed to the https webhook.
  async function gatewayTrusting(env) {
    const toml = gatewayToml({
      apiBase: mock.apiBase,
      models: [{ name: 'gpt-4o-mini', upstream: 'mock', price: PRICE }],
      keys: [{ id: 'tls', sha256: sha256Hex(KEYS.spender), budget: { total_usd: 1 } }],
    }) + `\n[alerts]\nbudget_percent = [10]\nwebhook = "https://localhost:${hook.port}/tls/${TOKEN}"\n` +
      'webhook_retries = 0\n';
    const gw = await startConfigGateway(toml, { env });
    const res = await postJson(gw.url, '/v1/chat/completions',
      { model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'spend' }] },
      { authorization: `Bearer ${KEYS.spender}`, 'x-mock-tokens': '20' });
    assert.equal(res.status, 200);
    return gw;
  }

  it('verifies the certificate and host name against the trust store it is given', async () => {
    const gw = await gatewayTrusting({ SSL_CERT_FILE: certs.caFile });
    await waitFor(() => hook.posts.length === 1, { what: 'the https webhook POST' });
    assert.equal(hook.posts[0].body.id, 'tls');
    assert.equal(hook.posts[0].path, `/tls/${TOKEN}`);
    await gw.stop();
    assert.ok(!gw.stderr.includes(TOKEN), gw.stderr);
  });

  it('refuses a certificate the trust store does not vouch for, and says so without the path', async () => {
    const before = hook.posts.length;
    const gw = await gatewayTrusting({ SSL_CERT_FILE: '/nonexistent-ca.pem', SSL_CERT_DIR: '/nonexistent' });
    const line = await waitFor(() => gw.stderr.split('\n').find((l) => l.includes('budget_alert_webhook_failed')),
      { what: 'the webhook failure line' });
    const failure = JSON.parse(line);
    assert.equal(failure.webhook, `https://localhost:${hook.port}`);
    assert.equal(failure.attempts, 1);
    assert.match(failure.error, /certificate|tls/i);
    assert.equal(hook.posts.length, before);
    assert.ok(!gw.stderr.includes(TOKEN), gw.stderr);
  });
});
