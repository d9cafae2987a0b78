// Tokenizer exactness: `ringgate tokens` must give the same token ids as OpenAI's tiktoken (the
// npm package, tiktoken's Rust core compiled to WASM, encode_ordinary) for every corpus item, in
// both encodings. Needs the rank files tools/setup.sh writes to build-data/tokenizer/.
'use strict';

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { get_encoding } = require('tiktoken');
const { tokenizerCorpus } = require('./lib/tokenizer_corpus');

const RINGGATE_BIN = process.env.RINGGATE_BIN;
const DATA_DIR = process.env.RINGGATE_TOKENIZER_DIR ||
  path.join(__dirname, '..', '..', 'build-data', 'tokenizer');

function ourIds(encoding, items) {
  const ranks = path.join(DATA_DIR, `${encoding}.tiktoken`);
  assert.ok(fs.existsSync(ranks), `${ranks} is missing: run tools/setup.sh (tools/tokenizer_ranks.sh)`);
  const r = spawnSync(RINGGATE_BIN, ['tokens', '--encoding', encoding, '--ranks', ranks, '-0'], {
    input: Buffer.from(items.join('\0')),
    maxBuffer: 1 << 28,
  });
  assert.equal(r.status, 0, `ringgate tokens failed: ${r.stderr}`);
  const lines = r.stdout.toString().split('\n');
  lines.pop();  // after the last newline
  return lines.map((l) => (l === '' ? [] : l.split(' ').map(Number)));
}

function describeMismatch(enc, item, ours, theirs) {
  let i = 0;
  while (i < ours.length && ours[i] === theirs[i]) i++;
  const dec = (ids) => Buffer.from(enc.decode(new Uint32Array(ids))).toString('utf8');
  return `item ${JSON.stringify(item.slice(0, 200))}\n` +
    `first difference at token ${i}: ours ${JSON.stringify(ours.slice(i, i + 6))} ` +
    `(${JSON.stringify(dec(ours.slice(i, i + 6)))}), tiktoken ${JSON.stringify(theirs.slice(i, i + 6))} ` +
    `(${JSON.stringify(dec(theirs.slice(i, i + 6)))})`;
}

describe('tokenizer matches tiktoken', () => {
  assert.ok(RINGGATE_BIN, 'RINGGATE_BIN must name the built ringgate binary (meson test sets it)');
  const items = tokenizerCorpus();
  for (const encoding of ['o200k_base', 'cl100k_base']) {
    it(`${encoding}: ${items.length} corpus items give tiktoken's ids`, () => {
      const enc = get_encoding(encoding);
      try {
        const ours = ourIds(encoding, items);
        assert.equal(ours.length, items.length);
        const failures = [];
        for (let k = 0; k < items.length; k++) {
          const theirs = Array.from(enc.encode_ordinary(items[k]));
          if (JSON.stringify(ours[k]) !== JSON.stringify(theirs)) {
            failures.push(describeMismatch(enc, items[k], ours[k], theirs));
          }
        }
        assert.equal(failures.length, 0,
          `${failures.length} of ${items.length} items differ; first ones:\n${failures.slice(0, 5).join('\n')}`);
      } finally {
        enc.free();
      }
    });
  }
});
