#!/usr/bin/env bash
# bench/paced_faults.sh: where a paced stream's memory is first touched. Runs one shard in quick
# mode in front of the mock, holds STREAMS paced streams open (as bench/compare --paced does) and
# samples every page fault of the gateway with its call chain (perf record -e page-faults -g).
# A first-touch fault is a 4 KiB page becoming resident, so faults by call site rank what grows
# the gateway's RSS per stream. Counts, not times: holds on a busy machine.
#
#   BUILD=build bench/paced_faults.sh [--streams N] [-d SECONDS] [--pace-ms MS] [--tokens N]
#
# Needs perf (Debian's linux-perf) allowed to trace the gateway (perf_event_paranoid <= 1 or root).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STREAMS=2000
DURATION=5
PACE_MS=50
TOKENS=20
while [[ $# -gt 0 ]]; do
  case "$1" in
    --streams) STREAMS="$2"; shift ;;
    -d) DURATION="$2"; shift ;;
    --pace-ms) PACE_MS="$2"; shift ;;
    --tokens) TOKENS="$2"; shift ;;
    *) echo "usage: bench/paced_faults.sh [--streams N] [-d SECONDS] [--pace-ms MS] [--tokens N]" >&2; exit 2 ;;
  esac
  shift
done
source "$ROOT/bench/quick_gateway.sh"
command -v perf >/dev/null || { echo "perf not found (apt install linux-perf)" >&2; exit 1; }
FD_NEED=$(( 2 * STREAMS + 1024 ))
(( $(ulimit -Sn) >= FD_NEED )) || ulimit -Sn "$FD_NEED"

MOCK_PORT="$(start mock "$MOCK" --listen 127.0.0.1:0)"
GW_PORT="$(start ringgate "$RINGGATE" serve --upstream "http://127.0.0.1:$MOCK_PORT/v1" \
  --shards 1 --listen 127.0.0.1:0)"
GW_PID="$(cat "$TMP/ringgate.pid")"
kib() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$GW_PID/status"; }
IDLE="$(kib VmRSS)"
BODY='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":true}'
perf record -q -m 32M -e page-faults -c 1 --call-graph dwarf,4096 -o "$TMP/perf.data" -p "$GW_PID" -- \
  "$LOAD" "http://127.0.0.1:$GW_PORT/v1/chat/completions" --data "$BODY" --stream -c "$STREAMS" \
  -t 1 -d "$DURATION" --timeout 30000 -H "x-mock-interval-ms: $PACE_MS" -H "x-mock-tokens: $TOKENS" \
  >"$TMP/load.out" 2>"$TMP/load.err"
PEAK="$(kib VmHWM)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "commit: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo +dirty)"
echo "gateway: $RINGGATE (1 shard, quick mode), $STREAMS streams of $TOKENS tokens ${PACE_MS} ms apart, ${DURATION} s"
grep -E 'requests in|errors' "$TMP/load.out" | sed 's/^/  /'
FAULTS="$(perf script -i "$TMP/perf.data" -F period 2>/dev/null | awk '{ n += $1 } END { print n + 0 }')"
awk -v i="$IDLE" -v p="$PEAK" -v s="$STREAMS" -v f="${FAULTS:-0}" 'BEGIN {
  printf "RSS idle %.1f MiB, peak %.1f MiB: %.1f KiB per stream; %d page faults = %.1f KiB per stream\n",
    i / 1024, p / 1024, (p - i) / s, f, f * 4 / s }'
echo "page faults by what touched the page and the first gateway function on the stack:"
[[ -n "${KEEP_PERF_DATA:-}" ]] && cp "$TMP/perf.data" "$KEEP_PERF_DATA"
perf script -i "$TMP/perf.data" -F ip,sym,dso 2>/dev/null | awk -v s="$STREAMS" '
  function flush() {
    if (n) { k = leaf "  " (gw == "" ? "(no gateway frame)" : gw); c[k]++ }
    n = 0; leaf = ""; gw = ""
  }
  /^[ \t]*$/ { flush(); next }
  {
    n++
    if (n == 1) {
      if ($0 ~ /kernel.kallsyms/) leaf = "kernel"
      else if ($0 ~ /libmimalloc/) leaf = "heap"
      else if ($0 ~ /memset/) leaf = "memset"
      else leaf = "code"
    }
    if (leaf == "kernel" && $0 ~ / io_recv /) leaf = "recv"
    if (gw == "" && $0 ~ / ringgate::/) {
      f = $0; sub(/^[ \t]*[0-9a-f]+ /, "", f); sub(/ \(.*$/, "", f); gw = f
    }
  }
  END {
    flush()
    for (k in c) t += c[k]
    for (k in c) if (c[k] * 100 >= t) printf "%7d  %5.1f KiB/stream  %s\n", c[k], c[k] * 4 / s, k
  }' | sort -rn
echo "(heap: mimalloc making a fresh page usable for the allocation; recv: the kernel copying"
echo " received bytes into a buffer; memset: zero-filling; code: the gateway writing an object)"
