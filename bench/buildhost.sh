#!/usr/bin/env bash
# The warm build host alone (issue 12, point 3): where a rerun's build time goes. Starts `__buildhost` on the minimal
# API of rerun-watch.sh, built once, and asks it to rebuild after each edit of Version.cs, as the supervisor does.
# Prints each request's wall time and the CPU it cost in the host (MSBuild, planning) and in its children (the
# compiler, unless the compiler server runs it). With IDLE seconds, every other request comes after the host sat idle
# that long (the rerun a user makes after reading, and the one rerun-watch.sh makes), and both medians are printed.
# Compiler-server settings are the environment's:
#   bench/buildhost.sh [requests=8] [idle-seconds=0]
#   UseSharedCompilation=true bench/buildhost.sh [requests=8] [idle-seconds=0]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
REQUESTS=${1:-8}
IDLE=${2:-0}

build_tool
WS=$(new_workspace buildhost)
versioned_api "$WS/api"
printf 'port: 5363\n' >"$WS/api/service.yml"
echo "== building once (not timed); UseSharedCompilation=${UseSharedCompilation:-<unset>}"
"$ORCHESTRA" -c "$WS" build >/dev/null

machine
python3 - "$ORCHESTRA" "$WS" "$REQUESTS" "$IDLE" <<'PY'
import json, os, subprocess, sys, time
tool, ws, n, idle = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
# The runtime setting the supervisor starts its host with (BuildHostRuntime), unless the shell has its own.
env = dict(os.environ)
if "DOTNET_TieredPGO" not in env:
    env.update(DOTNET_TieredPGO="0", ORCHESTRA_BUILDHOST_RUNTIME="DOTNET_TieredPGO")
host = subprocess.Popen([tool, "-c", ws, "__buildhost"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1, env=env)
# The tool's apphost runs .NET in its own process: its CPU is the host's, its reaped children's the compiler's.
tick = os.sysconf("SC_CLK_TCK")
def cpu():
    fields = open(f"/proc/{host.pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick
request = json.dumps({"service": "api", "command": "start", "killOutside": True, "rerun": True, "docker": False, "test": False})
rows = []
for i in range(n):
    after_idle = idle > 0 and i % 2 == 1
    if after_idle:
        time.sleep(idle)
    with open(os.path.join(ws, "api/Version.cs"), "w") as f:
        f.write('static class Version { public const string Text = "r%d"; }\n' % i)
    began, (own, kids) = time.time(), cpu()
    host.stdin.write(request + "\n"); host.stdin.flush()
    while not (line := host.stdout.readline()).startswith("##orchestra-prepared "):
        if not line: sys.exit("the build host ended")
    if json.loads(line.split(" ", 1)[1]).get("failure"): sys.exit("the build failed: " + line)
    (own2, kids2) = cpu()
    rows.append((time.time() - began, own2 - own, kids2 - kids, after_idle))
    print("request %d%s: %.2f s wall, host CPU %.2f s, children CPU %.2f s" % (i, " (host starts)" if i == 0 else " (after idling)" if after_idle else "", *rows[-1][:3]), flush=True)
host.stdin.close(); host.wait()
median = lambda xs: sorted(xs)[len(xs) // 2]
for label, idled in (("warm requests" if idle == 0 else "back to back", False), ("after idling %g s" % idle, True)):
    warm = [r for r in rows[1:] if r[3] == idled]
    if warm:
        print("%s (median of %d): %.2f s wall, host CPU %.2f s, children CPU %.2f s" % (label, len(warm), *(median([r[k] for r in warm]) for k in range(3))))
PY
