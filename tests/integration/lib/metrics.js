// Prometheus text as the tests read it: a parse that also checks the format, and a scrape.
'use strict';

const assert = require('node:assert/strict');
const { request } = require('./http');

function parseMetrics(text) {
  assert.ok(text.endsWith('\n'), 'the scrape ends with a newline');
  const samples = new Map();
  const typed = new Set();
  for (const line of text.slice(0, -1).split('\n')) {
    if (line.startsWith('# HELP ')) continue;
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      assert.ok(['counter', 'gauge', 'histogram'].includes(type), line);
      assert.ok(!typed.has(name), `TYPE twice: ${name}`);
      typed.add(name);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${JSON.stringify(line)}`);
    const labels = {};
    const inner = m[2] ?? '';
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;
    while (re.lastIndex < inner.length) {
      const l = re.exec(inner);
      assert.ok(l, `bad labels: ${JSON.stringify(line)}`);
      labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    }
    samples.set(key(m[1], labels), Number(m[3]));
  }
  return { samples, typed, text };
}

function key(name, labels = {}) {
  const ls = Object.keys(labels).sort().map((k) => `${k}="${labels[k]}"`);
  return ls.length ? `${name}{${ls.join(',')}}` : name;
}

const value = (scrape, name, labels) => scrape.samples.get(key(name, labels)) ?? 0;

async function scrape(gw, headers = {}) {
  const res = await request(`${gw.url}/metrics`, { headers });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  return parseMetrics(res.text);
}

// Waits until every expected delta over `before` holds exactly (and says which did not).
module.exports = { parseMetrics, key, value, scrape };
