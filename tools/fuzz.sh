#!/usr/bin/env bash
# Builds every libFuzzer target with clang 14 under ASan+UBSan and runs each for a bounded time
# (first argument, seconds; default 60) on its seed corpus and dictionary. Inputs that once
# crashed live in fuzz/corpus/<target>/ and are replayed first, so they stay regression tests.
# A crash fails the run and its input is saved under fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
B=build-fuzz
[ -f "$B/build.ninja" ] || CC=clang-14 CXX=clang++-14 meson setup "$B" -Dfuzz=true \
  -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debugoptimized >/dev/null
ninja -C "$B"
status=0
for exe in $(find "$B/fuzz" -maxdepth 2 -type f -name 'fuzz_*' -perm -u+x | sort); do
  name=$(basename "$exe")
  target=${name#fuzz_}
  corpus=fuzz/corpus/$target
  dict=fuzz/dict/$target.dict
  work=$(mktemp -d)
  mkdir -p "fuzz/artifacts/$target"
  args=(-max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0
        -artifact_prefix="fuzz/artifacts/$target/")
  [ -f "$dict" ] && args+=(-dict="$dict")
  seeds=()
  [ -d "$corpus" ] && seeds+=("$corpus")
  echo "-- $name (${SECONDS_EACH}s)"
  if ! UBSAN_OPTIONS=halt_on_error=1 "$exe" "${args[@]}" "$work" "${seeds[@]}" >"$work.log" 2>&1; then
    echo "FUZZ FAILURE in $name; input kept in fuzz/artifacts/$target/"
    tail -40 "$work.log"
    status=1
  else
    grep -E "^Done|#[0-9]+.*DONE" "$work.log" | tail -1 || true
  fi
  rm -rf "$work" "$work.log"
done
exit $status
