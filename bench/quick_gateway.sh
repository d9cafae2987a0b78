# Sourced by the bench scripts that run one gateway in front of the mock upstream on loopback:
# finds the binaries in $BUILD, starts processes that print their port, stops them all at exit.
# Sets LOAD, MOCK, RINGGATE (RINGGATE may be preset to another build's gateway) and TMP.

BUILD="${BUILD:-build}"
[[ "$BUILD" = /* ]] || BUILD="$ROOT/$BUILD"
LOAD="$BUILD/bench/load/ringgate-load"
MOCK="$BUILD/tools/mock_upstream/ringgate-mock-upstream"
RINGGATE="${RINGGATE:-$BUILD/tools/cli/ringgate}"
for b in "$LOAD" "$MOCK" "$RINGGATE"; do
  [[ -x "$b" ]] || { echo "missing $b (ninja -C $BUILD first)" >&2; exit 1; }
done

# Reads -c CONNECTIONS and -d SECONDS, the closed-loop load's size (default 8 and 5), into
# CONNECTIONS and DURATION; -h prints the calling script's header comment.
load_size_flags() {
  CONNECTIONS=8 DURATION=5
  while [[ $# -gt 0 ]]; do
    case "$1" in
      -c) CONNECTIONS="$2"; shift ;;
      -d) DURATION="$2"; shift ;;
      -h|--help) sed -n '2,/^# usage/p' "$0"; exit 0 ;;
      *) echo "$(basename "$0"): unknown argument $1" >&2; exit 2 ;;
    esac
    shift
  done
}

TMP="$(mktemp -d)"
# Every process start() launched, by its pid file: start() runs in a command substitution (a
# subshell), so a list kept in a variable there would never reach this trap.
cleanup() {
  local f
  for f in "$TMP"/*.pid; do
    [[ -e "$f" ]] && kill "$(cat "$f")" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

# Starts "$@" in the background with its output in $TMP/$name.{out,err} and its pid in
# $TMP/$name.pid; prints the port from its first stdout line once it listens.
start() {
  local name="$1"; shift
  "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
  echo $! >"$TMP/$name.pid"
  for _ in $(seq 100); do
    if [[ -s "$TMP/$name.out" ]]; then
      sed -n '1s/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/$name.out"
      return
    fi
    sleep 0.1
  done
  echo "$name did not start: $(cat "$TMP/$name.err")" >&2
  exit 1
}
