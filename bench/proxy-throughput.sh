#!/usr/bin/env bash
# TcpProxy (a service's public port, src/Orchestra.Runtime/Proxy) against connecting straight to the backend, in one
# run (bench/proxy/Program.cs): kept-alive round trips/s over parallel clients, bulk MB/s over one connection, short
# exchanges/s (a connection each), one client's round-trip latency (p50, p99 and what the proxy adds), and the CPU
# each process spent. The proxies (the epoll relay, Linux's default, and the portable relay) run in a child process.
# The load process (clients and backends) and the proxy process share the cores as the scheduler likes; the CPU each
# spent is printed per round trip and per MB, so the proxy's own cost is seen apart from the clients'. With PIN=1 it
# runs a second time with the load process on core 0 and the proxy process on core 1 (the direct runs get core 0
# alone too): the proxy then takes no CPU from the clients and backends, and every hop through it crosses cores.
# As root it runs at nice -10, the same for both sides, so that other sessions' builds on this machine weigh less.
# CONTENDERS="haproxy haproxy1 haproxy-splice nginx nginx1 socat" (any of them, installed with apt: haproxy, nginx and
# libnginx-mod-stream, socat) adds those relays as plain TCP forwarders to the same backends, rotated with the others
# in every round (bench/proxy/contender.sh); without it the bench measures Orchestra's relays alone.
# TRACE=1 also counts each relay's system calls per round trip and per MB (strace -c; counts, not speeds).
# Usage: bench/proxy-throughput.sh [exchanges=20000] [clients=4] [bulk MiB=512] [rounds=3]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

echo "== building bench/proxy (Release)"
dotnet build "$REPO/bench/proxy" -c Release -nologo -v quiet >/dev/null
machine
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
nice=()
if [[ $(id -u) == 0 ]]; then nice=(nice -n -10); fi
bench=(dotnet "$REPO/bench/proxy/bin/Release/net10.0/ProxyBench.dll" "$@")

echo "== shared: load and proxy processes on all $(nproc) cores"
"${nice[@]}" "${bench[@]}"
if [[ ${PIN:-0} == 1 && $(nproc) -ge 2 ]]; then
  echo
  echo "== pinned: load process on core 0, proxy process on core 1"
  PROXY_CPUS=1 "${nice[@]}" taskset -c 0 "${bench[@]}"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
