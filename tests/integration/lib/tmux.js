// A tmux server of the test's own (its own -L socket, no config file), so a full-screen command
// runs in a real terminal of a known size and its screen is read back with capture-pane. It
// never touches a user's tmux; kill() ends the server and everything in it.
'use strict';

const { execFile } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');

class Tmux {
  // env: the server's environment, which its sessions' commands inherit (secrets go here, not
  // into argv where ps would show them).
  constructor(env = {}) {
    this.socket = `ringgate-test-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
    this.env = { ...process.env, ...env };
    delete this.env.TMUX;  // inside a user's tmux, still start a server of our own
  }

  run(...args) {
    return new Promise((resolve, reject) => {
      execFile('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { env: this.env },
        (err, stdout, stderr) => (err ? reject(new Error(`tmux ${args[0]}: ${stderr || err.message}`)) : resolve(stdout)));
    });
  }

  // Starts the server with a placeholder session, so sessions come and go in one server.
  async start() {
    await this.run('new-session', '-d', '-s', 'hold', 'cat');
  }

  // `argv` in a new detached session of width x height.
  async open(name, argv, { width = 100, height = 40 } = {}) {
    await this.run('new-session', '-d', '-s', name, '-x', String(width), '-y', String(height), '--', ...argv);
  }

  capture(name) {
    return this.run('capture-pane', '-p', '-t', name);
  }

  sendKeys(name, ...keys) {
    return this.run('send-keys', '-t', name, ...keys);
  }

  // Ends the server and removes its socket file (tmux leaves it behind).
  async kill() {
    const socketPath = (await this.run('display-message', '-p', '#{socket_path}').catch(() => '')).trim();
    await this.run('kill-server').catch(() => {});
    if (socketPath) fs.rmSync(socketPath, { force: true });
  }
}

module.exports = { Tmux };
