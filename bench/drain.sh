#!/usr/bin/env bash
# Requests failed while a fleet is replaced under load (issue 8, point 3): a minimal API at scale 3 behind the port
# proxy, 200 concurrent clients (wrk, a new connection per request) while it is restarted 10 times and scaled
# 3 → 1 → 3. Prints the failures wrk saw (socket errors and non-2xx answers) out of all requests. Target: 0.
# Also runs the same load for as long with no change, as the baseline of what the machine serves, and prints the
# ratio of requests served with changes to the baseline (what the replacements cost in throughput).
# Usage: bench/drain.sh [restarts=10] [clients=200]    (needs wrk: apt-get install -y wrk)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RESTARTS=${1:-10}
CLIENTS=${2:-200}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 2; }

build_tool
WS=$(new_workspace drain)
PORT=5361
cd "$WS"
web_project api
cat >api/Program.cs <<'CS'
var app = WebApplication.Create(args);
app.MapGet("/health", () => "ok");
app.Run();
CS
printf 'port: %d\nscale: 3\nhealth: { http: /health }\n' $PORT >api/service.yml

echo "== building and starting (not measured)"
"$ORCHESTRA" start --noreload >/dev/null

# wrk prints its totals when interrupted; the duration is only an upper bound. `exec`, so that the background
# job's pid is wrk's own and the interrupt reaches it.
load() { exec wrk -t 2 -c "$CLIENTS" -d 600s -H "Connection: close" "http://127.0.0.1:$PORT/health" >"$1" 2>&1; }
finish() { kill -INT "$1"; wait "$1" || true; }
failures() { awk '/Socket errors/ {gsub(",", ""); s=$4+$6+$8+$10} /Non-2xx/ {n=$NF} END {print s+n}' "$1"; }
requests() { awk '/requests in/ {print $1}' "$1"; }

echo "== $RESTARTS restarts and a scale 3 → 1 → 3 under $CLIENTS clients"
began=$(now)
load "$OUT/drain-changes.txt" & pid=$!
sleep 2
for i in $(seq 1 "$RESTARTS"); do "$ORCHESTRA" restart api >/dev/null; done
"$ORCHESTRA" scale api=1 >/dev/null
"$ORCHESTRA" scale api=3 >/dev/null
sleep 2
finish "$pid"
took=$(elapsed "$began" "$(now)")

echo "== the same load for as long with no change (baseline)"
load "$OUT/drain-baseline.txt" & pid=$!
sleep "$took"
finish "$pid"
"$ORCHESTRA" stop >/dev/null

echo
machine
echo "with changes: $(failures "$OUT/drain-changes.txt") failed of $(requests "$OUT/drain-changes.txt") requests in ${took} s"
echo "baseline:     $(failures "$OUT/drain-baseline.txt") failed of $(requests "$OUT/drain-baseline.txt") requests"
# Both phases last as long, so their request counts compare as throughputs.
awk -v c="$(requests "$OUT/drain-changes.txt")" -v b="$(requests "$OUT/drain-baseline.txt")" \
  'BEGIN{printf "ratio of requests served, with changes / baseline: %.2f\n", c/b}'
