#!/usr/bin/env bash
# Vendors in Docker (issue 10), with the test images of tests/images/build.sh, in one run:
#  1. a second `vendors up` of 2 vendors (postgres, redis) with nothing changed, against `docker inspect` of the two
#     containers (the least any tool asks of the engine to know they are there). Target: under 0.3 s.
#  2. `vendors up` of a fresh postgres (no container, no volume) until healthy, against `docker run` of the same
#     container and polling `pg_isready` in it by hand at the same interval. Target: ratio <= 1.1.
# Usage: bench/vendors.sh [repeats=7]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
REPEATS=${1:-7}
INTERVAL=0.1
docker info >/dev/null 2>&1 || { echo "a Docker engine is needed (dockerd)" >&2; exit 2; }
"$REPO/tests/images/build.sh" >/dev/null

build_tool
WS=$(new_workspace vbench)
cd "$WS"
cat >>orchestra.yml <<YAML
vendors:
  postgres:
    image: orchestra-test/postgres:15
    ports: ["5432"]
    env: { POSTGRES_PASSWORD: dev }
    volumes: ["pgdata:/var/lib/postgresql/data"]
    health: { command: [pg_isready, -h, 127.0.0.1, -U, postgres], interval: 100ms }
  redis:
    image: orchestra-test/redis:7
    ports: ["6379"]
    health: { command: [redis-cli, ping], interval: 100ms }
YAML
trap '"$ORCHESTRA" vendors down --volumes >/dev/null 2>&1 || true; "$ORCHESTRA" stop >/dev/null 2>&1 || true; docker rm -f vbench-peer >/dev/null 2>&1 || true; docker volume rm vbench-peer-data >/dev/null 2>&1 || true' EXIT

# Runs "$@" and prints its wall time in seconds.
timed() {
  local start end
  start=$(now)
  "$@" >/dev/null 2>&1
  end=$(now)
  elapsed "$start" "$end"
}

echo "== 1. second 'vendors up', nothing changed ($REPEATS runs)"
"$ORCHESTRA" vendors up >/dev/null
again=() inspect=()
for ((i = 0; i < REPEATS; i++)); do
  again+=("$(timed "$ORCHESTRA" vendors up)")
  inspect+=("$(timed docker inspect orchestra-vbench-postgres orchestra-vbench-redis)")
done
again_median=$(median "${again[@]}") inspect_median=$(median "${inspect[@]}")
printf 'second vendors up: median %.3f s   docker inspect of both: median %.3f s   ratio %.2f\n' \
  "$again_median" "$inspect_median" "$(awk -v a="$again_median" -v b="$inspect_median" 'BEGIN{print a/b}')"

echo "== 2. a fresh postgres until healthy ($REPEATS runs each, alternating)"
peer_up() {
  docker run -d --name vbench-peer -p 127.0.0.1::5432 -e POSTGRES_PASSWORD=dev -v vbench-peer-data:/var/lib/postgresql/data orchestra-test/postgres:15 >/dev/null
  until docker exec vbench-peer pg_isready -h 127.0.0.1 -U postgres >/dev/null 2>&1; do sleep "$INTERVAL"; done
}
peer_down() { docker rm -f vbench-peer >/dev/null; docker volume rm vbench-peer-data >/dev/null; }
ours=() theirs=()
for ((i = 0; i < REPEATS; i++)); do
  "$ORCHESTRA" vendors down --volumes >/dev/null
  ours+=("$(timed "$ORCHESTRA" vendors up postgres)")
  theirs+=("$(timed peer_up)")
  peer_down
done
ours_median=$(median "${ours[@]}") theirs_median=$(median "${theirs[@]}")
printf 'vendors up postgres: median %.3f s   docker run + pg_isready loop: median %.3f s   ratio %.2f\n' \
  "$ours_median" "$theirs_median" "$(awk -v a="$ours_median" -v b="$theirs_median" 'BEGIN{print a/b}')"
