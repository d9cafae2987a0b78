#!/usr/bin/env bash
# Configures (once) and builds ringgate into ./build (release). Used by run.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" --buildtype=release >/dev/null
ninja -C "$BUILD"
