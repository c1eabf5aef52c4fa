#!/usr/bin/env bash
# The intake benchmark: complete surrender applications through the public form path.
#
#   bench/intake/run.sh
#
# Builds a Release lifeline (build/bench), creates a throw-away data directory, serves it on a
# free loopback port with the [site] rate limits lifted, takes a form token and cookie with
# GET /apply, then drives POST /apply with wrk (bench/intake/post.lua: the urlencoded form with
# a ~500-byte Cyrillic free text and a different contact per request), in rounds that alternate
# with nginx answering the same POST with 204 under the identical wrk command. nginx listens on
# two loopback ports: one with `reuseport` (the reference the target is judged against: each
# worker has its own socket and the kernel deals the connections out evenly) and one with
# nginx's plain `listen` (the workers share one socket), whose rate is printed for information:
# on two cores shared with wrk it jumps between two modes from one load to the next, as the
# connections happen to fall on its workers (docs/performance.md). After the rounds, lifeline
# is stopped and the database is checked: every application wrk saw acknowledged (200 with a
# receipt) must be a case in the database with its sealed message, and no field value may be
# found in clear in any database file or in the server's output; lifeline is then started again
# on the same data and one application is read back by its receipt.
#
# Environment:
#   DURATION=15      seconds of load on each server, in ROUNDS rounds
#   ROUNDS=3         the loads alternate lifeline, nginx (reuseport), nginx (plain), lifeline, ...
#   CONNECTIONS=64   wrk connections
#   THREADS=2        wrk threads
#   BREAKDOWN=1      also run the same load with an invalid group_size (lifeline parses, checks
#                    the token, validates and answers 422, storing nothing): the cost of the
#                    form path without intake; 0 skips it
#   STOP_SIGNAL=TERM signal that stops lifeline before the count (KILL: no drain, the count
#                    then holds only what was committed when the signal came)
#   REFERENCE=reuseport  the nginx listener the target is judged against: reuseport (the
#                    default: stable) or plain (the shared socket: bimodal on two cores)
#   PLAIN=1          0 skips the loads of the plain listener (REFERENCE must then be reuseport)
#   KEEP=1           keep the temporary directory (data, configs, logs) and print its path
#   SKIP_BUILD=1     use build/bench/src/app/lifeline as it is
#   RESULTS_DIR=...  where the summary and raw outputs go (default build/bench/intake-results)
#
# Exit status: 0 every check and target passed; 1 a correctness check failed (an acknowledged
# application missing, plaintext found, non-2xx answers or socket errors, no read-back) or the
# run broke; 2 the checks passed but a performance target was missed.
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD

DURATION="${DURATION:-15}"
ROUNDS="${ROUNDS:-3}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
BREAKDOWN="${BREAKDOWN:-1}"
STOP_SIGNAL="${STOP_SIGNAL:-TERM}"
RESULTS_DIR="${RESULTS_DIR:-$ROOT/build/bench/intake-results}"
BUILD_DIR="$ROOT/build/bench"
LIFELINE="$BUILD_DIR/src/app/lifeline"
LUA="$ROOT/bench/intake/post.lua"

for v in DURATION ROUNDS CONNECTIONS THREADS; do
  if ! [[ "${!v}" =~ ^[1-9][0-9]*$ ]]; then echo "bench: $v must be a positive integer" >&2; exit 1; fi
done
case "$STOP_SIGNAL" in TERM|KILL) ;; *) echo "bench: STOP_SIGNAL must be TERM or KILL" >&2; exit 1 ;; esac
REFERENCE="${REFERENCE:-reuseport}"
PLAIN="${PLAIN:-1}"
case "$REFERENCE" in reuseport|plain) ;; *) echo "bench: REFERENCE must be reuseport or plain" >&2; exit 1 ;; esac
case "$PLAIN" in 0|1) ;; *) echo "bench: PLAIN must be 0 or 1" >&2; exit 1 ;; esac
if [ "$REFERENCE" = plain ] && [ "$PLAIN" = 0 ]; then echo "bench: REFERENCE=plain needs PLAIN=1" >&2; exit 1; fi
if [ -n "${NGINX_REUSEPORT:-}" ]; then
  echo "bench: NGINX_REUSEPORT is gone: both listeners are measured, REFERENCE picks the judged one" >&2; exit 1
fi

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

# ---- packages -----------------------------------------------------------------------------------

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
scripts/install-deps.sh
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing: ${missing[*]}"
  $SUDO apt-get update -q
  # nginx-light is Debian 12's smallest nginx; fall back to nginx where it does not exist.
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; then
    missing=("${missing[@]/nginx-light/nginx}")
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

# ---- build --------------------------------------------------------------------------------------

if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -x "$LIFELINE" ]; then
  log "building Release lifeline in $BUILD_DIR"
  timeout 3600 cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLIFELINE_TESTS=OFF \
    -DLIFELINE_BENCH=OFF >/dev/null
  timeout 3600 cmake --build "$BUILD_DIR" --target lifeline
fi
[ -x "$LIFELINE" ] || die "no $LIFELINE"

# ---- scratch space, helpers and clean-up --------------------------------------------------------

TMP="$(mktemp -d "${TMPDIR:-/tmp}/lifeline-intake-bench.XXXXXX")"
DATA="$TMP/data"
LIFELINE_PID=""
NGINX_PID=""
TICKS_PER_S="$(getconf CLK_TCK)"

stop_pid() {  # pid signal seconds: signal, wait, then SIGKILL
  local pid=$1 sig=$2 secs=$3
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for _ in $(seq $((secs * 10))); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  stop_pid "$LIFELINE_PID" TERM 15
  stop_pid "$NGINX_PID" QUIT 5
  if [ "${KEEP:-0}" = 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# CPU time (user + system, clock ticks) of the given processes and their direct children.
cpu_ticks() {
  local total=0 p
  for p in "$@" $(for q in "$@"; do pgrep -P "$q" || true; done); do
    [ -r "/proc/$p/stat" ] || continue
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
  done
  echo "$total"
}

# Reads one key=value from the "BENCH ..." line that post.lua's done() prints.
field() { sed -n "s/^BENCH.* $2=\([0-9.]*\).*/\1/p" "$1" | head -n1; }

start_lifeline() {  # label: starts lifeline on DATA, sets LIFELINE_PID and PORT
  "$LIFELINE" serve --data "$DATA" --listen 127.0.0.1:0 --config "$TMP/lifeline.toml" \
    >"$TMP/lifeline-$1.out" 2>"$TMP/lifeline-$1.err" &
  LIFELINE_PID=$!
  PORT=""
  for _ in $(seq 300); do
    PORT="$(sed -n 's/^listening on \([0-9][0-9]*\)$/\1/p' "$TMP/lifeline-$1.out" | head -n1)"
    [ -n "$PORT" ] && return 0
    kill -0 "$LIFELINE_PID" 2>/dev/null || { cat "$TMP/lifeline-$1.err" >&2; die "lifeline exited at start-up"; }
    sleep 0.1
  done
  die "lifeline did not report its port within 30 s"
}

stop_lifeline() {  # signal: stops lifeline, sets LIFELINE_RC
  kill "-$1" "$LIFELINE_PID"
  for _ in $(seq 300); do kill -0 "$LIFELINE_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$LIFELINE_PID" 2>/dev/null; then die "lifeline did not stop within 30 s"; fi
  LIFELINE_RC=0
  wait "$LIFELINE_PID" || LIFELINE_RC=$?
  LIFELINE_PID=""
}

ROUND_S=$(( (DURATION + ROUNDS - 1) / ROUNDS ))
WRK=(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${ROUND_S}s" --timeout 10s --latency -s "$LUA")
run_wrk() {  # output-file url pid...: runs the load, appends "CPU ticks=N" for the pids
  local out=$1 url=$2
  shift 2
  local before after
  # Each load starts on a quiet machine: the write-back of an earlier phase (lifeline's run
  # leaves some 200 MB of database and WAL) would otherwise run during it, on the same two cores.
  sync
  sleep 1
  before=$(cpu_ticks "$@")
  timeout $((ROUND_S + 60)) "${WRK[@]}" "$url" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed: $url"; }
  after=$(cpu_ticks "$@")
  echo "CPU ticks=$((after - before))" >>"$out"
  grep -q '^BENCH ' "$out" || { cat "$out" >&2; die "no summary from post.lua in $out"; }
}
# Sums the rounds' BENCH lines (counts, durations, CPU ticks) into one file of the same form;
# each latency percentile is the worst round's (percentiles cannot be summed).
merge_rounds() {  # out-file round-file...
  local out=$1
  shift
  awk '
    /^BENCH / { for (i = 2; i <= NF; i++) { split($i, kv, "="); k = kv[1]; v = kv[2] + 0
                  if (k ~ /^p[0-9]+_us$|^max_us$/) { if (v > m[k]) m[k] = v }
                  else if (k == "mean_us") { wsum += v * req }
                  else { s[k] += v; if (k == "requests") req = v } }
                next }
    /^CPU ticks=/ { split($0, kv, "="); ticks += kv[2] }
    END {
      printf "BENCH requests=%d duration_us=%d ok2xx=%d receipts=%d s4xx=%d s5xx=%d other=%d ", s["requests"], s["duration_us"], s["ok2xx"], s["receipts"], s["s4xx"], s["s5xx"], s["other"]
      printf "err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d ", s["err_connect"], s["err_read"], s["err_write"], s["err_status"], s["err_timeout"]
      printf "p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d mean_us=%.0f\n", m["p50_us"], m["p90_us"], m["p99_us"], m["p999_us"], m["max_us"], (s["requests"] > 0 ? wsum / s["requests"] : 0)
      printf "CPU ticks=%d\n", ticks
    }' "$@" >"$out"
}
cpu_ms_per_request() {  # wrk-output
  awk -v t="$(sed -n 's/^CPU ticks=//p' "$1")" -v n="$(field "$1" requests)" -v hz="$TICKS_PER_S" \
    'BEGIN { printf "%.3f", (n > 0 ? 1000 * t / hz / n : 0) }'
}

# ---- nginx, the reference (started first: the loads alternate) ---------------------------------
# One nginx, two listeners on adjacent ports: RPORT with reuseport (each worker has a socket of
# its own; the kernel spreads the connections evenly), PPORT with the plain listen (one socket
# that the workers share and take connections from as they wake).

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
mkdir -p "$TMP/nginx/body" "$TMP/nginx/logs"
RPORT=""
PPORT=""
for _ in 1 2 3 4 5; do
  cand=$((20000 + RANDOM % 20000))
  port_free "$cand" && port_free $((cand + 1)) || continue
  cat >"$TMP/nginx/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $TMP/nginx/body;
    client_body_buffer_size 16k;
    keepalive_requests 100000000;
    server {
        listen 127.0.0.1:$cand reuseport;
        listen 127.0.0.1:$((cand + 1));
        location = /apply { return 204; }
    }
}
EOF
  "$NGINX" -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" >"$TMP/nginx/out.log" 2>&1 &
  NGINX_PID=$!
  for _ in $(seq 50); do
    kill -0 "$NGINX_PID" 2>/dev/null || break
    if curl -s -o /dev/null --max-time 1 -X POST -d x "http://127.0.0.1:$cand/apply" &&
       curl -s -o /dev/null --max-time 1 -X POST -d x "http://127.0.0.1:$((cand + 1))/apply"; then
      RPORT=$cand
      PPORT=$((cand + 1))
      break
    fi
    sleep 0.1
  done
  [ -n "$RPORT" ] && break
  stop_pid "$NGINX_PID" QUIT 5
  NGINX_PID=""
done
[ -n "$RPORT" ] || { cat "$TMP/nginx/out.log" "$TMP/nginx/error.log" >&2 2>/dev/null; die "nginx did not start"; }
log "nginx listening on 127.0.0.1:$RPORT (reuseport) and 127.0.0.1:$PPORT (plain)"

# ---- lifeline under load ------------------------------------------------------------------------

mkdir -p "$RESULTS_DIR"
log "lifeline init"
timeout 120 "$LIFELINE" init --data "$DATA" >"$TMP/init.out" 2>&1 || { cat "$TMP/init.out" >&2; die "init failed"; }

# Everything else stays at its default (secure cookies too: the form cookie is then
# "__Host-lifeline_form", which wrk sends like any other Cookie header).
cat >"$TMP/lifeline.toml" <<'EOF'
[site]
# One client address sends every application: lift the per-address and per-contact limits.
submissions_per_client = 1e9
submissions_per_contact = 1e9
lookups_per_client = 1e9
EOF

log "starting lifeline serve"
start_lifeline load
log "lifeline listening on 127.0.0.1:$PORT"

# The form: a fresh token in the hidden field and the cookie it is bound to.
curl -sS --max-time 10 -D "$TMP/form.headers" -o "$TMP/form.html" "http://127.0.0.1:$PORT/apply"
COOKIE="$(tr -d '\r' <"$TMP/form.headers" | sed -n 's/^[Ss]et-[Cc]ookie: *\([^;]*lifeline_form=[^;]*\).*/\1/p' | head -n1)"
TOKEN="$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$TMP/form.html" | head -n1)"
[ -n "$COOKIE" ] || die "GET /apply set no form cookie"
[ -n "$TOKEN" ] || die "GET /apply carried no csrf_token"
export BENCH_CSRF_TOKEN="$TOKEN" BENCH_FORM_COOKIE="$COOKIE" BENCH_PATH=/apply

# One application by curl first: the form path works end to end before the load starts.
CHECK_TEXT="Проверка формы перед нагрузкой."
CHECK_STATUS="$(curl -sS --max-time 10 -o "$TMP/check.html" -w '%{http_code}' -H "Cookie: $COOKIE" \
  --data-urlencode "csrf_token=$TOKEN" --data-urlencode "lang=ru" --data-urlencode "status=mobilised" \
  --data-urlencode "unit=в/ч 71718" --data-urlencode "contact=+7 999 000-00-00" \
  --data-urlencode "free_text=$CHECK_TEXT" "http://127.0.0.1:$PORT/apply")"
CHECK_RECEIPT="$(sed -n 's/.*class="receipt"><code>\([0-9-]*\)<\/code>.*/\1/p' "$TMP/check.html" | head -n1)"
[ "$CHECK_STATUS" = 200 ] && [ -n "$CHECK_RECEIPT" ] ||
  die "the check application got HTTP $CHECK_STATUS without a receipt"

# The loads alternate, ROUNDS times: lifeline, then nginx on each listener, each for
# DURATION / ROUNDS seconds. This machine's speed drifts by a fifth within minutes, and a
# reference measured minutes after the server it judges drifts with it; alternating puts all
# of them under the same drift.
LISTENERS=(reuseport)
[ "$PLAIN" = 1 ] && LISTENERS+=(plain)
log "wrk, ${ROUNDS} rounds of ${ROUND_S} s each against lifeline then nginx (${LISTENERS[*]}): ${WRK[*]}"
for r in $(seq "$ROUNDS"); do
  log "round $r: lifeline"
  run_wrk "$TMP/wrk-lifeline-$r.txt" "http://127.0.0.1:$PORT/apply" "$LIFELINE_PID"
  for l in "${LISTENERS[@]}"; do
    log "round $r: nginx ($l)"
    if [ "$l" = reuseport ]; then p=$RPORT; else p=$PPORT; fi
    run_wrk "$TMP/wrk-nginx-$l-$r.txt" "http://127.0.0.1:$p/apply" "$NGINX_PID"
  done
done
stop_pid "$NGINX_PID" QUIT 10
NGINX_PID=""
merge_rounds "$TMP/wrk-lifeline.txt" "$TMP"/wrk-lifeline-[0-9]*.txt
for l in "${LISTENERS[@]}"; do merge_rounds "$TMP/wrk-nginx-$l.txt" "$TMP"/wrk-nginx-"$l"-[0-9]*.txt; done
# Group commit: how many writes each durable commit carried over the whole run.
curl -sS --max-time 10 -o "$TMP/metrics.txt" "http://127.0.0.1:$PORT/metrics" || true
metric() { sed -n "s/^$1 \([0-9.e+]*\)$/\1/p" "$TMP/metrics.txt" | head -n1; }
COMMITS="$(metric lifeline_store_commits)"
WRITES="$(metric lifeline_store_writes_committed)"
if [ "$BREAKDOWN" != 0 ]; then
  log "wrk against lifeline, invalid group_size (422, nothing stored)"
  BENCH_VARIANT=invalid run_wrk "$TMP/wrk-breakdown-422.txt" "http://127.0.0.1:$PORT/apply" "$LIFELINE_PID"
fi

# Stop lifeline: SIGTERM drains in-flight requests and closes the store.
log "stopping lifeline (SIG$STOP_SIGNAL)"
stop_lifeline "$STOP_SIGNAL"
STOP_RC=$LIFELINE_RC

# ---- durability and encryption ------------------------------------------------------------------

L_LINE="$TMP/wrk-lifeline.txt"
L_2XX=$(field "$L_LINE" ok2xx)
L_RECEIPTS=$(field "$L_LINE" receipts)
L_4XX=$(field "$L_LINE" s4xx)
L_5XX=$(field "$L_LINE" s5xx)
L_OTHER=$(field "$L_LINE" other)
L_ERRS=$(($(field "$L_LINE" err_connect) + $(field "$L_LINE" err_read) + $(field "$L_LINE" err_write) + $(field "$L_LINE" err_timeout)))
L_DUR=$(field "$L_LINE" duration_us)

DB="$DATA/lifeline.db"
CASES=$(sqlite3 -readonly "$DB" 'SELECT count(*) FROM cases')
SEALED=$(sqlite3 -readonly "$DB" "SELECT count(*) FROM messages WHERE kind = 'form'")
BARE=$(sqlite3 -readonly "$DB" 'SELECT count(*) FROM cases WHERE id NOT IN (SELECT case_id FROM messages)')
ACK=$((L_RECEIPTS + 1))  # + the check application sent by curl

# Pieces of what was sent, as UTF-8 bytes: the free text, unit, area, rank and the first
# contacts of both threads (as typed, and as digits). None may appear in any database file
# (main file, WAL, shared memory) nor in the server's output.
NEEDLES=(
  "хотим сдаться все вместе"
  "как подать знак дрону"
  "Меня мобилизовали осенью"
  "в/ч 71718"
  "Работино"
  "стрелок-помощник"
  "$CHECK_TEXT"
  "+7 910 000-00-01"
  "+7 920 000-00-01"
  "79100000001"
  "+7 999 000-00-00"
)
grep_args=()
for n in "${NEEDLES[@]}"; do grep_args+=(-e "$n"); done
# The detector must find what it looks for: check it on a file holding the needles in clear.
printf '%s\n' "${NEEDLES[@]}" >"$TMP/needles.txt"
[ "$(LC_ALL=C grep -a -F -c "${grep_args[@]}" "$TMP/needles.txt")" = "${#NEEDLES[@]}" ] ||
  die "the plaintext detector does not find its own needles"
SCANNED=()
for f in "$DB" "$DB-wal" "$DB-shm" "$DATA/secrets" "$TMP/lifeline-load.out" "$TMP/lifeline-load.err"; do
  [ -e "$f" ] && SCANNED+=("$f")
done
SCANNED_BYTES=$(cat "${SCANNED[@]}" | wc -c)
if LC_ALL=C grep -a -F -l "${grep_args[@]}" "${SCANNED[@]}" >"$TMP/plaintext-hits.txt"; then
  PLAINTEXT=yes
else
  PLAINTEXT=no
fi

# After a restart on the same data, the check application opens with its receipt (only the
# receipt unwraps its case key): what was stored is the sealed application, not noise.
log "restarting lifeline on the same data; reading the check application back by its receipt"
start_lifeline restart
READBACK_STATUS="$(curl -sS --max-time 10 -o "$TMP/readback.html" -w '%{http_code}' -H "Cookie: $COOKIE" \
  --data-urlencode "csrf_token=$TOKEN" --data-urlencode "lang=ru" --data-urlencode "receipt=$CHECK_RECEIPT" \
  "http://127.0.0.1:$PORT/followup")"
READBACK=no
if [ "$READBACK_STATUS" = 200 ] && grep -q -F "$CHECK_TEXT" "$TMP/readback.html"; then READBACK=yes; fi
stop_lifeline TERM

N_LINE="$TMP/wrk-nginx-$REFERENCE.txt"              # the reference
O_LISTENER=plain; [ "$REFERENCE" = plain ] && O_LISTENER=reuseport
O_LINE="$TMP/wrk-nginx-$O_LISTENER.txt"              # the other listener, if measured
N_2XX=$(field "$N_LINE" ok2xx)
N_DUR=$(field "$N_LINE" duration_us)

# ---- report -------------------------------------------------------------------------------------

rm -f "$RESULTS_DIR"/wrk-*.txt  # an earlier run's rounds or breakdown are not this run's
cp "$TMP"/wrk-*.txt "$RESULTS_DIR/"
cp "$TMP/lifeline-load.err" "$RESULTS_DIR/lifeline.log"

rate() { awk -v n="$1" -v us="$2" 'BEGIN { printf "%.0f", n / (us / 1e6) }'; }
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
L_RATE=$(rate "$L_RECEIPTS" "$L_DUR")
N_RATE=$(rate "$N_2XX" "$N_DUR")
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? 100 * a / b : 0) }'; }
RATIO=$(pct "$L_RATE" "$N_RATE")
O_RATE=""
if [ -f "$O_LINE" ]; then O_RATE=$(rate "$(field "$O_LINE" ok2xx)" "$(field "$O_LINE" duration_us)"); fi
L_P99=$(field "$L_LINE" p99_us)

durable_ok=PASS; [ "$CASES" -ge "$ACK" ] && [ "$BARE" = 0 ] || durable_ok=FAIL
plain_ok=PASS; [ "$PLAINTEXT" = no ] || plain_ok=FAIL
read_ok=PASS; [ "$READBACK" = yes ] || read_ok=FAIL
clean_ok=PASS
[ "$L_2XX" = "$L_RECEIPTS" ] && [ "$L_4XX" = 0 ] && [ "$L_5XX" = 0 ] && [ "$L_OTHER" = 0 ] && [ "$L_ERRS" = 0 ] || clean_ok=FAIL
stop_ok=PASS; [ "$STOP_SIGNAL" = KILL ] || [ "$STOP_RC" = 0 ] || stop_ok=FAIL
rate_ok=$(awk -v r="$RATIO" 'BEGIN { print (r >= 25 ? "PASS" : "FAIL") }')
p99_ok=$(awk -v p="$L_P99" 'BEGIN { print (p < 20000 ? "PASS" : "FAIL") }')

row() { printf '%-30s %18s %18s %18s %18s\n' "$@"; }
col() {  # file key: a latency in ms, or "-" without the file
  if [ -f "$1" ]; then ms "$(field "$1" "$2")"; else echo -; fi
}
B_LINE="$TMP/wrk-breakdown-422.txt"
{
  echo
  echo "lifeline intake benchmark: POST /apply, ${CONNECTIONS} connections, ${THREADS} wrk threads, ${ROUNDS} rounds of ${ROUND_S} s on each server, alternating"
  echo "machine: $(nproc) cores, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n1), $(uname -sr); wrk on the same machine"
  echo "lifeline: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$([ -n "$(git -C "$ROOT" status --porcelain -- src CMakeLists.txt cmake 2>/dev/null)" ] && echo ' + uncommitted changes') Release, defaults + [site] limits 1e9; nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'), reference: the $REFERENCE listener"
  echo
  # Columns: lifeline, the reference, the other listener (if measured), the 422 breakdown.
  orate() { if [ -n "$O_RATE" ]; then echo "$O_RATE"; else echo -; fi; }
  ofield() { if [ -f "$O_LINE" ]; then field "$O_LINE" "$1"; else echo -; fi; }
  row "" "lifeline" "nginx 204" "nginx 204" "lifeline 422"
  row "" "(application)" "($REFERENCE, ref.)" "($O_LISTENER, info)" "(no intake)"
  row "requests/s" "$L_RATE" "$N_RATE" "$(orate)" \
    "$([ -f "$B_LINE" ] && rate "$(field "$B_LINE" s4xx)" "$(field "$B_LINE" duration_us)" || echo -)"
  row "responses" "$L_2XX" "$N_2XX" "$(ofield ok2xx)" "$([ -f "$B_LINE" ] && field "$B_LINE" s4xx || echo -)"
  for p in p50 p90 p99 p999; do
    row "latency $p (ms)" "$(col "$L_LINE" ${p}_us)" "$(col "$N_LINE" ${p}_us)" "$(col "$O_LINE" ${p}_us)" "$(col "$B_LINE" ${p}_us)"
  done
  row "latency max (ms)" "$(col "$L_LINE" max_us)" "$(col "$N_LINE" max_us)" "$(col "$O_LINE" max_us)" "$(col "$B_LINE" max_us)"
  row "server CPU per request (ms)" "$(cpu_ms_per_request "$L_LINE")" "$(cpu_ms_per_request "$N_LINE")" \
    "$([ -f "$O_LINE" ] && cpu_ms_per_request "$O_LINE" || echo -)" "$([ -f "$B_LINE" ] && cpu_ms_per_request "$B_LINE" || echo -)"
  row "lifeline / nginx" "" "$RATIO %" "$([ -n "$O_RATE" ] && echo "$(pct "$L_RATE" "$O_RATE") %" || echo -)" ""
  echo
  for r in $(seq "$ROUNDS"); do
    lr=$(rate "$(field "$TMP/wrk-lifeline-$r.txt" receipts)" "$(field "$TMP/wrk-lifeline-$r.txt" duration_us)")
    line="round $r: lifeline $lr/s"
    for l in "${LISTENERS[@]}"; do
      nr=$(rate "$(field "$TMP/wrk-nginx-$l-$r.txt" ok2xx)" "$(field "$TMP/wrk-nginx-$l-$r.txt" duration_us)")
      line="$line, nginx ($l) $nr/s: $(pct "$lr" "$nr") %"
    done
    echo "$line"
  done
  echo
  echo "durable applications/s: $L_RATE (200 with a receipt page, sent after the commit)"
  [ -n "$COMMITS" ] && [ -n "$WRITES" ] && awk -v c="$COMMITS" -v w="$WRITES" 'BEGIN { if (c > 0) printf "store: %d writes in %d durable commits, %.1f writes per commit (group commit)\n", w, c, w / c }'
  echo "acknowledged $ACK, durable in the database $CASES (wrk's $L_RECEIPTS receipts + 1 check application; the rest were in flight when wrk stopped)"
  echo "cases without a sealed message: $BARE; sealed form messages: $SEALED"
  echo "non-2xx: 4xx $L_4XX, 5xx $L_5XX, other $L_OTHER; socket errors/timeouts $L_ERRS"
  echo "plaintext found: $PLAINTEXT (${#NEEDLES[@]} field values searched in ${#SCANNED[@]} files, $SCANNED_BYTES bytes: database, WAL, shm, secrets, server output)"
  if [ "$PLAINTEXT" = yes ]; then sed 's/^/  in: /' "$TMP/plaintext-hits.txt"; fi
  echo "read back after restart by receipt: $READBACK (HTTP $READBACK_STATUS)"
  echo "lifeline stopped by SIG$STOP_SIGNAL, exit $STOP_RC"
  echo
  echo "[$durable_ok] every acknowledged application is a case with its sealed message ($CASES >= $ACK)"
  echo "[$plain_ok] no field value in clear in the data directory or the server output"
  echo "[$read_ok] a stored application opens with its receipt after a restart"
  echo "[$clean_ok] every lifeline response was 2xx with a receipt, no socket errors"
  echo "[$stop_ok] lifeline drained and exited 0$([ "$STOP_SIGNAL" = KILL ] && echo " (not checked: SIGKILL)")"
  echo "[$rate_ok] target: lifeline >= 25 % of nginx's rate, $REFERENCE listener ($RATIO %)"
  echo "[$p99_ok] target: lifeline p99 < 20 ms at $CONNECTIONS connections ($(ms "$L_P99") ms)"
} | tee "$RESULTS_DIR/summary.txt"
log "summary and raw outputs in $RESULTS_DIR"

for c in "$durable_ok" "$plain_ok" "$read_ok" "$clean_ok" "$stop_ok"; do [ "$c" = PASS ] || exit 1; done
if [ "$rate_ok" != PASS ] || [ "$p99_ok" != PASS ]; then exit 2; fi
exit 0
