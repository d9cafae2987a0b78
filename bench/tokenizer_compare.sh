#!/usr/bin/env bash
# Tokenizer throughput, side by side in one run: ringgate's BPE (one thread, `ringgate tokens
# --bench`) against the npm references tiktoken (OpenAI's Rust core as WASM) and gpt-tokenizer
# (pure JS), counting the same ~5 MB mixed corpus (bench/tokenizer_corpus.js, fixed seed).
# Each side times only the counting, after loading its tables and one warm-up pass.
#   bench/tokenizer_compare.sh [repeat=3]   (needs tools/setup.sh and tools/build.sh first)
set -euo pipefail
cd "$(dirname "$0")/.."
REPEAT=${1:-3}
BIN=${RINGGATE_BIN:-${BUILD:-build}/tools/cli/ringgate}
CORPUS=${TMPDIR:-/tmp}/ringgate_tokenizer_corpus.txt
node bench/tokenizer_corpus.js "$CORPUS"
for enc in o200k_base cl100k_base; do
  ours=$("$BIN" tokens --encoding "$enc" --bench 1 <"$CORPUS" >/dev/null && \
         "$BIN" tokens --encoding "$enc" --bench "$REPEAT" <"$CORPUS")
  refs=$(node bench/tokenizer_npm_bench.js "$CORPUS" "$enc" "$REPEAT")
  echo "ringgate $ours"
  echo "$refs"
  mbs() { sed -n 's/.*MB\/s=\([0-9.]*\).*/\1/p'; }
  o=$(echo "$ours" | mbs)
  best=$(echo "$refs" | mbs | sort -g | tail -1)
  awk -v o="$o" -v b="$best" -v e="$enc" \
    'BEGIN { printf "%s: ringgate %.1f MB/s = %.2fx the faster npm reference (%.1f MB/s)\n", e, o, o / b, b }'
done
