#!/usr/bin/env bash
# Builds every libFuzzer target with clang 14 under ASan+UBSan and runs each for a bounded time
# (first argument, seconds; default 60) on its seed corpus and dictionary, as many at once as
# there are CPUs (FUZZ_JOBS overrides): each target still gets its full time on one core.
# Inputs that once crashed live in fuzz/corpus/<target>/ and are replayed first, so they stay
# regression tests. A crash fails the run and its input is saved under fuzz/artifacts/<target>/.
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."

# One target: its summary line, or the tail of its log on a failure (printed in one piece, so
# targets running side by side do not interleave their lines).
run_one() {
  local exe=$1 seconds=$2 name target corpus dict work
  name=$(basename "$exe")
  target=${name#fuzz_}
  corpus=fuzz/corpus/$target
  dict=fuzz/dict/$target.dict
  work=$(mktemp -d)
  mkdir -p "fuzz/artifacts/$target"
  local args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0
              -artifact_prefix="fuzz/artifacts/$target/")
  [ -f "$dict" ] && args+=(-dict="$dict")
  local seeds=()
  [ -d "$corpus" ] && seeds+=("$corpus")
  local status=0 report
  if UBSAN_OPTIONS=halt_on_error=1 "$exe" "${args[@]}" "$work" "${seeds[@]}" >"$work.log" 2>&1; then
    report="-- $name (${seconds}s) $(grep -E "^Done|#[0-9]+.*DONE" "$work.log" | tail -1 || true)"
  else
    report="-- $name (${seconds}s) FUZZ FAILURE; input kept in fuzz/artifacts/$target/"$'\n'"$(tail -40 "$work.log")"
    status=1
  fi
  rm -rf "$work" "$work.log"
  echo "$report"
  return $status
}

if [ "${1:-}" = "--one" ]; then
  run_one "$2" "$3"
  exit $?
fi

SECONDS_EACH=${1:-60}
JOBS=${FUZZ_JOBS:-$(nproc)}
B=build-fuzz
# -O1 with line tables, as libFuzzer's documentation builds its targets.
[ -f "$B/build.ninja" ] || CC=clang-14 CXX=clang++-14 meson setup "$B" -Dfuzz=true \
  -Db_sanitize=address,undefined -Db_lundef=false -Doptimization=1 -Ddebug=false \
  -Dcpp_args=-g1 >/dev/null
ninja -C "$B"
# xargs exits non-zero when any target failed.
find "$B/fuzz" -maxdepth 2 -type f -name 'fuzz_*' -perm -u+x | sort |
  xargs -P "$JOBS" -I{} "$SELF" --one {} "$SECONDS_EACH"
