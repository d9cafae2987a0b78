// The real Claude Code (the pinned @anthropic-ai/claude-code native binary) through ringgate, with
// its default settings, non-interactive (`-p`), completing a turn that includes a tool call: in
// pass-through (Anthropic-format upstream) and translated (OpenAI-format upstream, a reasoning
// model). The mock calls Claude Code's Read tool on a file the test wrote, once; Claude Code runs
// it and sends the result back; the mock answers text, which Claude Code prints.
//
// What the mock received is checked turn by turn (/mock/requests): Claude Code's own request
// shape, the tool result carrying the file's content, and, translated, reasoning_effort, the
// system text, no ?beta=true and none of the fields OpenAI has no equivalent for.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { runCli } = require('./lib/cli_run');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { startMock, startQuickGateway, startConfigGateway, stopAll, tempDir } = require('./lib/processes');
const { mockGet, postJson, request } = require('./lib/http');
const { gatewayToml } = require('./lib/config');

const CLAUDE_BIN = path.join(__dirname, 'node_modules', '@anthropic-ai', 'claude-code-linux-x64', 'claude');
const CLAUDE_VERSION = '2.1.197';  // package-lock.json pins it; the README names it
const HAVE_CLAUDE = fs.existsSync(CLAUDE_BIN);
const SKIP = HAVE_CLAUDE ? false
  : `Claude Code is not installed (${CLAUDE_BIN} is missing: run npm ci in tests/integration)`;
const RUN_DEADLINE_MS = 120000;
const TOOL = 'Read';  // harmless: reads the file the test wrote in the temp working directory
const MOCK_TEXT = 'lorem ipsum dolor sit amet consectetur adipiscing elit';  // the mock's 8 tokens

// One `claude -p PROMPT` run in a fresh temp HOME and working directory, against `baseUrl`, killed
// at the deadline. Resolves with its exit code, stdout and stderr.
function runClaude(baseUrl, cwd, prompt) {
  const home = tempDir();
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_API_KEY: `sk-ant-dummy-${crypto.randomBytes(8).toString('hex')}`,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
  return runCli(CLAUDE_BIN, ['-p', prompt, '--allowedTools', TOOL], { cwd, env, deadlineMs: RUN_DEADLINE_MS })
    .finally(() => fs.rmSync(home, { recursive: true, force: true }));
}

// A working directory holding a file whose content only this run knows.
function workspace() {
  const dir = tempDir();
  const token = `ringgate-${crypto.randomBytes(8).toString('hex')}`;
  const file = path.join(dir, 'marker.txt');
  fs.writeFileSync(file, `${token}\n`);
  return { dir, file, token };
}

async function mockRequests(mock) {
  const { requests } = await mockGet(mock, '/mock/requests');
  return requests.map((r) => ({ ...r, json: JSON.parse(r.body) }));
}

// Claude Code's run ended well and printed the mock's final answer.
function assertCompleted(run) {
  assert.equal(run.signal, null, `claude was killed (${run.signal}); stderr: ${run.stderr}`);
  assert.equal(run.code, 0, `claude exited ${run.code}; stdout: ${run.stdout} stderr: ${run.stderr}`);
  assert.ok(run.stdout.includes(MOCK_TEXT), `claude printed ${JSON.stringify(run.stdout)}`);
}

describe(`Claude Code ${CLAUDE_VERSION} through ringgate`, { skip: SKIP }, () => {
  let ws;
  let mock;
  let claudeModel;  // the model Claude Code asks for by default, learnt in pass-through
  let recordedBody;  // its first request as it sent it, replayed against the translating gateway

  before(async () => {
    ws = workspace();
    mock = await startMock(['--tokens', '8', '--tool', TOOL, '--tool-input', JSON.stringify({ file_path: ws.file })]);
  });
  after(async () => {
    await stopAll();
    if (ws) fs.rmSync(ws.dir, { recursive: true, force: true });
  });

  it('pass-through to an Anthropic-format upstream: a tool call, its result, the final answer', async () => {
    const gw = await startQuickGateway({ upstream: mock.apiBase, extraArgs: ['--upstream-format', 'anthropic'] });
    await postJson(mock.url, '/mock/reset', {});
    const run = await runClaude(gw.url, ws.dir, `Read ${ws.file} and tell me what it says.`);
    assertCompleted(run);

    const turns = (await mockRequests(mock)).filter((r) => r.path.startsWith('/v1/messages'));
    assert.ok(turns.length >= 2, `the mock got ${turns.length} requests`);
    const [first] = turns;
    const last = turns.at(-1);
    // The Anthropic upstream is where ?beta=true means something: it passes through.
    assert.equal(first.path, '/v1/messages?beta=true');
    claudeModel = first.json.model;
    recordedBody = first.json;
    assert.equal(typeof claudeModel, 'string');
    const tools = first.json.tools.map((t) => t.name);
    assert.ok(tools.includes(TOOL), `Claude Code offered ${tools.join(', ')}`);
    assert.ok(first.json.thinking, 'Claude Code asks for thinking by default');
    // The second turn carries the tool's result: Claude Code really read the file.
    const results = last.json.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : []))
      .filter((b) => b.type === 'tool_result');
    assert.equal(results.length, 1, JSON.stringify(last.json.messages));
    assert.ok(JSON.stringify(results[0].content).includes(ws.token), JSON.stringify(results[0]));
    await gw.stop();
  });

  it('translated to an OpenAI-format upstream (a reasoning model): reasoning_effort, system text, no beta query', async (t) => {
    if (!claudeModel) return t.skip('the pass-through run did not tell which model Claude Code asks for');
    const toml = gatewayToml({
      apiBase: mock.apiBase,
      models: [
        { name: claudeModel, upstream: 'mock', reasoning: true },
        { name: 'plain-model', upstream: 'mock' },
      ],
    });
    const gw = await startConfigGateway(toml);
    // Claude Code's own probe of its base URL.
    const head = await request(`${gw.url}/`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.text, '');

    await postJson(mock.url, '/mock/reset', {});
    const run = await runClaude(gw.url, ws.dir, `Read ${ws.file} and tell me what it says.`);
    assertCompleted(run);

    const turns = await mockRequests(mock);
    assert.ok(turns.length >= 2, `the mock got ${turns.length} requests`);
    for (const turn of turns) {
      assert.equal(turn.path, '/v1/chat/completions', 'no ?beta=true, and the chat path');
      const body = turn.json;
      assert.equal(body.reasoning_effort, 'high', 'adaptive thinking with effort high');
      assert.equal(typeof body.max_completion_tokens, 'number');
      for (const field of ['thinking', 'output_config', 'context_management', 'metadata', 'system']) {
        assert.ok(!(field in body), `${field} reached the OpenAI-format upstream`);
      }
      assert.ok(!turn.body.includes('cache_control'), 'cache_control reached the upstream');
      assert.equal(body.messages[0].role, 'system');
      const systemText = JSON.stringify(body.messages.filter((m) => m.role === 'system'));
      assert.ok(systemText.includes('Claude'), 'Claude Code\'s system prompt reached the upstream');
      assert.ok(body.messages.slice(1).some((m) => m.role === 'system'), 'the mid-conversation system message');
      assert.ok(body.tools.some((tool) => tool.function.name === TOOL));
    }
    const [first] = turns;
    assert.ok(!first.json.messages.some((m) => m.role === 'tool'));
    const last = turns.at(-1);
    const results = last.json.messages.filter((m) => m.role === 'tool');
    assert.equal(results.length, 1, JSON.stringify(last.json.messages));
    assert.ok(JSON.stringify(results[0].content).includes(ws.token), JSON.stringify(results[0]));
    const calls = last.json.messages.filter((m) => m.role === 'assistant' && m.tool_calls);
    assert.equal(calls[0].tool_calls[0].function.name, TOOL);
    assert.equal(calls[0].tool_calls[0].id, results[0].tool_call_id);

    // Claude Code's recorded first request, replayed: the header names what was left out; toward
    // a model that does not reason, thinking and effort are left out too.
    const headers = { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'claude-code-20250219' };
    for (const [model, dropped] of [
      [claudeModel, 'cache_control,context_management'],
      ['plain-model', 'cache_control,context_management,output_config.effort,thinking'],
    ]) {
      for (const stream of [false, true]) {
        const res = await postJson(gw.url, '/v1/messages?beta=true', { ...recordedBody, model, stream }, headers);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.headers.get('x-ringgate-dropped-fields'), dropped, `${model}, stream ${stream}`);
      }
    }
    await gw.stop();
  });
  // seed-defect: 004-P3
  it('SSE heartbeats during a silent upstream are ignored: Claude Code completes its turn', async (t) => {
    if (!claudeModel) return t.skip('the pass-through run did not tell which model Claude Code asks for');
    // Every stream of this mock goes silent for 800 ms in the middle of its third event; the
    // gateway sends a heartbeat after each 100 ms of silence.
    const pausing = await startMock(['--tokens', '8', '--tool', TOOL, '--tool-input', JSON.stringify({ file_path: ws.file }),
      '--pause-after-events', '2', '--pause-ms', '800', '--pause-mid-event']);
    const gw = await startConfigGateway(gatewayToml({
      apiBase: pausing.apiBase,
      timeouts: { sse_heartbeat_ms: 100 },
      models: [{ name: claudeModel, upstream: 'mock', reasoning: true }],
    }));
    const run = await runClaude(gw.url, ws.dir, `Read ${ws.file} and tell me what it says.`);
    assertCompleted(run);
    const turns = await mockRequests(pausing);
    assert.ok(turns.length >= 2, `the mock got ${turns.length} requests`);
    assert.ok(turns.every((turn) => turn.json.stream === true), 'Claude Code streams every turn');
    // The same request as Claude Code's first, read raw: this gateway did send heartbeats there.
    const raw = await postJson(gw.url, '/v1/messages', { ...recordedBody, model: claudeModel, stream: true },
      { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' });
    assert.equal(raw.status, 200, raw.text);
    assert.match(raw.text, /^: ping$/m);
    await gw.stop();
  });
});
