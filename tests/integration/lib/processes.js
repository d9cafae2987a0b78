// Starting and stopping the real binaries (ringgate, ringgate-mock-upstream, helpers) for one test
// file. Every process is tracked so `stopAll` in an `after` hook kills it even when a test failed.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const RINGGATE_BIN = process.env.RINGGATE_BIN;
const MOCK_BIN = process.env.MOCK_BIN;
const STARTUP_DEADLINE_MS = 15000;

if (!RINGGATE_BIN || !MOCK_BIN) {
  throw new Error('RINGGATE_BIN and MOCK_BIN must name the built binaries (meson test sets them)');
}

const live = new Set();

// A spawned process with its whole output kept (tests grep it for secrets) and its exit awaited.
class Child {
  constructor(bin, args, env) {
    this.bin = bin;
    this.args = args;
    this.stdout = '';
    this.stderr = '';
    this.exitCode = undefined;
    this.signal = undefined;
    this.proc = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(this);
    this.proc.stdout.setEncoding('utf8');
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (d) => { this.stderr += d; });
    this.lines = readline.createInterface({ input: this.proc.stdout });
    this.lines.on('line', (l) => { this.stdout += l + '\n'; });
    // Resolved on 'close', not 'exit': only then has all of the child's stdout been read (a
    // short-lived command such as keygen can exit before its output reaches us).
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exitCode = code;
        this.signal = signal;
        live.delete(this);
      });
      this.proc.on('close', () => resolve({ code: this.exitCode, signal: this.signal }));
    });
  }

  get pid() { return this.proc.pid; }
  get running() { return this.exitCode === undefined; }

  // The first stdout line, or an error naming what the process said instead.
  firstLine(deadlineMs = STARTUP_DEADLINE_MS) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${path.basename(this.bin)} printed no line within ${deadlineMs} ms; ` +
                         `stderr: ${this.stderr}`));
      }, deadlineMs);
      const onLine = (l) => { done(); resolve(l); };
      const onExit = () => {
        done();
        reject(new Error(`${path.basename(this.bin)} exited (${this.exitCode}/${this.signal}) ` +
                         `before printing a line; stderr: ${this.stderr}`));
      };
      const done = () => {
        clearTimeout(timer);
        this.lines.off('line', onLine);
        this.proc.off('exit', onExit);
      };
      this.lines.once('line', onLine);
      this.proc.once('exit', onExit);
    });
  }

  signalAndWait(sig, deadlineMs) {
    if (!this.running) return Promise.resolve({ code: this.exitCode, signal: this.signal });
    this.proc.kill(sig);
    return withDeadline(this.exited, deadlineMs, `${path.basename(this.bin)} exit after ${sig}`);
  }

  async stop() {
    if (!this.running) return;
    try {
      await this.signalAndWait('SIGTERM', 5000);
    } catch {
      await this.signalAndWait('SIGKILL', 5000);
    }
  }
}

function withDeadline(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function portOf(line, pattern) {
  const m = pattern.exec(line);
  if (!m) throw new Error(`unexpected first line: ${JSON.stringify(line)}`);
  return Number(m[1]);
}

// ringgate-mock-upstream with extra flags; resolves once it listens.
async function startMock(args = []) {
  const child = new Child(MOCK_BIN, ['--listen', '127.0.0.1:0', ...args], {});
  const line = await child.firstLine();
  child.port = portOf(line, /^listening on 127\.0\.0\.1:(\d+)$/);
  child.scheme = args.includes('--tls-cert') ? 'https' : 'http';
  child.url = `${child.scheme}://127.0.0.1:${child.port}`;
  child.apiBase = `${child.url}/v1`;
  return child;
}

// prefix: a command that execs the gateway in place (e.g. ['prlimit', '--nofile=64:64']), so
// the child's pid is still the gateway's.
async function launchGateway(args, env, prefix = []) {
  // Port 0: the kernel picks a free port and the gateway prints it on its first stdout line.
  const argv = [RINGGATE_BIN, 'serve', ...args, '--listen', '127.0.0.1:0'];
  const [bin, ...rest] = [...prefix, ...argv];
  const child = new Child(bin, rest, env);
  try {
    const line = await child.firstLine();
    child.port = portOf(line, /^listening on 127\.0\.0\.1:(\d+) \(\d+ shards?\)$/);
    child.url = `http://127.0.0.1:${child.port}`;
    return child;
  } catch (e) {
    await child.stop();
    throw e;
  }
}

// A port nothing listens on once this returns (for "upstream unreachable" cases).
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// Quick mode: `ringgate serve --upstream URL [--upstream-key REF] --shards N`.
function startQuickGateway({ upstream, keyRef, shards = 1, env = {}, extraArgs = [], prefix = [] }) {
  const args = ['--upstream', upstream, '--shards', String(shards), ...extraArgs];
  if (keyRef) args.push('--upstream-key', keyRef);
  return launchGateway(args, env, prefix);
}

// Config mode: writes `toml` to a temp file and serves it; `configFile` names the file (a
// reload test rewrites it).
async function startConfigGateway(toml, { env = {}, dir, prefix = [], extraArgs = [] } = {}) {
  const file = writeTemp('ringgate.toml', toml, dir);
  const child = await launchGateway(['--config', file, ...extraArgs], env, prefix);
  child.configFile = file;
  return child;
}

function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ringgate-integ-'));
}

function writeTemp(name, text, dir = tempDir()) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

// Runs `ringgate ARGS` to completion (check-config and friends), `stdin` written to it.
async function runRinggate(args, env = {}, stdin = undefined) {
  const child = new Child(RINGGATE_BIN, args, env);
  child.proc.stdin.end(stdin);
  const { code } = await withDeadline(child.exited, STARTUP_DEADLINE_MS, `ringgate ${args[0]}`);
  return { code, stdout: child.stdout, stderr: child.stderr };
}

// A TCP listener that never accepts, with its accept queue already full: a connect to it sends a
// SYN that the kernel drops, so the connect hangs. The listener lives in a child node process
// whose event loop is blocked, so it cannot accept; the queue is filled from here.
async function startStalledListener() {
  const script = path.join(__dirname, 'stalled_listener.js');
  const child = new Child(process.execPath, [script], {});
  const line = await child.firstLine();
  child.port = portOf(line, /^listening on 127\.0\.0\.1:(\d+)$/);
  child.fillers = [];
  // backlog 1 queues two established connections (the kernel allows backlog + 1).
  for (let i = 0; i < 2; ++i) {
    const s = net.connect(child.port, '127.0.0.1');
    child.fillers.push(s);
    await withDeadline(new Promise((resolve, reject) => {
      s.once('connect', resolve);
      s.once('error', reject);
    }), 5000, 'filling the stalled listener');
  }
  const origStop = child.stop.bind(child);
  child.stop = async () => {
    for (const s of child.fillers) s.destroy();
    await origStop();
  };
  return child;
}

async function stopAll() {
  await Promise.all([...live].map((c) => c.stop()));
}

// Last resort when the test runner itself is torn down.
process.on('exit', () => {
  for (const c of live) c.proc.kill('SIGKILL');
});

module.exports = {
  startMock,
  startQuickGateway,
  startConfigGateway,
  startStalledListener,
  runRinggate,
  stopAll,
  tempDir,
  writeTemp,
  withDeadline,
  freePort,
};
