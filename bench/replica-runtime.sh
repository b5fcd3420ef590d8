#!/usr/bin/env bash
# Issue 12, build point 2: what a replica's own start costs under the .NET runtime settings a dev-loop supervisor could
# give it. One API of bench/lib.sh's fleet, exec'd by hand (`setsid dotnet api1.dll`, Development, from its folder) with
# each setting in turn, rounds interleaved; for each: exec until the first /health answer (polled every 5 ms), the
# process's CPU (utime+stime from /proc/PID/stat) and VmRSS at that answer. Medians.
# Usage: bench/replica-runtime.sh [repeats=9] [workspace with a built fleet, default bench/out/warmpm2]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
REPEATS=${1:-9}
WS=${2:-$OUT/warmpm2}
DLL=$WS/api1/bin/Debug/net10.0/api1.dll
[[ -f $DLL ]] || { echo "no built fleet in $WS: run bench/warm-start-pm2.sh first" >&2; exit 2; }
PORT=5591
TICKS=$(getconf CLK_TCK)

# The settings compared, each a list of NAME=VALUE ("" is the runtime's defaults).
SETTINGS=(
  ""
  "DOTNET_TieredPGO=0"
  "DOTNET_gcServer=0"
  "DOTNET_TieredPGO=0 DOTNET_gcServer=0"
  "DOTNET_EnableWriteXorExecute=0"
  "DOTNET_TieredPGO=0 DOTNET_gcServer=0 DOTNET_EnableWriteXorExecute=0"
  "DOTNET_ReadyToRun=0"
  "DOTNET_TieredCompilation=0"
)

# One start with the settings $1: prints "seconds cpu-seconds rss-MiB".
one() {
  local s e pid stat cpu rss
  # shellcheck disable=SC2086
  s=$(now)
  (cd "$WS/api1" && exec env $1 ASPNETCORE_URLS=http://127.0.0.1:$PORT ASPNETCORE_ENVIRONMENT=Development \
    DOTNET_ENVIRONMENT=Development setsid dotnet "$DLL" >/dev/null 2>&1) &
  pid=$!
  until answers "$PORT"; do sleep 0.005; done
  e=$(now)
  read -r -a stat <"/proc/$pid/stat"
  cpu=$(awk -v u="${stat[13]}" -v k="${stat[14]}" -v t="$TICKS" 'BEGIN{printf "%.2f", (u+k)/t}')
  rss=$(awk '/^VmRSS:/{printf "%.1f", $2/1024}' "/proc/$pid/status")
  kill "$pid" && wait "$pid" 2>/dev/null || true
  echo "$(elapsed "$s" "$e") $cpu $rss"
}

declare -A times cpus rsss
one "" >/dev/null # untimed: the file cache
for _ in $(seq 1 "$REPEATS"); do
  for i in "${!SETTINGS[@]}"; do
    read -r t c r < <(one "${SETTINGS[$i]}")
    times[$i]+="$t " cpus[$i]+="$c " rsss[$i]+="$r "
  done
done

machine
echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg); api1 exec'd by hand, medians of $REPEATS"
printf '%-55s %9s %9s %9s\n' setting "answer s" "CPU s" "RSS MiB"
for i in "${!SETTINGS[@]}"; do
  # shellcheck disable=SC2086
  printf '%-55s %9s %9s %9s\n' "${SETTINGS[$i]:-(defaults)}" "$(median ${times[$i]})" "$(median ${cpus[$i]})" "$(median ${rsss[$i]})"
done
