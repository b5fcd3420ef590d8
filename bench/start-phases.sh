#!/usr/bin/env bash
# Where a `start --no-build` (no supervisor running) spends its time, for the fleet of bench/warm-start-pm2.sh: per
# round, seconds from the command's launch until the supervisor process exists (/proc starttimes, 10 ms ticks), serves
# (its log), the first and the last replica are spawned (`ps --json` startedAt), the command returns, and all 4 APIs
# answer. With BASELINE=/path/to/another/dotnet-orchestra (another build of the tool), its rounds interleave with
# these and each line says which. Usage: [BASELINE=…] bench/start-phases.sh [rounds=5] [workspace with a built fleet]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-5}
WS=${2:-$OUT/warmpm2}
[[ -f $WS/api1/bin/Debug/net10.0/api1.dll ]] || { echo "no built fleet in $WS: run bench/warm-start-pm2.sh first" >&2; exit 2; }
cd "$WS"
TICKS=$(getconf CLK_TCK)
starttime() { local stat; read -r -a stat <"/proc/$1/stat"; echo "${stat[21]}"; }
epoch() { date -d "$1" +%s.%N; }
TOOLS=("$ORCHESTRA" ${BASELINE:+"$BASELINE"})
"$ORCHESTRA" stop >/dev/null 2>&1 || true
printf '%-9s %8s %8s %8s %8s %8s %8s\n' tool exec serves first last returns answer
for _ in $(seq 1 "$ROUNDS"); do
  for tool in "${TOOLS[@]}"; do
    s=$(now)
    "$tool" start --no-build >/dev/null 2>&1 &
    cli=$(starttime $!)
    wait $!
    r=$(now)
    wait_answering 5501 5502 5503 5504
    a=$(now)
    line=$(grep ' serves ' .orchestra/supervisor.log | tail -1)
    pid=$(awk '{print $3}' <<<"$line")
    exec_after=$(awk -v c="$cli" -v t="$(starttime "$pid")" -v k="$TICKS" 'BEGIN{printf "%.2f", (t - c) / k}')
    serves=$(epoch "$(awk '{print $1}' <<<"$line")")
    mapfile -t started < <("$tool" ps --json | grep -o '"startedAt": "[^"]*"' | cut -d'"' -f4 | sort)
    first=$(epoch "${started[0]}") last=$(epoch "${started[-1]}")
    printf '%-9s %8s %8s %8s %8s %8s %8s\n' "$([[ $tool == "$ORCHESTRA" ]] && echo this || echo baseline)" "$exec_after" \
      "$(elapsed "$s" "$serves")" "$(elapsed "$s" "$first")" "$(elapsed "$s" "$last")" "$(elapsed "$s" "$r")" "$(elapsed "$s" "$a")"
    "$tool" stop >/dev/null
  done
done
echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
