#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a passing test run: installs packages, builds,
# runs the unit and integration tests, runs the unit tests again under ASan+UBSan, the lock-free
# admission tests, the accounting rings and the semantic index's readers under TSan, and every
# fuzz target for a bounded time (FUZZ_SECONDS, default 15) under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh
meson test -C build --print-errorlogs

# Sanitizer builds: -O1 with line tables only (-g1 is enough for symbolized reports), which halves
# their compile time against -O2 -g; asserts stay on.
SANITIZER_BUILD=(-Doptimization=1 -Ddebug=false -Dcpp_args=-g1 -Db_lundef=false)

echo "== unit tests under ASan+UBSan =="
[ -f build-asan/build.ninja ] || meson setup build-asan "${SANITIZER_BUILD[@]}" \
  -Db_sanitize=address,undefined >/dev/null
# Only what the unit tests run (benchmarks and the integration suite's binaries are left out).
mapfile -t ASAN_TARGETS < <(tools/test_targets.py build-asan integration)
ninja -C build-asan "${ASAN_TARGETS[@]}"
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
  meson test -C build-asan --no-rebuild --print-errorlogs --no-suite integration

echo "== lock-free admission, accounting rings and the exact cache under TSan =="
[ -f build-tsan/build.ninja ] || meson setup build-tsan "${SANITIZER_BUILD[@]}" \
  -Db_sanitize=thread >/dev/null
TSAN_TESTS=()
for t in token_bucket limit_set budget gatekeeper fleet_lease; do
  TSAN_TESTS+=("tests/engine/engine_admission_${t}_test")
done
for t in record_ring tap_ring remote_embedder pg_shipper admin_series admin_ledger_queries; do TSAN_TESTS+=("tests/engine/engine_telemetry_${t}_test"); done
for t in exact_cache single_flight; do TSAN_TESTS+=("tests/cache/${t}_test"); done
TSAN_TESTS+=("tests/cache/hnsw_concurrency_test")  # the semantic index's lock-free readers
TSAN_TESTS+=("tests/engine/engine_deployment_health_test")  # the prober writes, shards read
TSAN_TESTS+=("tests/engine/engine_deployment_shown_test")  # a shard publishes, the admin API reads
TSAN_TESTS+=("tests/engine/engine_managed_process_test")  # shards queue, the supervisor starts
TSAN_TESTS+=("tests/cache/semantic_cache_test")  # shard readers racing the semantic cache writer
TSAN_TESTS+=("tests/cache/semantic_writer_test")  # shards pushing to the semantic insert thread
TSAN_TESTS+=("tests/engine/engine_attempt_plan_test")  # deployments' node-wide max_concurrent
ninja -C build-tsan "${TSAN_TESTS[@]}"
for t in "${TSAN_TESTS[@]}"; do TSAN_OPTIONS=halt_on_error=1 "build-tsan/$t" --gtest_brief=1; done

echo "== fuzzers =="
tools/fuzz.sh "${FUZZ_SECONDS:-15}"
echo "== all tests passed =="
