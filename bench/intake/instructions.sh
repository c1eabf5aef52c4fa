#!/usr/bin/env bash
# Instructions per application: the intake path's user-space cost, counted by Callgrind, which
# (unlike wall-clock rates on a shared two-core machine) does not vary from run to run by more
# than a few per cent. For comparing one change against another; bench/intake/run.sh gives rates.
#
#   bench/intake/instructions.sh            # the same POST /apply as run.sh
#   VARIANT=invalid bench/intake/instructions.sh   # the 422 form path, nothing stored
#
# Builds a Release lifeline (build/bench) unless SKIP_BUILD=1, serves a fresh data directory
# under valgrind --tool=callgrind with instrumentation off, warms up for 5 s with wrk, then
# counts while wrk (1 thread, 16 connections) sends applications for DURATION seconds (15), and
# prints the instructions executed by every thread of lifeline divided by the requests answered,
# with the ten costliest functions (inclusive). KEEP=1 keeps the callgrind output.
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
DURATION="${DURATION:-15}"
BUILD_DIR="$ROOT/build/bench"
LIFELINE="$BUILD_DIR/src/app/lifeline"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
command -v valgrind >/dev/null 2>&1 || missing+=(valgrind)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ "${#missing[@]}" -gt 0 ]; then
  scripts/install-deps.sh
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -x "$LIFELINE" ]; then
  timeout 3600 cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLIFELINE_TESTS=OFF \
    -DLIFELINE_BENCH=OFF >/dev/null
  timeout 3600 cmake --build "$BUILD_DIR" --target lifeline
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/lifeline-instructions.XXXXXX")"
PID=""
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill "$PID" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

"$LIFELINE" init --data "$TMP/data" >"$TMP/init.out" 2>&1
printf '[site]\nsubmissions_per_client = 1e9\nsubmissions_per_contact = 1e9\nlookups_per_client = 1e9\n' >"$TMP/lifeline.toml"
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$TMP/callgrind.out" \
  "$LIFELINE" serve --data "$TMP/data" --listen 127.0.0.1:0 --config "$TMP/lifeline.toml" \
  >"$TMP/serve.out" 2>"$TMP/serve.err" &
PID=$!
PORT=""
for _ in $(seq 1200); do
  PORT="$(sed -n 's/^listening on \([0-9][0-9]*\)$/\1/p' "$TMP/serve.out" | head -n1)"
  [ -n "$PORT" ] && break
  kill -0 "$PID" 2>/dev/null || { cat "$TMP/serve.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$PORT" ] || { echo "lifeline did not start under valgrind" >&2; exit 1; }

curl -sS --max-time 60 -D "$TMP/form.headers" -o "$TMP/form.html" "http://127.0.0.1:$PORT/apply"
BENCH_FORM_COOKIE="$(tr -d '\r' <"$TMP/form.headers" | sed -n 's/^[Ss]et-[Cc]ookie: *\([^;]*lifeline_form=[^;]*\).*/\1/p' | head -n1)"
BENCH_CSRF_TOKEN="$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$TMP/form.html" | head -n1)"
export BENCH_FORM_COOKIE BENCH_CSRF_TOKEN BENCH_PATH=/apply BENCH_VARIANT="${VARIANT:-}"
WRK=(wrk -t1 -c16 --timeout 30s -s "$ROOT/bench/intake/post.lua" "http://127.0.0.1:$PORT/apply")
"${WRK[@]}" -d5s >"$TMP/warm.txt" 2>&1
callgrind_control -i on "$PID" >/dev/null 2>&1
"${WRK[@]}" -d"${DURATION}s" >"$TMP/wrk.txt" 2>&1
callgrind_control -i off "$PID" >/dev/null 2>&1
REQUESTS="$(sed -n 's/^BENCH requests=\([0-9]*\).*/\1/p' "$TMP/wrk.txt")"
kill -TERM "$PID"
wait "$PID" || true
PID=""

TOTAL="$(callgrind_annotate "$TMP/callgrind.out" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)"
[ -n "$TOTAL" ] && [ "${REQUESTS:-0}" -gt 0 ] || { echo "no count" >&2; exit 1; }
echo "lifeline $(git rev-parse --short HEAD) POST /apply${VARIANT:+ ($VARIANT)}: $REQUESTS requests under callgrind"
echo "instructions per request (all threads, user space): $((TOTAL / REQUESTS))"
echo "costliest functions, inclusive (instructions per request):"
callgrind_annotate --inclusive=yes "$TMP/callgrind.out" 2>/dev/null | sed -n '/file:function/,$p' |
  grep -E 'lifeline::' | grep -v -E 'scheduler|awaitable|executor|strand|Session' | head -n 10 |
  awk -v n="$REQUESTS" '{ v = $1; gsub(",", "", v); $1 = ""; $2 = ""; sub(/^ +/, ""); sub(/^\?\?\?:/, ""); printf "  %8d  %s\n", v / n, substr($0, 1, 110) }'
