// Managed deployments in tests and benches: a config whose deployment is the mock upstream run by
// the gateway itself, and /proc checks on the processes it runs (zombies count as gone).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { gatewayToml } = require('./config');
const { request } = require('./http');

// The mock's absolute path: the gateway execs it from its own working directory.
const MOCK_PATH = path.resolve(process.env.MOCK_BIN);

// The mock as a managed server on `port`; `startupDelayMs` is its --startup-delay-ms.
function mockCommand(port, { startupDelayMs = 0, args = [] } = {}) {
  return [MOCK_PATH, '--listen', '127.0.0.1:{port}', '--startup-delay-ms',
    String(startupDelayMs), ...args];
}

// One model, `local-model`, served by the managed deployment `local` (settings in `managed`),
// and [managed] state_dir.
// apiBase: the default [[upstreams]] entry ("mock"), for fallback models; by default nothing
// listens there.
function managedToml({ port, stateDir, command, managed = {}, models, timeouts, apiBase = 'http://127.0.0.1:9/v1' }) {
  const toml = gatewayToml({
    apiBase,
    timeouts,
    deployments: [{
      name: 'local', model: 'gpt-4o-mini', format: 'openai',
      managed: { command, port, health: '/health', start_timeout_ms: 10000, ...managed },
    }],
    models: models ?? [{ name: 'local-model', deployments: ['local'] }],
  });
  return `${toml}\n[managed]\nstate_dir = ${JSON.stringify(stateDir)}\n`;
}

async function managedStatus(gw, name = 'local') {
  const r = await request(`${gw.url}/readyz`);
  return r.json.managed.find((m) => m.name === name);
}

function procStat(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], pgid: Number(fields[2]), start: Number(fields[19]) };
  } catch {
    return null;
  }
}

function alive(pid) {
  const st = procStat(pid);
  return st !== null && st.state !== 'Z';
}

// Live processes in process group `pgid`.
function groupMembers(pgid) {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number)
    .filter((pid) => { const st = procStat(pid); return st && st.state !== 'Z' && st.pgid === pgid; });
}

module.exports = { MOCK_PATH, mockCommand, managedToml, managedStatus, procStat, alive, groupMembers };
