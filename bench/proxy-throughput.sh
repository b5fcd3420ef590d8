#!/usr/bin/env bash
# TcpProxy (a service's public port, src/Orchestra.Runtime/Proxy) against connecting straight to the backend, in one
# process and one run (bench/proxy/Program.cs): short exchanges per second over parallel clients, and bulk MB/s over
# one connection, and round trips per second on kept-alive connections. Prints medians and the ratios proxy/direct.
# Usage: bench/proxy-throughput.sh [exchanges=20000] [clients=4] [bulk MiB=1024] [rounds=3]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

echo "== building bench/proxy (Release)"
dotnet build "$REPO/bench/proxy" -c Release -nologo -v quiet >/dev/null
machine
dotnet "$REPO/bench/proxy/bin/Release/net10.0/ProxyBench.dll" "$@"
