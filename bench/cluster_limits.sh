#!/usr/bin/env bash
# bench/cluster_limits.sh: what fleet-wide limits cost. One mock upstream, one redis-server and
# two ringgate nodes with the same key and limits, one of them with [cluster] (limits shared
# through Redis leases), the other with local limits only. The same open-loop load runs through
# each in turn (same run, same machine); prints governed CPU per request of each gateway process
# (utime + stime from /proc), their ratio, and Redis commands per second for the cluster node
# (INFO commandstats before and after: the EVAL, EVALSHA and PING calls it sends; the commands
# its lease script runs inside Redis are listed apart).
#
# usage: BUILD=build bench/cluster_limits.sh [-R RATE] [-d SECONDS] [-s SLICE] [-r ROUNDS]
set -euo pipefail

RATE=1000
DURATION=10
SLICE=100
ROUNDS=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    -R) RATE="$2"; shift ;;
    -d) DURATION="$2"; shift ;;
    -s) SLICE="$2"; shift ;;
    -r) ROUNDS="$2"; shift ;;
    -h|--help) sed -n 2,9p "$0"; exit 0 ;;
    *) echo "bench/cluster_limits.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bench/quick_gateway.sh"
command -v redis-server >/dev/null || { echo "redis-server is not installed (tools/setup.sh)" >&2; exit 1; }

REDIS_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" \
  >"$TMP/redis.out" 2>&1 &
echo $! >"$TMP/redis.pid"
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" PING >/dev/null 2>&1 && break; sleep 0.1; done

MOCK_PORT="$(start mock "$MOCK" --listen 127.0.0.1:0)"
KEY="rgk-bench-cluster-0123456789abcdef0123"
SHA="$(printf '%s' "$KEY" | sha256sum | cut -d' ' -f1)"
# A limit no run reaches: the cost measured is the bookkeeping, never a refusal.
config() {
  cat <<TOML
[server]
shards = 1
[[keys]]
id = "bench"
sha256 = "$SHA"
limits = { rpm = 100000000 }
[[upstreams]]
name = "mock"
url = "http://127.0.0.1:$MOCK_PORT/v1"
format = "openai"
[[models]]
name = "gpt-4o-mini"
upstream = "mock"
TOML
}
config >"$TMP/local.toml"
{ config; printf '[cluster]\nredis = "127.0.0.1:%s"\nnode_id = "bench"\nslice = %s\n' "$REDIS_PORT" "$SLICE"; } \
  >"$TMP/cluster.toml"
LOCAL_PORT="$(start local "$RINGGATE" serve --config "$TMP/local.toml" --listen 127.0.0.1:0)"
CLUSTER_PORT="$(start cluster "$RINGGATE" serve --config "$TMP/cluster.toml" --listen 127.0.0.1:0)"

cpu_ticks() { awk '{ sub(/.*\) /, ""); split($0, f, " "); print f[12] + f[13] }' "/proc/$1/stat"; }
# The fleet thread's own ticks (0 for a gateway without one).
fleet_ticks() {
  local t
  for t in /proc/"$1"/task/*; do
    if [[ "$(cat "$t/comm")" == rg-fleet ]]; then cpu_ticks "$1/task/${t##*/}"; return; fi
  done
  echo 0
}
redis_calls() {
  redis-cli -p "$REDIS_PORT" INFO commandstats |
    awk -F'[:=,]' '$1 ~ /^cmdstat_(eval|evalsha|ping)$/ { n += $3 } END { print n + 0 }'
}
BODY='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":16}'
# One run through the gateway on $1 (its pid in $TMP/$2.pid); prints "requests ticks".
run() {
  local pid; pid="$(cat "$TMP/$2.pid")"
  local t0; t0="$(cpu_ticks "$pid")"
  local f0; f0="$(fleet_ticks "$pid")"
  local out
  out="$("$LOAD" "http://127.0.0.1:$1/v1/chat/completions" --data "$BODY" -H "authorization: Bearer $KEY" \
    -c 32 -t 1 -R "$RATE" -d "$DURATION" --json)"
  local t1; t1="$(cpu_ticks "$pid")"
  local f1; f1="$(fleet_ticks "$pid")"
  local n; n="$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["requests"])' "$out")"
  local errs; errs="$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d.get("errors", {}))' "$out")"
  echo "$n $((t1 - t0)) $((f1 - f0)) $errs"
}

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "commit: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo '+dirty')"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(uname -r)"
echo "load: ringgate-load -c 32 -t 1 -R $RATE -d $DURATION (open loop), slice $SLICE, $ROUNDS alternating rounds"
"$LOAD" "http://127.0.0.1:$LOCAL_PORT/v1/chat/completions" --data "$BODY" -H "authorization: Bearer $KEY" -c 8 -n 500 >/dev/null
"$LOAD" "http://127.0.0.1:$CLUSTER_PORT/v1/chat/completions" --data "$BODY" -H "authorization: Bearer $KEY" -c 8 -n 500 >/dev/null
# Alternating rounds, so drift on a shared machine hits both sides alike.
L_N=0; L_T=0; C_N=0; C_T=0; C_F=0; R=0
for round in $(seq "$ROUNDS"); do
  read -r n t _ _ <<<"$(run "$LOCAL_PORT" local)"; L_N=$((L_N + n)); L_T=$((L_T + t))
  r0="$(redis_calls)"
  read -r n t f _ <<<"$(run "$CLUSTER_PORT" cluster)"; C_N=$((C_N + n)); C_T=$((C_T + t)); C_F=$((C_F + f))
  r1="$(redis_calls)"; R=$((R + r1 - r0))
done
python3 - "$L_N" "$L_T" "$C_N" "$C_T" "$R" "$((DURATION * ROUNDS))" "$C_F" <<'PY'
import sys
ln, lt, cn, ct, r, d, cf = (float(x) for x in sys.argv[1:])
lus, cus = lt * 10000 / ln, ct * 10000 / cn  # ticks are 10 ms
print(f"local limits:   {int(ln)} requests, {lus:.1f} us CPU per request (gateway process)")
print(f"cluster limits: {int(cn)} requests, {cus:.1f} us CPU per request (gateway process)")
print(f"  of which the fleet thread: {cf * 10000 / cn:.1f} us per request ({cf * 10 / d:.1f} ms CPU per s)")
print(f"cluster / local CPU per request: {cus / lus:.3f}")
print(f"redis commands: {int(r)} in {d:.0f} s = {r / d:.1f}/s for {cn / d:.0f} requests/s on the node")
PY
echo "redis commandstats:"
redis-cli -p "$REDIS_PORT" INFO commandstats | grep -v '^cmdstat_info' | sed -n 's/^cmdstat_\([a-z]*\):calls=\([0-9]*\).*/  \1 \2/p'
