#!/usr/bin/env bash
# Installs what the tests need, builds everything with AddressSanitizer and
# UndefinedBehaviorSanitizer, and runs every test with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --test

(cd console && npm ci --no-audit --no-fund && npm run build)
(cd e2e && npm ci --no-audit --no-fund)

BUILD=build/test
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLIFELINE_SANITIZE=ON -DLIFELINE_TESTS=ON -DLIFELINE_BENCH=ON -DLIFELINE_REQUIRE_E2E=ON
cmake --build "$BUILD" -j "$(nproc)"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LIFELINE_FAST_KDF=1
ctest --test-dir "$BUILD" --output-on-failure -j "$(nproc)" --timeout 300
