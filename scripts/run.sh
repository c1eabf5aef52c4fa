#!/usr/bin/env bash
# Installs what lifeline needs, builds it, initialises ./data on first use (printing the first
# administrator's one-time password once) and serves on 127.0.0.1:8080.
#   LIFELINE_DATA=/path/to/data  LIFELINE_LISTEN=127.0.0.1:8080  scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DLIFELINE_TESTS=OFF -DLIFELINE_BENCH=OFF
cmake --build build/release --target lifeline
(cd console && npm ci --no-audit --no-fund && npm run build)

DATA="${LIFELINE_DATA:-$PWD/data}"
if [ ! -f "$DATA/secrets" ]; then
  build/release/src/app/lifeline init --data "$DATA"
fi
exec build/release/src/app/lifeline serve --data "$DATA" --listen "${LIFELINE_LISTEN:-127.0.0.1:8080}"
