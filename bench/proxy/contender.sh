#!/usr/bin/env bash
# One best-in-class user-space TCP relay as a plain forwarder on 127.0.0.1, for bench/proxy (CONTENDERS=...):
# listens on the three ports given and forwards each to the backend port given with it. It runs in a cpuacct cgroup
# of its own, so that the CPU of all its processes and threads (socat forks one per connection) is counted; prints
# that cgroup's cpuacct.usage path ("-" where no cgroup can be made), then runs until its standard input closes.
# Usage: contender.sh haproxy|haproxy1|haproxy-splice|nginx|nginx1|socat <port>:<backend port>...
set -euo pipefail
name=$1
shift
dir=$(mktemp -d "/tmp/orchestra-bench-$name.XXXXXX")
cgroup=/sys/fs/cgroup/cpuacct/orchestra-bench-$name-$$
if mkdir "$cgroup" 2>/dev/null && echo $$ >"$cgroup/cgroup.procs" 2>/dev/null; then usage=$cgroup/cpuacct.usage; else usage=-; fi

pids=()
case $name in
  haproxy | haproxy1 | haproxy-splice)
    # The same forwarding as Orchestra's: tcp mode, no health checks; threads one per core (haproxy) or one
    # (haproxy1, as Orchestra's one relay thread). splice-auto splices only when it guesses it pays (here it never
    # did: 16 KiB recv/send); haproxy-splice splices every transfer through its pipes.
    threads=$(nproc)
    [[ $name == haproxy1 ]] && threads=1
    splice='option splice-auto'
    [[ $name == haproxy-splice ]] && splice=$'option splice-request\n  option splice-response'
    {
      printf 'global\n  nbthread %d\n  maxconn 4096\n' "$threads"
      printf 'defaults\n  mode tcp\n  %s\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\n' "$splice"
      for pair in "$@"; do
        printf 'listen l%s\n  bind 127.0.0.1:%s\n  server s 127.0.0.1:%s\n' "${pair%%:*}" "${pair%%:*}" "${pair##*:}"
      done
    } >"$dir/haproxy.cfg"
    haproxy -f "$dir/haproxy.cfg" -db &
    pids+=($!)
    ;;
  nginx | nginx1)
    # The stream module: workers one per core (nginx) or one (nginx1); half-close passed on, as the bulk phase needs.
    workers=auto
    [[ $name == nginx1 ]] && workers=1
    {
      printf 'load_module /usr/lib/nginx/modules/ngx_stream_module.so;\n'
      printf 'worker_processes %s;\nuser root;\npid %s/nginx.pid;\nerror_log %s/error.log;\n' "$workers" "$dir" "$dir"
      printf 'events { worker_connections 4096; }\nstream {\n'
      for pair in "$@"; do
        printf '  server { listen 127.0.0.1:%s; proxy_pass 127.0.0.1:%s; proxy_half_close on; }\n' "${pair%%:*}" "${pair##*:}"
      done
      printf '}\n'
    } >"$dir/nginx.conf"
    nginx -c "$dir/nginx.conf" -p "$dir" -g 'daemon off;' &
    pids+=($!)
    ;;
  socat)
    # A process per connection (fork), Nagle off on both legs.
    for pair in "$@"; do
      socat "TCP-LISTEN:${pair%%:*},bind=127.0.0.1,reuseaddr,fork,backlog=1024,nodelay" "TCP:127.0.0.1:${pair##*:},nodelay" &
      pids+=($!)
    done
    ;;
  *)
    echo "unknown contender: $name (haproxy, haproxy1, haproxy-splice, nginx, nginx1, socat)" >&2
    exit 2
    ;;
esac

echo "$usage"
cat >/dev/null
kill "${pids[@]}" 2>/dev/null || true
wait "${pids[@]}" 2>/dev/null || true
# socat's per-connection children may outlive their parent by a moment: the cgroup is removed once it is empty.
if [[ $usage != - ]]; then
  echo $$ >/sys/fs/cgroup/cpuacct/cgroup.procs
  until rmdir "$cgroup" 2>/dev/null; do sleep 0.05; done
fi
rm -rf "$dir"
