#!/usr/bin/env bash
# bench/cache_hit.sh: what an exact cache hit costs through one ringgate shard, side by side in
# one run with the same closed-loop load (ringgate-load, C connections, D seconds each):
#   floor   GET /v1/models, answered by the gateway itself: its own per-request floor;
#   hit     a temperature-0 chat completion already in the cache (replayed as JSON);
#   semantic the same question retyped (lower case, no question mark): an exact miss, embedded by
#           the local embedder and answered by the semantic cache (replayed as JSON);
#   proxied the same request with x-ringgate-cache: no, forwarded to the mock upstream.
# For each: requests/s, p50/p99 latency, and the gateway process's CPU per request (every
# thread's schedstat time on cpu over the measured run / requests). The goals (issue 12): a hit
# at most half a proxied request's CPU, and the hit's latency over the floor. The last lines give
# the ratios of hit and semantic CPU per request to the proxied one.
#
# usage: BUILD=build bench/cache_hit.sh [-c CONNECTIONS] [-d SECONDS]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bench/quick_gateway.sh"
load_size_flags "$@"

MOCK_PORT="$(start mock "$MOCK" --listen 127.0.0.1:0 --tokens 20)"
cat >"$TMP/ringgate.toml" <<TOML
[server]
shards = 1
[auth]
mode = "none"
[cache]
enabled = true
[cache.semantic]
enabled = true
default_threshold = 0.9
[[upstreams]]
name = "mock"
url = "http://127.0.0.1:$MOCK_PORT/v1"
[[models]]
name = "gpt-4o-mini"
upstream = "mock"
TOML
GW_PORT="$(start ringgate "$RINGGATE" serve --config "$TMP/ringgate.toml" --listen 127.0.0.1:0)"
GW_PID="$(cat "$TMP/ringgate.pid")"
URL="http://127.0.0.1:$GW_PORT"
BODY='{"model":"gpt-4o-mini","temperature":0,"max_tokens":64,"messages":[{"role":"user","content":"What is the capital of France?"}]}'
RETYPED='{"model":"gpt-4o-mini","temperature":0,"max_tokens":64,"messages":[{"role":"user","content":"what is the capital of france"}]}'

# Nanoseconds on cpu summed over every thread of the gateway.
cpu_ns() {
  local t total=0
  for t in /proc/"$GW_PID"/task/*; do
    total=$(( total + $(cut -d' ' -f1 "$t/schedstat" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}

# One row: name, then ringgate-load arguments.
row() {
  local name="$1"; shift
  "$LOAD" "$@" -c "$CONNECTIONS" -t 1 -d 1 --json >/dev/null  # warm-up, not measured
  local before after
  before="$(cpu_ns)"
  "$LOAD" "$@" -c "$CONNECTIONS" -t 1 -d "$DURATION" --json >"$TMP/$name.json"
  after="$(cpu_ns)"
  jq -r --arg n "$name" --argjson ns "$(( after - before ))" \
    '"\($n)\t\(.rps | floor)\t\(.latency_us.p50)\t\(.latency_us.p99)\t\(.errors)\t\(if .requests > 0 then ($ns / 1000 / .requests * 100 | round / 100) else "-" end)"' \
    "$TMP/$name.json"
}

metric() { curl -s "$URL/metrics" | sed -n "s/^$1 //p"; }
# The entry the hit row reads; its vector is inserted off the shard, so wait for it (10 s).
curl -sf -o /dev/null "$URL/v1/chat/completions" -H 'content-type: application/json' -d "$BODY"
for _ in $(seq 1000); do [[ "$(metric ringgate_semantic_cache_entries)" == 1 ]] && break; sleep 0.01; done
[[ "$(curl -s -D - -o /dev/null "$URL/v1/chat/completions" -H 'content-type: application/json' \
  -d "$RETYPED" | tr -d '\r' | sed -n 's/^x-ringgate-cache: //p')" == semantic ]] ||
  { echo "bench/cache_hit.sh: the retyped request is no semantic hit" >&2; exit 1; }
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "commit: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo '+dirty')"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(uname -r)"
echo "load: ringgate-load -c $CONNECTIONS -t 1 -d $DURATION (closed loop), one shard, mock --tokens 20"
printf 'row\treq/s\tp50_us\tp99_us\terrors\tcpu_us/req\n'
row floor "$URL/v1/models" -m GET
row hit "$URL/v1/chat/completions" --data "$BODY" -H 'content-type: application/json' | tee "$TMP/hit.row"
row semantic "$URL/v1/chat/completions" --data "$RETYPED" -H 'content-type: application/json' |
  tee "$TMP/semantic.row"
row proxied "$URL/v1/chat/completions" --data "$BODY" -H 'content-type: application/json' \
  -H 'x-ringgate-cache: no' | tee "$TMP/proxied.row"
echo "ringgate_cache_hits_total after the run: $(metric ringgate_cache_hits_total)"
echo "ringgate_semantic_cache_hits_total after the run: $(metric ringgate_semantic_cache_hits_total)"
cpu() { cut -f6 "$TMP/$1.row"; }
echo "cpu ratio hit/proxied: $(echo "scale=3; $(cpu hit) / $(cpu proxied)" | bc)"
echo "cpu ratio semantic/proxied: $(echo "scale=3; $(cpu semantic) / $(cpu proxied)" | bc)"
