// Counts the tokens of a file with the npm references, after their set-up, and prints MB/s:
//   node bench/tokenizer_npm_bench.js FILE ENCODING REPEAT
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const nm = path.join(__dirname, '..', 'tests', 'integration', 'node_modules');
const { get_encoding } = require(path.join(nm, 'tiktoken'));

const [file, encoding, repeatArg] = process.argv.slice(2);
const repeat = Number(repeatArg || 3);
const text = fs.readFileSync(file, 'utf8');
const bytes = Buffer.byteLength(text);

function time(name, fn) {
  fn();  // warm up (JIT, lazy tables)
  let tokens = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < repeat; i++) tokens = fn();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${name} ${encoding} bytes=${bytes} tokens=${tokens} seconds=${s.toFixed(3)} ` +
    `MB/s=${((bytes * repeat) / 1e6 / s).toFixed(2)}`);
}

const enc = get_encoding(encoding);
time('tiktoken-wasm', () => enc.encode_ordinary(text).length);
enc.free();
const gpt = require(path.join(nm, 'gpt-tokenizer', 'cjs', 'encoding', `${encoding}.js`));
time('gpt-tokenizer', () => gpt.countTokens(text));
