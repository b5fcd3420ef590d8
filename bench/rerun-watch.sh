#!/usr/bin/env bash
# Rerun on change against `dotnet watch --no-hot-reload run` (issue 12, point 3), in one run, on the same minimal API:
# each round edits a const in Version.cs and times until the port serves the new text, Orchestra and dotnet watch
# interleaved, each round starting on a quiet machine (wait_quiet). Compiler-server settings are the environment's (UseSharedCompilation); the product never forces them:
#   bench/rerun-watch.sh [repeats=5]
#   UseSharedCompilation=true bench/rerun-watch.sh [repeats=5]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
REPEATS=${1:-5}

build_tool
WS=$(new_workspace rerun-watch)
PORT=5361 WATCH_PORT=5362
cd "$WS"
for dir in api peer; do versioned_api "$dir"; done
printf 'port: %d\nhealth: { http: /health }\n' $PORT >api/service.yml
# The peer's copy is not a service: only Orchestra's own API is watched by it.
printf 'services: [api]\n' >>orchestra.yml

wait_for() { until [[ $(curl -s "http://127.0.0.1:$1/" || true) == "$2" ]]; do sleep 0.01; done; }

echo "== building and starting both (not timed); UseSharedCompilation=${UseSharedCompilation:-<unset>}"
"$ORCHESTRA" start >/dev/null
# In a session of its own, so that the end of the script stops dotnet watch and the API it runs together: a TERM to
# dotnet watch alone left both running.
(cd peer && ASPNETCORE_URLS="http://127.0.0.1:$WATCH_PORT" DOTNET_WATCH_SUPPRESS_EMOJIS=1 exec setsid dotnet watch --no-hot-reload --non-interactive run >"$OUT/rerun-watch.peer.log" 2>&1) &
peer=$!
trap 'kill -KILL -- -$peer 2>/dev/null; "$ORCHESTRA" -c "$WS" stop >/dev/null 2>&1 || true' EXIT
wait_for $WATCH_PORT v0
# One untimed round each: the first rerun starts Orchestra's build host, as dotnet watch's first rebuild warms it.
printf 'static class Version { public const string Text = "w"; }\n' >api/Version.cs; wait_for $PORT w
printf 'static class Version { public const string Text = "w"; }\n' >peer/Version.cs; wait_for $WATCH_PORT w

orchestra_times=() watch_times=()
echo "== timing, $REPEATS rounds, interleaved"
# How long each side's tail kept the machine busy after its round (what the next round waited for).
orchestra_tails=() watch_tails=()
wait_quiet
for i in $(seq 1 "$REPEATS"); do
  start=$(now); printf 'static class Version { public const string Text = "v%d"; }\n' "$i" >api/Version.cs; wait_for $PORT "v$i"; end=$(now)
  orchestra_times+=("$(elapsed "$start" "$end")")
  wait_quiet; orchestra_tails+=("$(elapsed "$end" "$(now)")")
  start=$(now); printf 'static class Version { public const string Text = "v%d"; }\n' "$i" >peer/Version.cs; wait_for $WATCH_PORT "v$i"; end=$(now)
  watch_times+=("$(elapsed "$start" "$end")")
  wait_quiet; watch_tails+=("$(elapsed "$end" "$(now)")")
done

o=$(median "${orchestra_times[@]}")
w=$(median "${watch_times[@]}")
echo
machine
echo "UseSharedCompilation=${UseSharedCompilation:-<unset>}"
echo "orchestra, edit to served (median):               ${o} s   [${orchestra_times[*]}]"
echo "dotnet watch --no-hot-reload, edit to served:     ${w} s   [${watch_times[*]}]"
echo "busy after the round until quiet (median):       orchestra $(median "${orchestra_tails[@]}") s, dotnet watch $(median "${watch_tails[@]}") s"
awk -v o="$o" -v w="$w" 'BEGIN{printf "ratio orchestra/dotnet watch: %.2f (target <= 0.8)\n", o/w}'
grep -E 'built in|rerun .* after the change' "$WS/.orchestra/supervisor.log" | tail -4
