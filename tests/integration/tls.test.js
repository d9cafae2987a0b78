// HTTPS upstreams: verification against a configured CA file works; verification against the
// system store (the default) refuses a private CA with a clear 502.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const OpenAI = require('openai');
const { startMock, startConfigGateway, stopAll, tempDir } = require('./lib/processes');
const { postJson, mockLastRequest, assertOpenAiError, CHAT } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const { makeTestCertificates } = require('./lib/tls_certs');

describe('TLS upstream', () => {
  let certs;
  let mock;

  before(async () => {
    certs = makeTestCertificates(tempDir());
    mock = await startMock(['--tls-cert', certs.certFile, '--tls-key', certs.keyFile, '--tokens', '5']);
  });
  after(stopAll);

  it('works with ca_file, streamed and not', async () => {
    const gw = await startConfigGateway(gatewayToml({ apiBase: mock.apiBase, upstream: { ca_file: certs.caFile } }));
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0, timeout: 20000 });
    const c = await client.chat.completions.create({ ...CHAT, model: 'renamed-model' });
    assert.ok(c.choices[0].message.content.length > 0);
    // The request went over TLS to the mock (its recorder saw it), renamed as configured.
    assert.equal(JSON.parse((await mockLastRequest(mock)).body).model, 'gpt-4o');
    let text = '';
    for await (const chunk of await client.chat.completions.create({ ...CHAT, stream: true })) {
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    assert.equal(text.trim().split(/\s+/).length, 5);
  });

  it('without ca_file (system store, verification on) answers 502 naming certificate verification', async () => {
    const gw = await startConfigGateway(gatewayToml({ apiBase: mock.apiBase }));
    const res = await postJson(gw.url, '/v1/chat/completions', CHAT);
    const e = assertOpenAiError(res, 502);
    assert.match(e.message, /certificate/i);
    assert.match(e.message, /verif/i);
  });
});
