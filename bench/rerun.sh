#!/usr/bin/env bash
# Rerun on change: from saving a source file of a running minimal API until its new answer is served, in one run:
#   Orchestra (watch → rebuild in a short-lived process → replace the replica behind the port proxy)
#   vs by hand: `dotnet build` of the same project, then exec its apphost and poll until it answers.
# Usage: bench/rerun.sh [repeats=5]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
REPEATS=${1:-5}

build_tool
WS=$(new_workspace rerun)
PORT=5351 HAND_PORT=5352
cd "$WS"
program() {
  cat <<CS
var app = WebApplication.Create(args);
app.MapGet("/", () => "$1");
app.MapGet("/health", () => "ok");
app.Run();
CS
}
for dir in api hand; do
  web_project "$dir"
  program v0 >"$dir/Program.cs"
done
printf 'port: %d\nhealth: { http: /health }\n' $PORT >api/service.yml
# The by-hand copy is not a service: only Orchestra's own API is watched.
printf 'services: [api]\n' >>orchestra.yml

echo "== building both once and starting the fleet (not timed)"
(cd hand && dotnet build -nologo -v q >/dev/null)
"$ORCHESTRA" start >/dev/null

wait_for() { until [[ $(curl -s "http://127.0.0.1:$1/" || true) == "$2" ]]; do sleep 0.01; done; }

orchestra_times=() hand_times=()
echo "== timing, $REPEATS rounds, interleaved"
for i in $(seq 1 "$REPEATS"); do
  start=$(now); program "v$i" >api/Program.cs; wait_for $PORT "v$i"; end=$(now)
  orchestra_times+=("$(elapsed "$start" "$end")")

  start=$(now)
  program "v$i" >hand/Program.cs
  (cd hand && dotnet build -nologo -v q >/dev/null)
  (cd hand && ASPNETCORE_URLS="http://127.0.0.1:$HAND_PORT" exec bin/Debug/net10.0/hand >/dev/null 2>&1) &
  pid=$!
  wait_for $HAND_PORT "v$i"; end=$(now)
  hand_times+=("$(elapsed "$start" "$end")")
  kill $pid && wait $pid 2>/dev/null || true
done
"$ORCHESTRA" stop >/dev/null

o=$(median "${orchestra_times[@]}")
h=$(median "${hand_times[@]}")
echo
machine
echo "orchestra, save to new answer (median): ${o} s   [${orchestra_times[*]}]"
echo "dotnet build + exec + poll (median):    ${h} s   [${hand_times[*]}]"
awk -v o="$o" -v h="$h" 'BEGIN{printf "ratio orchestra/by-hand: %.2f\n", o/h}'
