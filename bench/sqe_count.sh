#!/usr/bin/env bash
# bench/sqe_count.sh: io_uring work per proxied request, counted by the kernel's own tracepoints
# (perf stat on io_uring:io_uring_submit_req and io_uring_complete) over a fixed number of
# requests through one shard in quick mode to the mock upstream, on loopback. Counts, not times,
# so the figure holds on a busy machine.
#
#   BUILD=build bench/sqe_count.sh [-n REQUESTS] [--stream] [--ringgate PATH]
#
# --ringgate runs another build's gateway (e.g. an older commit's) with this build's mock and load
# generator, so two commits are counted side by side. Needs perf (Debian's linux-perf).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
REQUESTS=20000
STREAM=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) REQUESTS="$2"; shift ;;
    --stream) STREAM=true ;;
    --ringgate) RINGGATE="$2"; shift ;;  # read by quick_gateway.sh
    *) echo "usage: bench/sqe_count.sh [-n REQUESTS] [--stream] [--ringgate PATH]" >&2; exit 2 ;;
  esac
  shift
done
source "$ROOT/bench/quick_gateway.sh"
command -v perf >/dev/null || { echo "perf not found (apt install linux-perf)" >&2; exit 1; }

MOCK_PORT="$(start mock "$MOCK" --listen 127.0.0.1:0)"
GW_PORT="$(start ringgate "$RINGGATE" serve --upstream "http://127.0.0.1:$MOCK_PORT/v1" \
  --shards 1 --listen 127.0.0.1:0)"
GW_PID="$(cat "$TMP/ringgate.pid")"
BODY="{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":$STREAM}"
URL="http://127.0.0.1:$GW_PORT/v1/chat/completions"
LOADARGS=("$URL" --data "$BODY" -c 32 -t 1 --timeout 30000)
$STREAM && LOADARGS+=(--stream)

"$LOAD" "${LOADARGS[@]}" -n 2000 >/dev/null  # warm-up: pools, buffers, keep-alive connections
perf stat -x, -o "$TMP/perf.csv" -p "$GW_PID" \
  -e io_uring:io_uring_submit_req,io_uring:io_uring_complete,syscalls:sys_enter_io_uring_enter \
  -- "$LOAD" "${LOADARGS[@]}" -n "$REQUESTS" >"$TMP/load.out"
count() { awk -F, -v ev="$1" '$3 == ev { print $1 }' "$TMP/perf.csv"; }
SUBMIT=$(count io_uring:io_uring_submit_req)
COMPLETE=$(count io_uring:io_uring_complete)
ENTER=$(count syscalls:sys_enter_io_uring_enter)
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "commit: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo +dirty)"
echo "gateway: $RINGGATE (1 shard, quick mode), stream=$STREAM, $REQUESTS requests, 32 connections"
grep -E 'requests in|errors' "$TMP/load.out" | sed 's/^/  /'
awk -v s="$SUBMIT" -v c="$COMPLETE" -v e="$ENTER" -v n="$REQUESTS" 'BEGIN {
  printf "SQEs/request %.2f  CQEs/request %.2f  io_uring_enter/request %.2f\n", s / n, c / n, e / n }'
