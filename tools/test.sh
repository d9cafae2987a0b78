#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a passing test run: installs packages, builds,
# runs the unit and integration tests, runs the unit tests again under ASan+UBSan, the lock-free
# admission tests, the accounting rings and the semantic index's readers under TSan, and every
# fuzz target for a bounded time (FUZZ_SECONDS, default 30) under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh
meson test -C build --print-errorlogs

echo "== unit tests under ASan+UBSan =="
[ -f build-asan/build.ninja ] || meson setup build-asan --buildtype=debugoptimized \
  -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
ninja -C build-asan
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
  meson test -C build-asan --print-errorlogs --no-suite integration --no-suite benchmark

echo "== lock-free admission, accounting rings and the exact cache under TSan =="
[ -f build-tsan/build.ninja ] || meson setup build-tsan --buildtype=debugoptimized \
  -Db_sanitize=thread -Db_lundef=false >/dev/null
TSAN_TESTS=()
for t in token_bucket limit_set budget gatekeeper; do
  TSAN_TESTS+=("tests/engine/engine_admission_${t}_test")
done
for t in record_ring tap_ring remote_embedder; do TSAN_TESTS+=("tests/engine/engine_telemetry_${t}_test"); done
for t in exact_cache single_flight; do TSAN_TESTS+=("tests/cache/${t}_test"); done
TSAN_TESTS+=("tests/cache/hnsw_concurrency_test")  # the semantic index's lock-free readers
TSAN_TESTS+=("tests/engine/engine_deployment_health_test")  # the prober writes, shards read
TSAN_TESTS+=("tests/engine/engine_managed_process_test")  # shards queue, the supervisor starts
TSAN_TESTS+=("tests/cache/semantic_cache_test")  # shard readers racing the semantic cache writer
TSAN_TESTS+=("tests/engine/engine_attempt_plan_test")  # deployments' node-wide max_concurrent
ninja -C build-tsan "${TSAN_TESTS[@]}"
for t in "${TSAN_TESTS[@]}"; do TSAN_OPTIONS=halt_on_error=1 "build-tsan/$t" --gtest_brief=1; done

echo "== fuzzers =="
tools/fuzz.sh "${FUZZ_SECONDS:-30}"
echo "== all tests passed =="
