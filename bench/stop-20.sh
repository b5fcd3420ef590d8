#!/usr/bin/env bash
# Stop of 20 replicas that handle SIGTERM, in one run: `dotnet orchestra stop` (client start included) until it
# returns, every replica verified gone in /proc, vs sending SIGTERM to the same 20 programs by hand and waiting for them.
# Usage: bench/stop-20.sh [replicas=20] [repeats=5]     Target: all gone within 1 s.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
REPLICAS=${1:-20}
REPEATS=${2:-5}

build_tool
WS=$(new_workspace stop20)
mkdir -p "$WS/term"
cd "$WS"
# Handles SIGTERM: leaves cleanly at once.
cat >term/term.py <<'PY'
import signal, sys, time
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
print("term up", flush=True)
while True:
    time.sleep(1)
PY
printf 'command: ["/usr/bin/python3", "term.py"]\nscale: %d\nhealth: { log: "term up" }\n' "$REPLICAS" >term/service.yml

orchestra_times=() hand_times=()
for round in $(seq 1 "$REPEATS"); do
  "$ORCHESTRA" start --no-build >/dev/null 2>&1
  running=$(live_in_workspace "$WS")
  start=$(now); "$ORCHESTRA" stop >/dev/null; end=$(now)
  left=$(live_in_workspace "$WS")
  orchestra_times+=("$(elapsed "$start" "$end")")

  pids=()
  for _ in $(seq 1 "$REPLICAS"); do (cd term && exec /usr/bin/python3 term.py >/dev/null) & pids+=($!); done
  sleep 1 # every one past its start-up and in its loop, like the replicas above
  start=$(now); kill -TERM "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true; end=$(now)
  hand_times+=("$(elapsed "$start" "$end")")
  echo "round $round: $running replicas; orchestra stop ${orchestra_times[-1]} s ($left left), by hand ${hand_times[-1]} s"
done

o=$(median "${orchestra_times[@]}")
h=$(median "${hand_times[@]}")
echo
machine
echo "orchestra stop of $REPLICAS replicas (median): $o s   [${orchestra_times[*]}]"
echo "SIGTERM by hand and wait (median):          $h s   [${hand_times[*]}]"
awk -v o="$o" -v h="$h" 'BEGIN{printf "ratio orchestra/by-hand: %.2f; target: within 1 s (%s)\n", o/h, o <= 1 ? "met" : "missed"}'
