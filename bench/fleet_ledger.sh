#!/usr/bin/env bash
# bench/fleet_ledger.sh: the fleet ledger's cost, side by side in one run. Two gateways with the
# same SQLite ledger in front of the mock, one of them also shipping to a local PostgreSQL
# (started here; as `nobody` when run as root), each under the same closed-loop load
# (ringgate-load, C connections, D seconds). For each: requests/s, the accounting path's CPU per
# request (threads rg-accounting + rg-ledger: what the shipper must not slow), the shipper
# thread's (rg-ledger-pg), the whole process's, and for the shipping one the rows it shipped per
# second from the load's start until PostgreSQL held every row.
#
# usage: BUILD=build bench/fleet_ledger.sh [-c CONNECTIONS] [-d SECONDS]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bench/quick_gateway.sh"
load_size_flags "$@"
PG_BIN="${PG_BIN_DIR:-/usr/lib/postgresql/15/bin}"

# PostgreSQL refuses root: then it runs as nobody, in a dir nobody owns.
PG_DIR="$(mktemp -d /tmp/ringgate-bench-pg.XXXXXX)"
as_pg() { if [[ "$(id -u)" = 0 ]]; then runuser -u nobody -- "$@"; else "$@"; fi; }
[[ "$(id -u)" = 0 ]] && chown nobody:nogroup "$PG_DIR"
PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
stop_pg() {
  (cd /tmp && as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1) || true
  rm -rf "$PG_DIR"
  cleanup
}
trap stop_pg EXIT
(cd /tmp && as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U ringgate --auth=trust -E UTF8 --no-sync >/dev/null)
(cd /tmp && as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -o \
  "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null)
export RINGGATE_PG_URL="host=127.0.0.1 port=$PG_PORT dbname=postgres user=ringgate"
psql_count() {
  "$PG_BIN/psql" -X -A -t -h 127.0.0.1 -p "$PG_PORT" -U ringgate -d postgres \
    -c "SELECT count(*) FROM requests" 2>/dev/null || echo 0
}

MOCK_PORT="$(start mock "$MOCK" --listen 127.0.0.1:0 --tokens 20)"
config() {  # name, extra [ledger] lines
  cat >"$TMP/$1.toml" <<TOML
[server]
shards = 1
[auth]
mode = "none"
[ledger]
path = "$TMP/$1.db"
$2
[[upstreams]]
name = "mock"
url = "http://127.0.0.1:$MOCK_PORT/v1"
[[models]]
name = "gpt-4o-mini"
upstream = "mock"
TOML
}
config off ""
config on $'postgres = "env:RINGGATE_PG_URL"\nnode = "bench"'

# Nanoseconds on cpu of the gateway's threads whose name matches $2 (all: ".").
cpu_ns() {
  local t total=0
  for t in /proc/"$1"/task/*; do
    grep -qE "$2" "$t/comm" 2>/dev/null || continue
    total=$(( total + $(cut -d' ' -f1 "$t/schedstat" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}

BODY='{"model":"gpt-4o-mini","max_tokens":20,"messages":[{"role":"user","content":"hello"}]}'
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "commit: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo '+dirty')"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(uname -r)"
echo "load: ringgate-load -c $CONNECTIONS -t 1 -d $DURATION (closed loop), one shard, mock --tokens 20"
printf 'row\treq/s\taccounting_us/req\tshipper_us/req\tprocess_us/req\tshipped_rows/s\n'
for name in off on; do
  port="$(start "gw-$name" "$RINGGATE" serve --config "$TMP/$name.toml" --listen 127.0.0.1:0)"
  pid="$(cat "$TMP/gw-$name.pid")"
  url="http://127.0.0.1:$port/v1/chat/completions"
  acc0="$(cpu_ns "$pid" '^rg-(accounting|ledger)$')"; pg0="$(cpu_ns "$pid" '^rg-ledger-pg$')"
  all0="$(cpu_ns "$pid" .)"; t0="$(date +%s%N)"
  "$LOAD" "$url" --data "$BODY" -H 'content-type: application/json' -c "$CONNECTIONS" -t 1 \
    -d "$DURATION" --json >"$TMP/$name.json"
  requests="$(jq .requests "$TMP/$name.json")"
  shipped=-
  if [[ "$name" = on ]]; then  # until PostgreSQL holds every row (the ledger's last flush too)
    for _ in $(seq 600); do
      [[ "$(psql_count)" -ge "$requests" ]] && break
      sleep 0.05
    done
    shipped="$(( $(psql_count) * 1000000000 / ( $(date +%s%N) - t0 ) ))"
  fi
  acc="$(( $(cpu_ns "$pid" '^rg-(accounting|ledger)$') - acc0 ))"
  pgc="$(( $(cpu_ns "$pid" '^rg-ledger-pg$') - pg0 ))"
  all="$(( $(cpu_ns "$pid" .) - all0 ))"
  per() { awk -v ns="$1" -v n="$requests" 'BEGIN { printf "%.2f", n ? ns / 1000 / n : 0 }'; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$(jq '.rps | floor' "$TMP/$name.json")" \
    "$(per "$acc")" "$(per "$pgc")" "$(per "$all")" "$shipped"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
