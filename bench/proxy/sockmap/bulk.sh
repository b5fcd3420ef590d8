#!/usr/bin/env bash
# Issue 12, point 5: whether a kernel-side relay (an eBPF sockhash, relay.bpf.c + relay.c) could take the port proxy
# past the user-space ceiling. Sends <MiB> through it to a sink, then straight to the sink, and prints both rates and
# the ratio; then round trips of one kept-alive client through it and straight. Needs root (to load BPF), clang,
# libbpf-dev and python3. A measurement, not a contender of bench/proxy-throughput.sh: its bulk path is too slow to
# finish that bench's rounds. Usage: bench/proxy/sockmap/bulk.sh [MiB=256] [round trips=20000]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
MIB=${1:-256}
TRIPS=${2:-20000}
dir=$(mktemp -d /tmp/orchestra-sockmap.XXXXXX)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$dir"' EXIT
clang -O2 -g -target bpf -I"/usr/include/$(uname -m)-linux-gnu" -c "$here/relay.bpf.c" -o "$dir/relay.bpf.o"
cc -O2 -Wall "$here/relay.c" -o "$dir/relay" -lbpf
# The sink counts what it received until the sender's half-close and answers the count; the echo answers each message.
python3 - 7402 7403 <<'PY' &
import socket, sys, threading
def serve(port, handle):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', port)); s.listen(64)
    while True:
        c, _ = s.accept(); threading.Thread(target=handle, args=(c,), daemon=True).start()
def sink(c):
    n = 0
    while d := c.recv(1 << 20): n += len(d)
    c.sendall(str(n).encode()); c.close()
def echo(c):
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while d := c.recv(65536): c.sendall(d)
    c.close()
threading.Thread(target=serve, args=(int(sys.argv[1]), sink), daemon=True).start()
serve(int(sys.argv[2]), echo)
PY
pids+=($!)
"$dir/relay" "$dir/relay.bpf.o" 7502:7402 7503:7403 &
pids+=($!)
python3 - "$MIB" "$TRIPS" <<'PY'
import socket, sys, time
mib, trips = int(sys.argv[1]), int(sys.argv[2])
def connect(port):
    for _ in range(200):
        try:
            c = socket.create_connection(('127.0.0.1', port)); c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1); return c
        except ConnectionRefusedError: time.sleep(0.05)
    raise SystemExit(f'nothing listens on {port}')
def bulk(port):
    c = connect(port); chunk = b'x' * (1 << 20); start = time.time()
    for _ in range(mib): c.sendall(chunk)
    sent = time.time() - start
    c.shutdown(socket.SHUT_WR); got = int(c.recv(100) or b'0'); took = time.time() - start
    return got, sent, took
def round_trips(port):
    c = connect(port); start = time.time()
    for i in range(trips):
        c.sendall(b'ping'); c.recv(100)
    return trips / (time.time() - start)
direct = bulk(7402); relayed = bulk(7502)
whole = relayed[0] == mib << 20
print(f'bulk, {mib} MiB: direct {direct[0] / direct[2] / 1e6:.0f} MB/s; through the sockhash {relayed[0]} of {mib << 20} bytes arrived; '
      f'the sender was done after {relayed[1]:.2f} s, the sink answered after {relayed[2]:.2f} s; '
      + (f'ratio {relayed[0] / relayed[2] / (direct[0] / direct[2]):.3f}' if whole else 'no ratio: the half-close overtook data still queued in the kernel'))
d = round_trips(7403); r = round_trips(7503)
print(f'kept-alive round trips, one client (Python on both ends): direct {d:.0f}/s, through the sockhash {r:.0f}/s, ratio {r / d:.2f}')
PY
