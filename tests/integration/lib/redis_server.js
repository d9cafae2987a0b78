// A throwaway redis-server for one test file: a free loopback port, a temp directory, nothing
// persisted (--save '' --appendonly no). `redisCli` runs one command through redis-cli.
'use strict';

const { spawn, execFileSync } = require('node:child_process');
const net = require('node:net');
const { tempDir, freePort, withDeadline } = require('./processes');
const { waitFor } = require('./http');

function redisInstalled() {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function accepts(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

class RedisServer {
  constructor(port) {
    this.port = port;
    this.dir = tempDir();
    this.proc = null;
  }

  static async start() {
    const r = new RedisServer(await freePort());
    await r.restart();
    return r;
  }

  async restart() {
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1',
      '--save', '', '--appendonly', 'no', '--dir', this.dir], { stdio: 'ignore' });
    this.exited = new Promise((resolve) => this.proc.once('exit', resolve));
    await waitFor(() => accepts(this.port), { what: `redis-server on port ${this.port}` });
  }

  // SIGKILL: what a crash looks like to the nodes (no FIN before the data is gone).
  async kill() {
    if (!this.proc || this.proc.exitCode !== null) return;
    this.proc.kill('SIGKILL');
    await withDeadline(this.exited, 5000, 'redis-server exit');
  }

  cli(...args) {
    return execFileSync('redis-cli', ['-p', String(this.port), ...args], { encoding: 'utf8' }).trim();
  }
}

module.exports = { RedisServer, redisInstalled };
