#!/usr/bin/env bash
# Issue 12, build points 2 and 4: a warm start and scaling, against pm2 7.0.4, in one run. The fleet of bench/lib.sh
# (4 ASP.NET minimal APIs and a worker, built once) runs from the same DLLs under both.
#   - `dotnet orchestra start --no-build` (no supervisor running) until all 4 APIs answer /health, against
#     `pm2 start ecosystem` until all 4 answer, with pm2's daemon running and with it not running;
#   - the floor: the 4 APIs' own start, `setsid dotnet apiN.dll` by hand with pm2's environment plus the
#     ASPNETCORE_ENVIRONMENT Orchestra gives them, polled as the others are: what no supervisor can beat;
#   - `start` with nothing to build minus `start --no-build`;
#   - `scale api1=10` until it returns with all healthy, against `pm2 scale api1 10` until all 10 answer; and
#     `scale api1=50`, each from one replica.
# Rounds interleave the contenders, each step on a quiet machine; medians. Usage: bench/warm-start-pm2.sh [repeats=7] [scale-repeats=3]
# Targets: start <= 0.7x pm2 with its daemon running; start - start --no-build <= 0.15 s; scale 10 <= pm2's; scale 50 < 5 s.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
REPEATS=${1:-7}
SCALE_REPEATS=${2:-3}

build_tool
install_pm2 "$OUT/pm2-warm-home"
WS=$(new_workspace warmpm2)
echo "== generating 4 minimal APIs and a worker in $WS"
make_fleet "$WS" 5500
cd "$WS"
FLEET=$OUT/warm-ecosystem.config.js
write_ecosystem "$FLEET" "$WS" 5510
# pm2 scales a fork-mode app by starting copies with the same environment; each copy's port comes from its
# NODE_APP_INSTANCE (0, 1, …) through a shell that execs dotnet.
SCALED=$OUT/warm-scaled.config.js
cat >"$SCALED" <<JS
module.exports = { apps: [{ name: "api1", script: "/bin/sh", interpreter: "none", cwd: "$WS/api1", exec_mode: "fork", instances: 1,
  args: ["-c", "ASPNETCORE_URLS=http://127.0.0.1:\$((5600 + NODE_APP_INSTANCE)) exec dotnet bin/Debug/net10.0/api1.dll"] }] };
JS
ORCHESTRA_PORTS=(5501 5502 5503 5504) PM2_PORTS=(5511 5512 5513 5514) FLOOR_PORTS=(5521 5522 5523 5524)

echo "== one untimed round of each (file cache, Orchestra's evaluation cache, pm2's own start)"
"$ORCHESTRA" start --no-build >/dev/null 2>&1 && "$ORCHESTRA" stop >/dev/null
"$PM2" start "$FLEET" >/dev/null && wait_answering "${PM2_PORTS[@]}" && "$PM2" kill >/dev/null 2>&1

# Each timed step starts on a quiet machine (wait_quiet): the step before it (a stop, a kill) may still be ending.
timed() { local s e; wait_quiet; s=$(now); "$@"; e=$(now); elapsed "$s" "$e"; }
orchestra_start() { "$ORCHESTRA" start "$@" >/dev/null 2>&1 && wait_answering "${ORCHESTRA_PORTS[@]}"; }
pm2_start() { "$PM2" start "$FLEET" >/dev/null && wait_answering "${PM2_PORTS[@]}"; }

# The floor: each API exec'd in a session of its own (as pm2's and Orchestra's are), from its folder, with the
# environment pm2 gives it (this shell's, ASPNETCORE_URLS) and the environments Orchestra injects.
floor_start() {
  local i pids=()
  for i in 1 2 3 4; do
    (cd "$WS/api$i" && ASPNETCORE_URLS=http://127.0.0.1:${FLOOR_PORTS[i - 1]} ASPNETCORE_ENVIRONMENT=Development \
      DOTNET_ENVIRONMENT=Development exec setsid dotnet "bin/Debug/net10.0/api$i.dll" >/dev/null 2>&1) &
    pids+=($!)
  done
  wait_answering "${FLOOR_PORTS[@]}"
  FLOOR_PIDS=("${pids[@]}")
}
stop_floor() { kill "${FLOOR_PIDS[@]}" && wait "${FLOOR_PIDS[@]}" 2>/dev/null || true; }

no_build=() built=() pm2_warm=() pm2_cold=() floor=()
echo "== warm start, $REPEATS rounds, interleaved"
for _ in $(seq 1 "$REPEATS"); do
  no_build+=("$(timed orchestra_start --no-build)"); "$ORCHESTRA" stop >/dev/null
  built+=("$(timed orchestra_start)"); "$ORCHESTRA" stop >/dev/null
  "$PM2" ping >/dev/null
  pm2_warm+=("$(timed pm2_start)"); "$PM2" delete all >/dev/null
  "$PM2" kill >/dev/null 2>&1
  pm2_cold+=("$(timed pm2_start)"); "$PM2" kill >/dev/null 2>&1
  wait_quiet; s=$(now); floor_start; e=$(now); floor+=("$(elapsed "$s" "$e")"); stop_floor
done

orchestra_scale() { "$ORCHESTRA" scale "api1=$1" >/dev/null 2>&1; }
pm2_scale() { "$PM2" scale api1 "$1" >/dev/null && wait_answering $(seq 5600 $((5600 + $1 - 1))); }
# The floor of scaling 1 -> 50: the 49 apps' own start on these cores, exec'd by a bash loop, until all answer (one
# loop polls them all every 50 ms, as Orchestra's probes would). Each in a session of its own, as Orchestra's replicas
# are: with the kernel's autogroup scheduling on (sched_autogroup_enabled), 49 copies in the script's one session share
# one session's CPU against every other session of the machine, and 20 took 25 s here instead of 5.
by_hand_49() {
  local port pids=()
  for port in $(seq 5701 5749); do
    ASPNETCORE_URLS=http://127.0.0.1:$port setsid dotnet "$WS/api1/bin/Debug/net10.0/api1.dll" >/dev/null 2>&1 &
    pids+=($!)
  done
  wait_answering_all $(seq 5701 5749)
  BY_HAND_PIDS=("${pids[@]}")
}
stop_by_hand() { kill "${BY_HAND_PIDS[@]}" && wait "${BY_HAND_PIDS[@]}" 2>/dev/null || true; }
scale10=() scale50=() pm2_scale10=() floor50=()
if ((SCALE_REPEATS > 0)); then
  echo "== scale from 1 replica, $SCALE_REPEATS rounds, interleaved"
  "$ORCHESTRA" start --no-build api1 >/dev/null 2>&1
  "$PM2" start "$SCALED" >/dev/null && wait_answering 5600
  for _ in $(seq 1 "$SCALE_REPEATS"); do
    scale10+=("$(timed orchestra_scale 10)"); orchestra_scale 1
    pm2_scale10+=("$(timed pm2_scale 10)"); "$PM2" scale api1 1 >/dev/null
    scale50+=("$(timed orchestra_scale 50)"); orchestra_scale 1
    wait_quiet; s=$(now); by_hand_49; e=$(now); floor50+=("$(elapsed "$s" "$e")"); stop_by_hand
  done
  "$ORCHESTRA" stop >/dev/null
  "$PM2" kill >/dev/null 2>&1
fi

m_no_build=$(median "${no_build[@]}") m_built=$(median "${built[@]}") m_warm=$(median "${pm2_warm[@]}") m_cold=$(median "${pm2_cold[@]}")
m_floor=$(median "${floor[@]}")
m_s10=$(median "${scale10[@]}") m_p10=$(median "${pm2_scale10[@]}") m_s50=$(median "${scale50[@]}") m_f50=$(median "${floor50[@]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
echo
machine
echo "pm2 $PM2_VERSION (node $(node --version)); load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "until all 4 APIs answer /health (medians of $REPEATS):"
echo "  orchestra start --no-build (no supervisor)  ${m_no_build} s   [${no_build[*]}]"
echo "  orchestra start (nothing to build)          ${m_built} s   [${built[*]}]"
echo "  pm2 start ecosystem, daemon running         ${m_warm} s   [${pm2_warm[*]}]"
echo "  pm2 start ecosystem, daemon not running     ${m_cold} s   [${pm2_cold[*]}]"
echo "  floor: the 4 APIs by hand (setsid dotnet)  ${m_floor} s   [${floor[*]}]"
echo "  ratio start --no-build / pm2 (daemon running): $(ratio "$m_no_build" "$m_warm") (target <= 0.7)"
echo "  ratio floor / pm2 (daemon running): $(ratio "$m_floor" "$m_warm") (the best any supervisor can reach)"
echo "  ratio start --no-build / floor: $(ratio "$m_no_build" "$m_floor")"
echo "  ratio start --no-build / pm2 (daemon not running): $(ratio "$m_no_build" "$m_cold")"
echo "  start - start --no-build: $(awk -v a="$m_built" -v b="$m_no_build" 'BEGIN{printf "%.3f", a-b}') s (target <= 0.15)"
((SCALE_REPEATS > 0)) || exit 0
echo "scale from 1 replica (medians of $SCALE_REPEATS):"
echo "  orchestra scale api1=10 until healthy       ${m_s10} s   [${scale10[*]}]"
echo "  pm2 scale api1 10 until all 10 answer       ${m_p10} s   [${pm2_scale10[*]}]"
echo "  ratio: $(ratio "$m_s10" "$m_p10") (target <= 1.0)"
echo "  orchestra scale api1=50 until healthy       ${m_s50} s   [${scale50[*]}] (target < 5 s)"
echo "  floor: 49 x dotnet api1.dll by a bash loop  ${m_f50} s   [${floor50[*]}]"
echo "  ratio scale 50 / floor: $(ratio "$m_s50" "$m_f50")"
