// The real Codex CLI (the pinned @openai/codex's native Linux x64 binary) through ringgate,
// non-interactive (`codex exec`), completing a task that calls a tool: the mock answers the first
// turn with a call to Codex's shell tool, Codex runs the command in a temp working directory and
// sends its output back (function_call_output), the mock answers text, Codex prints it and exits 0.
// Against the three upstreams of lib/responses_upstreams.js.
//
// What Codex 0.171.0 sends (logged from its first request in pass-through): POST /v1/responses,
// stream: true, store: false, tool_choice "auto", parallel_tool_calls, reasoning {summary: auto},
// include ["reasoning.encrypted_content"], prompt_cache_key, client_metadata; input = developer
// messages (its instructions), a user message with <environment_context>, then the prompt. Its
// shell tool is the function `exec_command` with {"cmd": "<shell command>"} (required), plus
// write_stdin, request_user_input, view_image, goal tools, a `namespace` tool and web_search; no
// `shell` / `local_shell`. It runs the cmd as `/bin/bash -lc '<cmd>'` in the working directory and
// sends back a function_call_output whose output is text: "Chunk ID: ..\nWall time: ..\nProcess
// exited with code 0\nOriginal token count: N\nOutput:\n<stdout>". It made no other request
// (no /v1/models, no update check, no telemetry): strace shows its only connections go to
// 127.0.0.1 with the config below; without [features] it would reach github.com for plugins.
//
// The invocation (also in the README):
//   CODEX_HOME=$tmp HOME=$tmp RINGGATE_TEST_KEY=sk-... \
//   codex exec --strict-config --skip-git-repo-check --dangerously-bypass-approvals-and-sandbox \
//     --color never -C $workdir "PROMPT" </dev/null
// with $tmp/config.toml:
//   model = "gpt-test"; model_provider = "ringgate"; approval_policy = "never";
//   sandbox_mode = "danger-full-access"; check_for_update_on_startup = false
//   [model_providers.ringgate] name, base_url = "<ringgate>/v1", env_key = "RINGGATE_TEST_KEY",
//     wire_api = "responses", request_max_retries = 0, stream_max_retries = 0
//   [analytics] enabled = false   [otel] exporter = "none"
//   [features] plugins = false, remote_plugin = false, apps = false
// --strict-config makes a key this version does not know an error, so the config cannot rot
// silently. The sandbox is bypassed because CI runs as root in a container (no user namespaces).
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { runCli } = require('./lib/cli_run');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { startMock, stopAll, tempDir } = require('./lib/processes');
const { postJson } = require('./lib/http');
const { stopFormatGateways } = require('./lib/translation_helpers');
const { UPSTREAM_KINDS, UPSTREAM_PATH, startGatewayFor, mockRequests } = require('./lib/responses_upstreams');

const CODEX_BIN = path.join(__dirname, 'node_modules', '@openai', 'codex-linux-x64', 'vendor',
  'x86_64-unknown-linux-musl', 'bin', 'codex');
const CODEX_VERSION = '0.171.0';  // package-lock.json pins it; the README names it
const SKIP = fs.existsSync(CODEX_BIN) ? false
  : `Codex is not installed (${CODEX_BIN} is missing: run npm ci in tests/integration)`;
const RUN_DEADLINE_MS = 120000;
const MODEL = 'gpt-test';
const TOOL = 'exec_command';
const MOCK_TEXT = 'lorem ipsum dolor sit amet consectetur adipiscing elit';  // the mock's 8 tokens

// `webSearch`: Codex offers OpenAI's hosted web_search tool unless told not to; no upstream but
// OpenAI's serves it, so through translation it is a 400 naming it (dropping a tool would change
// what the model may do) and Codex is configured with `web_search = "disabled"`.
function codexConfig(baseUrl, { webSearch = false } = {}) {
  return [
    `model = "${MODEL}"`,
    ...(webSearch ? [] : ['web_search = "disabled"']),
    'model_provider = "ringgate"',
    'approval_policy = "never"',
    'sandbox_mode = "danger-full-access"',
    'check_for_update_on_startup = false',
    '',
    '[model_providers.ringgate]',
    'name = "ringgate"',
    `base_url = "${baseUrl}/v1"`,
    'env_key = "RINGGATE_TEST_KEY"',
    'wire_api = "responses"',
    'request_max_retries = 0',
    'stream_max_retries = 0',
    '',
    '[analytics]',
    'enabled = false',
    '',
    '[otel]',
    'exporter = "none"',
    '',
    // Without these Codex runs `git ls-remote https://github.com/openai/plugins.git` and looks
    // up api.github.com at start (seen with strace): the plugin marketplace and connectors.
    '[features]',
    'plugins = false',
    'remote_plugin = false',
    'apps = false',
    '',
  ].join('\n');
}

// One `codex exec PROMPT` in a fresh CODEX_HOME against `baseUrl`, killed at the deadline.
function runCodex(baseUrl, cwd, prompt, configOptions) {
  const home = tempDir();
  fs.writeFileSync(path.join(home, 'config.toml'), codexConfig(baseUrl, configOptions));
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    CODEX_HOME: home,
    RINGGATE_TEST_KEY: `sk-codex-${crypto.randomBytes(8).toString('hex')}`,
  };
  const args = ['exec', '--strict-config', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox',
    '--color', 'never', '-C', cwd, prompt];
  return runCli(CODEX_BIN, args, { cwd, env, deadlineMs: RUN_DEADLINE_MS })
    .finally(() => fs.rmSync(home, { recursive: true, force: true }));
}

// A working directory holding a file whose content only this run knows; the command the mock
// asks Codex to run prints it, so only a real run of the command can send the token back.
function workspace() {
  const dir = tempDir();
  const token = `ringgate-${crypto.randomBytes(8).toString('hex')}`;
  fs.writeFileSync(path.join(dir, 'marker.txt'), `${token}\n`);
  return { dir, token, command: 'cat marker.txt' };
}

// The output Codex sent back for the call, in the upstream kind's shape.
function toolOutputs(kind, body) {
  if (kind === 'native') {
    return body.input.filter((i) => i.type === 'function_call_output')
      .map((i) => (typeof i.output === 'string' ? i.output : JSON.stringify(i.output)));
  }
  if (kind === 'anthropic') {
    return body.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : []))
      .filter((b) => b.type === 'tool_result').map((b) => JSON.stringify(b.content));
  }
  return body.messages.filter((m) => m.role === 'tool').map((m) => JSON.stringify(m.content));
}

function toolNames(kind, body) {
  if (kind === 'native') return body.tools.map((t) => t.name);
  if (kind === 'anthropic') return body.tools.map((t) => t.name);
  return body.tools.map((t) => t.function?.name);
}

describe(`Codex CLI ${CODEX_VERSION} through ringgate`, { skip: SKIP }, () => {
  let ws;
  after(async () => {
    await stopFormatGateways();
    await stopAll();
    if (ws) fs.rmSync(ws.dir, { recursive: true, force: true });
  });
  before(() => { ws = workspace(); });

  for (const { kind, label } of UPSTREAM_KINDS) {
    it(`${label}: a shell tool call, its output sent back, the final answer`, async (t) => {
      const mock = await startMock(['--tokens', '8', '--tool', TOOL, '--tool-input', JSON.stringify({ cmd: ws.command })]);
      const gw = await startGatewayFor(kind, mock, [MODEL]);
      await postJson(mock.url, '/mock/reset', {});
      const run = await runCodex(gw.url, ws.dir, 'Show me what marker.txt says.');
      assert.equal(run.signal, null, `codex was killed (${run.signal}); stderr: ${run.stderr}`);
      assert.equal(run.code, 0, `codex exited ${run.code}; stdout: ${run.stdout} stderr: ${run.stderr}`);
      assert.ok(run.stdout.includes(MOCK_TEXT), `codex printed ${JSON.stringify(run.stdout)}`);

      const turns = (await mockRequests(mock)).filter((r) => r.path.startsWith(UPSTREAM_PATH[kind]));
      assert.equal(turns.length, 2, JSON.stringify(turns.map((r) => r.path)));
      const [first, second] = turns;
      assert.ok(toolNames(kind, first.json).includes(TOOL), `Codex offered ${toolNames(kind, first.json)}`);
      assert.equal(first.json.stream, true, 'Codex streams');
      assert.deepEqual(toolOutputs(kind, first.json), []);
      // The second turn carries the command's real output.
      const outputs = toolOutputs(kind, second.json);
      assert.equal(outputs.length, 1, second.body);
      assert.ok(outputs[0].includes(ws.token), outputs[0]);
      if (kind === 'native') {
        const call = second.json.input.find((i) => i.type === 'function_call');
        const output = second.json.input.find((i) => i.type === 'function_call_output');
        assert.equal(call.name, TOOL);
        assert.equal(JSON.parse(call.arguments).cmd, ws.command);
        assert.equal(output.call_id, call.call_id);
        assert.equal(second.json.store, false, 'Codex resends the whole history (store: false)');
      }
      // The key Codex was given reached the upstream only as a credential, never in the output.
      assert.ok(!run.stdout.includes('sk-codex-') && !run.stderr.includes('sk-codex-'));
      await gw.stop();
      await mock.stop();
    });
  }

  it('with web search left on, a translated upstream refuses the hosted tool by name and Codex says so', async () => {
    const mock = await startMock(['--tokens', '8']);
    const gw = await startGatewayFor('anthropic', mock, [MODEL]);
    await postJson(mock.url, '/mock/reset', {});
    const run = await runCodex(gw.url, ws.dir, 'Say hello.', { webSearch: true });
    assert.notEqual(run.code, 0, `codex should fail; stdout: ${run.stdout}`);
    assert.match(run.stdout + run.stderr, /unsupported tool type \\?"web_search\\?"/);
    assert.equal((await mockRequests(mock)).length, 0, 'nothing reached the upstream');
    await gw.stop();
    await mock.stop();
  });
});
