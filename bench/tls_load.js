#!/usr/bin/env node
// A closed-loop HTTPS load generator for bench/compare_tls: C concurrent clients POST one body
// for D seconds, over kept-alive TLS connections or (--new-connections) a full handshake per
// request (no session resumption). Prints one JSON line: requests, errors, rps, seconds.
// Usage: tls_load.js URL --ca FILE --body FILE [-c 16] [-d 5] [--new-connections]
'use strict';

const fs = require('node:fs');
const https = require('node:https');

function parse(argv) {
  const o = { url: argv[0], c: 16, d: 5, fresh: false };
  for (let i = 1; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--ca') o.ca = fs.readFileSync(argv[++i]);
    else if (a === '--body') o.body = fs.readFileSync(argv[++i]);
    else if (a === '-c') o.c = Number(argv[++i]);
    else if (a === '-d') o.d = Number(argv[++i]);
    else if (a === '--new-connections') o.fresh = true;
    else throw new Error(`tls_load.js: unknown argument ${a}`);
  }
  if (!o.url || !o.ca || !o.body) throw new Error('usage: tls_load.js URL --ca FILE --body FILE [-c N] [-d S] [--new-connections]');
  return o;
}

function once(o, agent) {
  return new Promise((resolve) => {
    const req = https.request(o.url, {
      method: 'POST', ca: o.ca, agent, timeout: 10000,
      headers: { 'content-type': 'application/json', 'content-length': o.body.length },
    }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
    req.end(o.body);
  });
}

async function main() {
  const o = parse(process.argv.slice(2));
  // No session cache on either side of a fresh connection: every request is a full handshake.
  const agent = o.fresh ? false : new https.Agent({ keepAlive: true, maxSockets: o.c, ca: o.ca });
  let requests = 0;
  let errors = 0;
  const start = process.hrtime.bigint();
  const end = Date.now() + o.d * 1000;
  async function client() {
    while (Date.now() < end) {
      if (await once(o, agent)) ++requests;
      else ++errors;
    }
  }
  await Promise.all(Array.from({ length: o.c }, client));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (agent) agent.destroy();
  console.log(JSON.stringify({ requests, errors, rps: requests / seconds, seconds }));
}

main().catch((e) => {
  console.error(String(e));
  process.exit(2);
});
