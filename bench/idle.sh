#!/usr/bin/env bash
# An idle fleet under Orchestra and under pm2 7.0.4, side by side in one run: 4 ASP.NET minimal APIs (/health) and a
# worker that logs every 500 ms, built once; pm2 runs the same DLLs with `dotnet X.dll` from an ecosystem file.
# Prints, for the Orchestra supervisor and the pm2 daemon: CPU over 10 s of idle (utime+stime from /proc/PID/stat, % of
# one core), VmRSS with the fleet, with 20 replicas (15 more `sleep` replicas), and after 200 status calls (`ps` /
# `pm2 jlist`); and how long a worker line takes to be collected (its own timestamp against the log's). Ratios last.
# Usage: bench/idle.sh [seconds=10]
# Targets (issue 12): CPU <= pm2's and under 0.6 %; RSS <= 54 MiB with the fleet and with 20; no growth over 200 ps;
# worker lines collected within 250 ms.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SECONDS_IDLE=${1:-10}

build_tool
build_floor_app
install_pm2 "$OUT/pm2-home"

WS=$(new_workspace idle)
echo "== generating 4 minimal APIs and a worker in $WS"
make_fleet "$WS" 5400
cd "$WS"

write_ecosystem "$OUT/idle-ecosystem.config.js" "$WS" 5410

supervisor_pid() { pgrep -f "__supervise --config $WS/orchestra.yml" | head -1; }
pm2_pid() { cat "$PM2_HOME/pm2.pid"; }
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# CPU time of every thread now, in ns (schedstat): finer than the 10 ms ticks of utime+stime.
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {print s}'; }

echo "== starting both fleets"
"$ORCHESTRA" start --no-build >/dev/null 2>&1
"$PM2" start "$OUT/idle-ecosystem.config.js" >/dev/null
wait_answering 5411 5412 5413 5414
until grep -q "worker started" "$PM2_HOME/logs/worker-out.log" 2>/dev/null; do sleep 0.1; done
SUP=$(supervisor_pid) PM2D=$(pm2_pid)
# Start-up work (JIT, the first probes) is over before the window opens.
sleep 5

echo "== idle for $SECONDS_IDLE s, both sampled over the same window"
o_ticks0=$(cpu_ticks "$SUP") p_ticks0=$(cpu_ticks "$PM2D") o_ns0=$(cpu_ns "$SUP") p_ns0=$(cpu_ns "$PM2D")
window_start=$(date +%s%3N)
sleep "$SECONDS_IDLE"
o_ticks1=$(cpu_ticks "$SUP") p_ticks1=$(cpu_ticks "$PM2D") o_ns1=$(cpu_ns "$SUP") p_ns1=$(cpu_ns "$PM2D")
window_end=$(date +%s%3N)
tck=$(getconf CLK_TCK)
pct_ticks() { awk -v a="$1" -v b="$2" -v t="$tck" -v s="$SECONDS_IDLE" 'BEGIN{printf "%.2f", (b-a)/t/s*100}'; }
pct_ns() { awk -v a="$1" -v b="$2" -v s="$SECONDS_IDLE" 'BEGIN{printf "%.3f", (b-a)/1e9/s*100}'; }
o_cpu=$(pct_ticks "$o_ticks0" "$o_ticks1") p_cpu=$(pct_ticks "$p_ticks0" "$p_ticks1")
o_cpu_ns=$(pct_ns "$o_ns0" "$o_ns1") p_cpu_ns=$(pct_ns "$p_ns0" "$p_ns1")
o_rss=$(rss_kb "$SUP") p_rss=$(rss_kb "$PM2D")

# Lines printed in the window: the collector's timestamp (Orchestra's log; pm2's log_date_format) minus the worker's.
latency() {
  python3 - "$1" "$2" "$window_start" "$window_end" <<'PY'
import sys, re, datetime, statistics
kind, path, start, end = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
delays = []
for line in open(path, encoding="utf-8", errors="replace"):
    m = re.search(r"tick \d+ (\d+)", line)
    if not m or not start <= int(m.group(1)) <= end:
        continue
    stamp = line.split(" ")[0].rstrip(":")
    collected = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000
    delays.append(collected - int(m.group(1)))
print(f"{statistics.median(delays):.0f} {max(delays):.0f} {len(delays)}" if delays else "n/a n/a 0")
PY
}
read -r o_lat_med o_lat_max o_lines <<<"$(latency orchestra "$WS/.orchestra/logs/worker.0.log")"
read -r p_lat_med p_lat_max p_lines <<<"$(latency pm2 "$PM2_HOME/logs/worker-out.log")"

echo "== 200 status calls each"
o_before_ps=$(rss_kb "$SUP") p_before_ps=$(rss_kb "$PM2D")
for _ in $(seq 1 200); do "$ORCHESTRA" ps >/dev/null; done
for _ in $(seq 1 200); do "$PM2" jlist >/dev/null; done
o_after_ps=$(rss_kb "$SUP") p_after_ps=$(rss_kb "$PM2D")

echo "== 20 replicas each (15 more: sleep infinity)"
mkdir -p idle
printf 'command: ["/usr/bin/sleep", "infinity"]\n' >idle/service.yml
"$ORCHESTRA" start --no-build --scale idle=15 idle >/dev/null 2>&1
"$PM2" start /usr/bin/sleep --name idle -i 15 --interpreter none -- infinity >/dev/null 2>&1 \
  || for i in $(seq 1 15); do "$PM2" start /usr/bin/sleep --name "idle$i" --interpreter none -- infinity >/dev/null; done
sleep 5
o_rss20=$(rss_kb "$SUP") p_rss20=$(rss_kb "$PM2D")
o_count=$("$ORCHESTRA" ps --json | grep -c '"pid": [0-9]')
p_count=$("$PM2" jlist | grep -o '"pid":[0-9]*' | grep -vc '"pid":0' || true)
o_parts=$(awk '/^Rss(Anon|File|Shmem):/{printf "%s %d MiB  ", $1, $2/1024}' "/proc/$SUP/status")
o_threads=$(ls "/proc/$SUP/task" | wc -l)
floor_rss=$(floor_rss_kb "$SUP")

"$ORCHESTRA" stop >/dev/null
"$PM2" kill >/dev/null

mib() { awk -v k="$1" 'BEGIN{printf "%.1f", k/1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b == 0) print "n/a"; else printf "%.2f", a/b}'; }
echo
machine
echo "pm2 $PM2_VERSION (node $(node --version)); idle window ${SECONDS_IDLE} s; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %14s %14s %8s\n' "" "orchestra" "pm2 daemon" "ratio"
printf '%-44s %13s%% %13s%% %8s\n' "idle CPU, % of a core (utime+stime)" "$o_cpu" "$p_cpu" "$(ratio "$o_cpu" "$p_cpu")"
printf '%-44s %13s%% %13s%% %8s\n' "idle CPU, % of a core (schedstat, all threads)" "$o_cpu_ns" "$p_cpu_ns" "$(ratio "$o_cpu_ns" "$p_cpu_ns")"
printf '%-44s %10s MiB %10s MiB %8s\n' "RSS with the fleet (5 replicas)" "$(mib "$o_rss")" "$(mib "$p_rss")" "$(ratio "$o_rss" "$p_rss")"
printf '%-44s %10s MiB %10s MiB %8s\n' "RSS with 20 replicas ($o_count / $p_count running)" "$(mib "$o_rss20")" "$(mib "$p_rss20")" "$(ratio "$o_rss20" "$p_rss20")"
printf '%-44s %10s MiB %10s MiB\n' "RSS growth over 200 ps / pm2 jlist" "$(mib $((o_after_ps - o_before_ps)))" "$(mib $((p_after_ps - p_before_ps)))"
printf '%-44s %11s ms %11s ms\n' "worker line collected, median ($o_lines / $p_lines lines)" "$o_lat_med" "$p_lat_med"
printf '%-44s %11s ms %11s ms\n' "worker line collected, worst" "$o_lat_max" "$p_lat_max"
printf '%-44s %10s MiB\n' "floor: empty console app, same DOTNET_* settings" "$(mib "$floor_rss")"
echo "supervisor with 20 replicas: $o_parts, $o_threads threads; above the floor: $(mib $((o_rss20 - floor_rss))) MiB"
echo "targets: CPU <= pm2's and < 0.6 %; RSS <= 54 MiB (fleet and 20 replicas); no growth over 200 ps; lines within 250 ms"
