#!/usr/bin/env bash
# Supervisor memory, in one run: VmRSS of the supervisor process (/proc/<pid>/status) with 20 replicas running
# (scale: 20 of /usr/bin/sleep), against the same supervisor with 1 replica, after a few seconds of steady state.
# Usage: bench/supervisor-rss.sh [replicas=20]     Target: under 80 MB with 20.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
REPLICAS=${1:-20}

build_tool
WS=$(new_workspace rss)
mkdir -p "$WS/idle"
cd "$WS"
scale() { printf 'command: ["/usr/bin/sleep", "infinity"]\nscale: %d\n' "$1" >idle/service.yml; }
supervisor_status() { echo "/proc/$(pgrep -f "__supervise --config $WS/orchestra.yml" | head -1)/status"; }
rss_kb() { awk '/^VmRSS:/{print $2}' "$(supervisor_status)"; }
# Where the resident memory is: private (heap, JIT data), file-backed (runtime and assemblies, shared with every
# other .NET process), shared memory (the runtime's double-mapped JIT code).
rss_parts() { awk '/^Rss(Anon|File|Shmem):/{printf "%s %d MB  ", $1, $2/1024}' "$(supervisor_status)"; }
replicas() { "$ORCHESTRA" ps --json | grep -c '"state": "healthy"'; }

scale 1
"$ORCHESTRA" start --no-build >/dev/null 2>&1
sleep 3
one=$(rss_kb)
one_count=$(replicas)

scale "$REPLICAS"
"$ORCHESTRA" start --no-build >/dev/null 2>&1
sleep 3
many=$(rss_kb)
many_count=$(replicas)
parts=$(rss_parts)
# A few status rounds (ps samples CPU and memory of every replica) and it is still the same size.
for _ in 1 2 3 4 5; do "$ORCHESTRA" ps >/dev/null; done
after_ps=$(rss_kb)
"$ORCHESTRA" stop >/dev/null

echo
machine
echo "supervisor VmRSS with $one_count replica:   $((one / 1024)) MB"
echo "supervisor VmRSS with $many_count replicas: $((many / 1024)) MB   (after 5 x ps: $((after_ps / 1024)) MB)"
echo "  of which $parts"
awk -v a="$one" -v b="$many" -v n="$many_count" 'BEGIN{printf "ratio %d replicas / 1 replica: %.2f; per extra replica: %.0f KB; against the 80 MB target: %.2f\n", n, b/a, (b-a)/(n-1), b/(80*1024)}'
