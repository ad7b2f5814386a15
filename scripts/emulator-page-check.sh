#!/usr/bin/env bash
# Checks the emulator's live page in a real browser (headless Chromium from Debian: apt-get install chromium).
#
# Starts `vespa-client emulate` with one registered worker, starts a secured vespa-worker (embedded engine,
# generated demo model) with the environment the emulator's banner prints, sends routed requests through it,
# plus a refused route and a malformed report, so that every panel of the page has something to show. Then
# takes a screenshot (chromium --headless --screenshot) and checks the rendered DOM (--dump-dom): the worker
# row is "ready", the chart has its lines, the event log has routes given and refused, the malformed report
# and the delete records, and the delete-records table is filled.
#
# Usage: scripts/emulator-page-check.sh [screenshot.png]      (default: a temporary file, path printed)
# Environment:
#   VESPA_CLIENT_BIN  vespa-client to run (default: built with dotnet build -c Release into src/Client/bin)
#   VESPA_WORKER_BIN  vespa-worker to run (default: likewise from src/Worker)
#   CHROMIUM          the browser (default: chromium, chromium-browser or google-chrome on PATH)
#   WINDOW_SIZE       the screenshot's size (default 1280,1300)
# Exit: 0 the page checks out; 1 a check failed; 2 setup failed (build, start, readiness); 3 no browser.
# Every process it starts is stopped on exit. Only loopback addresses are used; nothing is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

fail() { echo "emulator-page-check: FAIL: $*" >&2; exit 1; }
setup_fail() { echo "emulator-page-check: setup failed: $*" >&2; exit 2; }
say() { echo "emulator-page-check: [${SECONDS}s] $*"; }

browser=${CHROMIUM:-}
if [ -z "$browser" ]; then
  for candidate in chromium chromium-browser google-chrome; do
    if command -v "$candidate" >/dev/null 2>&1; then browser=$(command -v "$candidate"); break; fi
  done
fi
if [ -z "$browser" ] || ! command -v "$browser" >/dev/null 2>&1; then
  echo "emulator-page-check: no chromium found (apt-get install chromium, or set CHROMIUM)" >&2
  exit 3
fi

client=${VESPA_CLIENT_BIN:-}
worker=${VESPA_WORKER_BIN:-}
if [ -z "$client" ] || [ -z "$worker" ]; then
  say "building vespa-client and vespa-worker (Release)"
  dotnet build "$repo/src/Client" -c Release --nologo -v quiet >/dev/null || setup_fail "dotnet build src/Client"
  dotnet build "$repo/src/Worker" -c Release --nologo -v quiet >/dev/null || setup_fail "dotnet build src/Worker"
  client=${client:-$repo/src/Client/bin/Release/net10.0/vespa-client}
  worker=${worker:-$repo/src/Worker/bin/Release/net10.0/vespa-worker}
fi
[ -x "$client" ] || setup_fail "vespa-client not found at $client"
[ -x "$worker" ] || setup_fail "vespa-worker not found at $worker"

work=$(mktemp -d)
shot=${1:-$work/emulator-page.png}
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${keep_work:-}" != 1 ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

# A port nothing listens on (the worker's port must be known before it starts: it is in its reported url).
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  return 1
}

wait_for() { # seconds, description, command...
  local seconds=$1 what=$2; shift 2
  local deadline=$(( SECONDS + seconds ))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || { keep_work=1; setup_fail "timed out after ${seconds}s waiting for $what (logs in $work)"; }
    sleep 0.2
  done
}

worker_port=$(free_port) || setup_fail "no free port"
worker_url="http://127.0.0.1:$worker_port"

"$client" emulate --port 0 --worker "$worker_url" >"$work/emulator.log" 2>&1 &
pids+=($!)
wait_for 30 "the emulator's banner" grep -q "Press Ctrl+C" "$work/emulator.log"
emulator=$(sed -n 's/.*local autoscaler on \(http:\/\/[0-9.:]*\).*/\1/p' "$work/emulator.log" | head -n 1)
[ -n "$emulator" ] || setup_fail "no address in the emulator's banner: $(cat "$work/emulator.log")"
say "emulator on $emulator, worker on $worker_url"

# The worker runs with exactly the environment the banner prints for it (that is part of what is checked).
read -r -a environment <<<"$(grep -A 2 "Worker environment for $worker_url" "$work/emulator.log" | tail -n 2 | tr '\n' ' ')"
[ "${#environment[@]}" -ge 5 ] || fail "the banner prints no environment for $worker_url"
env "${environment[@]}" \
  VESPA_BENCHMARK=constant:200 \
  VESPA_MAX_WAIT_TIME=0.5 \
  VESPA_BENCHMARK_CACHE_FILE="$work/benchmark" \
  VESPA_MODEL_CACHE="$work/models" \
  VESPA_LOG_LEVEL=Warning \
  "$worker" >"$work/worker.log" 2>&1 &
pids+=($!)
wait_for 120 "the worker to report ready" sh -c "curl -sf '$emulator/_emulator/reports' | grep -q '\"state\":\"ready\"'"
say "worker ready; sending calls"

# Traffic: routed calls through the worker, three at a time so that reports catch work in flight and the
# worker's queue limit (VESPA_MAX_WAIT_TIME=0.5 s of work at max_perf 200) turns some away with 429 (rejected
# load); then a refused route and a malformed report.
call() { # cost, max_tokens -> HTTP status of the call through the worker
  local auth
  auth=$(curl -sf -X POST "$emulator/route/" -H 'Authorization: Bearer local-endpoint-key' -d "{\"endpoint\": \"local\", \"cost\": $1}") \
    || { echo "route-refused"; return; }
  curl -s -o /dev/null -w '%{http_code}' "$worker_url/v1/chat/completions" -H 'Content-Type: application/json' \
    -d "{\"auth_data\": $auth, \"payload\": {\"messages\": [{\"role\": \"user\", \"content\": \"hello\"}], \"max_tokens\": $2}}"
}
served=0
for round in 1 2 3 4; do
  for i in 1 2 3; do call $(( 40 * round + 30 * i )) 64 >"$work/call-$round-$i" & done
  wait_for 60 "round $round of calls" sh -c "[ -s '$work/call-$round-1' ] && [ -s '$work/call-$round-2' ] && [ -s '$work/call-$round-3' ]"
  for i in 1 2 3; do
    case "$(cat "$work/call-$round-$i")" in
      200) served=$(( served + 1 )) ;;
      429) ;;
      *) fail "call $round.$i through the worker answered $(cat "$work/call-$round-$i") (log: $(tail -n 5 "$work/worker.log"))" ;;
    esac
  done
  sleep 1.2
done
[ "$served" -gt 0 ] || fail "no call through the worker was served"
curl -s -o /dev/null -X POST "$emulator/route/" -H 'Authorization: Bearer wrong-key' -d '{"endpoint": "local", "cost": 1}'
curl -s -o /dev/null -X POST "$emulator/worker_status/" -d '{"cur_load": "not a number"}'
wait_for 15 "the delete records" sh -c "curl -sf '$emulator/_emulator/state' | grep -q '\"request_idx\":12'"
sleep 1.5

chrome() {
  # --no-sandbox: CI containers run as root, where Chromium's sandbox cannot start.
  "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --hide-scrollbars \
    --user-data-dir="$work/profile" --virtual-time-budget=4000 "$@" 2>>"$work/chromium.log"
}

say "taking the screenshot"
chrome --window-size="${WINDOW_SIZE:-1280,1300}" --screenshot="$shot" "$emulator/" >/dev/null \
  || fail "chromium --screenshot failed: $(tail -n 5 "$work/chromium.log")"
[ -s "$shot" ] || fail "no screenshot written to $shot"
[ "$(head -c 8 "$shot" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "$shot is not a PNG"

say "checking the DOM"
chrome --dump-dom "$emulator/" >"$work/dom.html" || fail "chromium --dump-dom failed: $(tail -n 5 "$work/chromium.log")"
dom=$(cat "$work/dom.html")
check() { # description, fixed string the rendered DOM must contain
  grep -qF -- "$2" <<<"$dom" || { cp "$work/dom.html" "${shot%.png}.dom.html" 2>/dev/null || true; fail "$1: '$2' not in the rendered page (DOM saved next to the screenshot)"; }
}
check "the worker row, ready" "<tr data-worker=\"$worker_url\" data-state=\"ready\""
check "the chart's cur_load line" 'data-series="cur_load"'
check "the chart's cur_perf line" 'data-series="cur_perf"'
check "a route given in the event log" 'data-kind="route_given"'
check "the refused route in the event log" 'data-kind="route_refused"'
check "the malformed report in the event log" 'data-kind="report_rejected"'
check "delete records in the event log" 'data-kind="delete_records"'
check "the delete-records table" '<tr data-request-idx="12">'
check "the refusal's reason" "invalid API key for endpoint 'local'"
check "polling works (the page is live)" '<span id="live" class="">live · '
if grep -qF '<span id="live" class="offline"' <<<"$dom"; then
  cp "$work/dom.html" "${shot%.png}.dom.html" 2>/dev/null || true
  fail "the page says the emulator is not reachable (DOM saved next to the screenshot)"
fi

say "OK: screenshot $shot ($(wc -c <"$shot") bytes), DOM checks passed"
