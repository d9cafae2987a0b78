#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running gateway:
# installs packages, builds, and serves on 127.0.0.1:8080.
#   - no provider key in the environment: the example config, routed to the bundled mock upstream
#   - OPENAI_API_KEY set: quick mode in front of api.openai.com
#   - ANTHROPIC_API_KEY set (and no OpenAI key): quick mode in front of api.anthropic.com
# Extra arguments go to `ringgate serve` (e.g. --shards 2).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh
BUILD=${BUILD:-build}
RINGGATE="$BUILD/tools/cli/ringgate"

if [ -n "${OPENAI_API_KEY:-}" ]; then
  exec "$RINGGATE" serve --listen 127.0.0.1:8080 --upstream https://api.openai.com/v1 \
    --upstream-key env:OPENAI_API_KEY "$@"
fi
if [ -n "${ANTHROPIC_API_KEY:-}" ]; then
  exec "$RINGGATE" serve --listen 127.0.0.1:8080 --upstream https://api.anthropic.com/v1 \
    --upstream-key env:ANTHROPIC_API_KEY --upstream-format anthropic "$@"
fi

# The example config expects the mock upstream on 127.0.0.1:9099.
"$BUILD/tools/mock_upstream/ringgate-mock-upstream" --listen 127.0.0.1:9099 >/dev/null &
MOCK=$!
trap 'kill $MOCK 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fsS -o /dev/null http://127.0.0.1:9099/v1/models 2>/dev/null && break
  sleep 0.1
done
echo "mock upstream on 127.0.0.1:9099; try:"
echo "  curl http://127.0.0.1:8080/v1/chat/completions -H 'content-type: application/json' \\"
echo "    -d '{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}'"
"$RINGGATE" serve --config ringgate.example.toml "$@"
