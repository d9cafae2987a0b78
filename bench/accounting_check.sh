#!/usr/bin/env bash
# bench/accounting_check.sh [N]: does the ledger equal what the upstream reported? Runs N streamed
# requests (default 10000) through ringgate and the mock upstream, mixed over OpenAI pass-through
# (with and without stream_options.include_usage), OpenAI client -> Anthropic-format upstream and
# Anthropic client -> OpenAI-format upstream, each with its own x-request-id; stops the gateway
# with SIGTERM and compares each ledger row (`ringgate usage --rows`) with the usage object the
# mock logged for that request (input, output, cached tokens and the cost from the prices).
# Prints `rows matched: X / N (P%)`, per path, and every mismatch; exits 1 unless all matched.
# environment: BUILD (build directory, default "build", relative to the repo root).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${BUILD:-build}"
[[ "$BUILD" = /* ]] || BUILD="$ROOT/$BUILD"
export RINGGATE_BIN="$BUILD/tools/cli/ringgate"
export MOCK_BIN="$BUILD/tools/mock_upstream/ringgate-mock-upstream"
for b in "$RINGGATE_BIN" "$MOCK_BIN"; do
  [[ -x "$b" ]] || { echo "bench/accounting_check.sh: $b is not built (ninja -C $BUILD)" >&2; exit 1; }
done
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown), load average $(cut -d' ' -f1-3 /proc/loadavg)"
exec node "$ROOT/bench/accounting_check.js" "${1:-10000}"
