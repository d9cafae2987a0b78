// The upstreams a Responses API client is tested against (real_clients_responses.test.js,
// codex_cli.test.js): the OpenAI-format mock serving /v1/responses natively (pass-through), the
// Anthropic-format mock (ringgate translates Responses <-> Messages) and an OpenAI-format
// upstream configured as chat-only (`responses_api = "chat"`: ringgate translates Responses <->
// Chat Completions). Each kind gets its own mock, so its /mock/requests log holds only its turns.
'use strict';

const { startConfigGateway } = require('./processes');
const { mockGet } = require('./http');
const { gatewayToml } = require('./config');
const { startFormatGateway } = require('./translation_helpers');

const UPSTREAM_KINDS = [
  { kind: 'native', label: 'pass-through to an OpenAI-format upstream (native Responses)' },
  { kind: 'anthropic', label: 'translated to an Anthropic-format upstream (Messages)' },
  { kind: 'chat', label: 'translated to a chat-only OpenAI-format upstream (Chat Completions)' },
];

// The path the upstream of each kind is asked on.
const UPSTREAM_PATH = { native: '/v1/responses', anthropic: '/v1/messages', chat: '/v1/chat/completions' };

// A gateway in front of `mock` for `kind`; `models` are the model names config mode must list.
function startGatewayFor(kind, mock, models) {
  if (kind === 'native') return startFormatGateway({ upstream: mock.apiBase, format: 'openai' });
  if (kind === 'anthropic') return startFormatGateway({ upstream: mock.apiBase, format: 'anthropic' });
  return startConfigGateway(gatewayToml({
    apiBase: mock.apiBase,
    upstream: { responses_api: 'chat' },
    models: models.map((name) => ({ name, upstream: 'mock' })),
  }));
}

// Every API request the mock saw since its last reset (the last 16), bodies parsed.
async function mockRequests(mock) {
  const { requests } = await mockGet(mock, '/mock/requests');
  return requests.map((r) => ({ ...r, json: JSON.parse(r.body) }));
}

module.exports = { UPSTREAM_KINDS, UPSTREAM_PATH, startGatewayFor, mockRequests };
