#!/usr/bin/env bash
# Log throughput, in one run: lines/s from one replica into its collected log file (.orchestra/logs/<svc>.0.log,
# timestamped and stream-marked by the supervisor), vs the same program with its stdout redirected to a file by the
# shell. Both are timed from the program's own first line (so neither counts its interpreter's start) until the last
# line is in the file: for the shell, when the program exits; for Orchestra, when the collector has written it.
# Usage: bench/log-throughput.sh [lines=1000000] [repeats=3]     Target: ratio >= 0.8.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
LINES=${1:-1000000}
REPEATS=${2:-3}

build_tool
WS=$(new_workspace throughput)
mkdir -p "$WS/flood"
# As fast as Python prints: block-buffered stdout, one write call per line.
cat >"$WS/flood/flood.py" <<'PY'
import sys, time
n = int(sys.argv[1])
out = sys.stdout
# The start time goes to a side file too: the collected log may have rotated the first line away.
begin = f"{time.time():.6f}"
out.write(f"begin {begin}\n")
with open("begin.txt", "w") as f:
    f.write(begin)
for i in range(n):
    out.write(f"line {i:09d} of the flood\n")
out.write("flood end\n")
out.flush()
# A service keeps running; the shell round is told to end here.
if len(sys.argv) < 3:
    while True:
        time.sleep(1)
PY
printf 'command: ["/usr/bin/python3", "flood.py", "%d"]\nrestart: no\n' "$LINES" >"$WS/flood/service.yml"
cd "$WS"

shell_rates=() orchestra_rates=()
for round in $(seq 1 "$REPEATS"); do
  # The shell: the program straight into a file.
  out=$OUT/throughput-shell.txt
  (cd flood && /usr/bin/python3 flood.py "$LINES" exit >"$out")
  end=$(now)
  shell_rates+=("$(awk -v n="$LINES" -v b="$(cat flood/begin.txt)" -v e="$end" 'BEGIN{printf "%.0f", n/(e-b)}')")

  # Orchestra: the same program as a replica; done when its collected log ends with the last line.
  "$ORCHESTRA" stop >/dev/null 2>&1 || true
  rm -rf .orchestra
  "$ORCHESTRA" start --no-build >/dev/null 2>&1
  log=.orchestra/logs/flood.0.log
  until tail -c 64 "$log" 2>/dev/null | grep -q ' O flood end$'; do sleep 0.005; done
  end=$(now)
  orchestra_rates+=("$(awk -v n="$LINES" -v b="$(cat flood/begin.txt)" -v e="$end" 'BEGIN{printf "%.0f", n/(e-b)}')")
  echo "round $round: shell ${shell_rates[-1]} lines/s, orchestra ${orchestra_rates[-1]} lines/s"
done
"$ORCHESTRA" stop >/dev/null

s=$(median "${shell_rates[@]}")
o=$(median "${orchestra_rates[@]}")
echo
machine
echo "$LINES lines of 28 bytes, median of $REPEATS"
echo "shell redirect to a file:        $s lines/s"
echo "orchestra, into the collected log: $o lines/s"
awk -v o="$o" -v s="$s" 'BEGIN{printf "ratio orchestra/shell: %.2f (target >= 0.8)\n", o/s}'
