#!/usr/bin/env bash
# The queue routing benchmark: 10,000 waiting contacts and 200 operators (mixed languages, case
# kinds and media, every operator at capacity); prints routing decisions per second and the
# arrival-to-offer latency, and compares the p99 with the target (under 5 ms on this machine).
#
#   bench/queue/run.sh [queue_benchmark flags, e.g. --benchmark_filter=RouteOne --no_figures]
#
# Builds Release in build/bench (tests off, benchmarks on), then runs build/bench/bench/queue_benchmark.
# What is measured is explained at the top of bench/queue/queue_benchmark.cpp.
#
# Environment:
#   ENTRIES=10000    contacts kept waiting
#   OPERATORS=200    operators logged in
#   SAMPLES=20000    contacts timed one by one for the latency figures
#   JOBS=N           build jobs (default: Ninja's choice)
#   SKIP_BUILD=1     use build/bench/bench/queue_benchmark as it is
#
# Exit status: 0 the target was met; 1 the build or the run broke; 2 the p99 target was missed.
set -euo pipefail

cd "$(dirname "$0")/../.."
BUILD_DIR=build/bench
BENCH="$BUILD_DIR/bench/queue_benchmark"
TARGET_P99_US=5000

ENTRIES="${ENTRIES:-10000}"
OPERATORS="${OPERATORS:-200}"
SAMPLES="${SAMPLES:-20000}"
for v in ENTRIES OPERATORS SAMPLES; do
  if ! [[ "${!v}" =~ ^[1-9][0-9]*$ ]]; then echo "bench: $v must be a positive integer" >&2; exit 1; fi
done

if [ -z "${SKIP_BUILD:-}" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLIFELINE_TESTS=OFF -DLIFELINE_BENCH=ON
  cmake --build "$BUILD_DIR" --target queue_benchmark ${JOBS:+-j "$JOBS"}
fi
[ -x "$BENCH" ] || { echo "bench: $BENCH not built" >&2; exit 1; }

out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$BENCH" --entries="$ENTRIES" --operators="$OPERATORS" --samples="$SAMPLES" "$@" | tee "$out"

p99=$(sed -n 's/^arrival_to_offer_p99_us=//p' "$out")
freed_p99=$(sed -n 's/^freed_to_offer_p99_us=//p' "$out")
rate=$(sed -n 's/^decisions_per_second=//p' "$out")
if [ -z "$p99" ]; then
  echo "bench: no latency figures (run with the figures on, i.e. without --no_figures)" >&2
  exit 1
fi
echo
echo "== queue routing: $ENTRIES waiting, $OPERATORS operators =="
echo "routing decisions per second:   $rate"
echo "arrival-to-offer p99:           $p99 us   (target < $TARGET_P99_US us)"
echo "operator-freed-to-offer p99:    $freed_p99 us"
if awk -v p="$p99" -v t="$TARGET_P99_US" 'BEGIN { exit !(p < t) }'; then
  awk -v p="$p99" -v t="$TARGET_P99_US" 'BEGIN { printf "target met: p99 %.1f us is %.0fx under %d us\n", p, t / p, t }'
  exit 0
fi
echo "target MISSED: p99 $p99 us >= $TARGET_P99_US us"
exit 2
