// A throwaway PostgreSQL for one test file: Debian's binaries, a fresh data directory, a free
// loopback port, the socket in the same temp dir, fsync off. PostgreSQL refuses to run as root
// (CI is root): then the server runs as `nobody`, which owns the temp dir. Every server started
// here is stopped by stopAllPostgres (an `after` hook) and, failing that, at exit.
'use strict';

const { execFile, execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('./processes');

const BIN = process.env.PG_BIN_DIR || '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid && process.getuid() === 0;
const running = new Set();
const made = new Set();  // every server's temp dir, removed by stopAllPostgres

// argv run as the server's user (nobody when we are root).
const asServerUser = (argv) => (asRoot ? ['runuser', '-u', 'nobody', '--', ...argv] : argv);

function run(argv) {
  return new Promise((resolve, reject) => {
    execFile(argv[0], argv.slice(1), { cwd: '/tmp', timeout: 60000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${argv.join(' ')}: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

class Postgres {
  constructor(dir, port) {
    this.dir = dir;
    this.data = path.join(dir, 'data');
    this.port = port;
    this.conninfo = `host=127.0.0.1 port=${port} dbname=postgres user=ringgate`;
  }

  async start() {
    await run(asServerUser([path.join(BIN, 'pg_ctl'), '-D', this.data, '-l', path.join(this.dir, 'log'),
      '-w', '-t', '30', '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 ` +
      '-c fsync=off -c synchronous_commit=off -c full_page_writes=off', 'start']));
    running.add(this);
  }

  async stop() {
    if (!running.has(this)) return;
    running.delete(this);
    await run(asServerUser([path.join(BIN, 'pg_ctl'), '-D', this.data, '-m', 'fast', '-w', 'stop']));
  }

  // SIGSTOP / SIGCONT to the server and its backends (by pid, from postmaster.pid): a server that
  // accepts and then never answers. A backend may exit between the listing and the signal (the
  // postmaster, continued first, reaps workers): one that has gone needs no signal.
  signalAll(sig) {
    const postmaster = Number(fs.readFileSync(path.join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = fs.readFileSync(`/proc/${postmaster}/task/${postmaster}/children`, 'utf8')
      .trim().split(/\s+/).filter(Boolean).map(Number);
    for (const pid of [postmaster, ...children]) {
      try {
        process.kill(pid, sig);
      } catch (err) {
        if (err.code !== 'ESRCH') throw err;
      }
    }
  }

  // psql's unaligned, tuples-only output of `sql`: one line per row, columns split by '|'.
  async query(sql) {
    const out = await run([path.join(BIN, 'psql'), '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
      '-h', '127.0.0.1', '-p', String(this.port), '-U', 'ringgate', '-d', 'postgres', '-c', sql]);
    return out.split('\n').filter((l) => l !== '').map((l) => l.split('|'));
  }
}

async function startPostgres() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringgate-pg-'));
  if (asRoot) execFileSync('chown', ['nobody:nogroup', dir]);
  await run(asServerUser([path.join(BIN, 'initdb'), '-D', path.join(dir, 'data'), '-U', 'ringgate',
    '--auth=trust', '-E', 'UTF8', '--no-sync']));
  const pg = new Postgres(dir, await freePort());
  made.add(pg);
  await pg.start();
  return pg;
}

async function stopAllPostgres() {
  await Promise.all([...running].map((pg) => pg.stop()));
  for (const pg of made) fs.rmSync(pg.dir, { recursive: true, force: true });
  made.clear();
}

process.on('exit', () => {
  for (const pg of running) {
    spawnSync(asServerUser([path.join(BIN, 'pg_ctl'), '-D', pg.data, '-m', 'immediate', 'stop'])[0],
      asServerUser([path.join(BIN, 'pg_ctl'), '-D', pg.data, '-m', 'immediate', 'stop']).slice(1), { cwd: '/tmp' });
  }
});

module.exports = { startPostgres, stopAllPostgres };
