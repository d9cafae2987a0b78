// Runs a real client's CLI (Claude Code, Codex) to completion, killed at a deadline, with its
// output collected: { code, signal, stdout, stderr }.
'use strict';

const { spawn } = require('node:child_process');

function runCli(bin, args, { cwd, env, deadlineMs }) {
  const child = spawn(bin, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
  return exited.finally(() => clearTimeout(timer));
}

module.exports = { runCli };
