#!/usr/bin/env bash
# bench/concurrency.sh: N concurrent streams (default 1000) through one ringgate shard with its
# default configuration (quick mode) to one mock upstream, on loopback, for a bounded duration.
# Each stream lasts about a second (20 events, 50 ms apart), so all N are open at once; with
# the default pool bound (1024 per shard) and its queue none of them should get a 503.
# Prints the date, commit, machine, the command and ringgate-load's report.
#
# usage: BUILD=build bench/concurrency.sh [-c STREAMS] [-d SECONDS]
set -euo pipefail

STREAMS=1000
DURATION=5
while [[ $# -gt 0 ]]; do
  case "$1" in
    -c) STREAMS="$2"; shift ;;
    -d) DURATION="$2"; shift ;;
    -h|--help) sed -n 2,8p "$0"; exit 0 ;;
    *) echo "bench/concurrency.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bench/quick_gateway.sh"

# The load generator, the mock and the gateway each hold one descriptor per stream.
ulimit -n "$(ulimit -Hn)"
MOCK_PORT="$(start mock "$MOCK" --listen 127.0.0.1:0)"
GW_PORT="$(start ringgate "$RINGGATE" serve --upstream "http://127.0.0.1:$MOCK_PORT/v1" \
  --shards 1 --listen 127.0.0.1:0)"

BODY='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":true}'
CMD=("$LOAD" "http://127.0.0.1:$GW_PORT/v1/chat/completions" --data "$BODY" --stream
     -c "$STREAMS" -t 1 -d "$DURATION" --warmup 1 --timeout 30000
     -H 'x-mock-tokens: 20' -H 'x-mock-interval-ms: 50')
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "commit: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo '+dirty')"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(uname -r)"
echo "gateway: ringgate serve --upstream http://127.0.0.1:$MOCK_PORT/v1 --shards 1 (defaults)"
echo "command: ringgate-load ... --stream -c $STREAMS -t 1 -d $DURATION --warmup 1 -H 'x-mock-tokens: 20' -H 'x-mock-interval-ms: 50'"
"${CMD[@]}"
