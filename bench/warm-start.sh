#!/usr/bin/env bash
# Warm start of a fleet of 4 ASP.NET minimal APIs and 1 worker, already built, in one run:
#   `dotnet orchestra start --no-build` until it returns with all five healthy (the supervisor included: none runs before)
#   vs exec'ing the five built apphosts in parallel and polling their health by hand (curl /health; the worker's line).
# Usage: bench/warm-start.sh [repeats=7]     Target: ratio <= 1.5.
#        START_FLAGS=--noreload bench/warm-start.sh   (what watching for reruns costs)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
REPEATS=${1:-7}
START_FLAGS=${START_FLAGS:-}

build_tool
WS=$(new_workspace warm)
echo "== generating 4 minimal APIs and a worker in $WS"
cd "$WS"
for i in 1 2 3 4; do
  mkdir -p "api$i"
  printf 'port: %d\nhealth: { http: /health }\n' $((5300 + i)) >"api$i/service.yml"
  web_project "api$i"
  cat >"api$i/Program.cs" <<CS
var app = WebApplication.Create(args);
app.MapGet("/", () => "hello from api$i");
app.MapGet("/health", () => Results.Ok());
app.Run();
CS
done
mkdir -p worker
printf 'health: { log: "worker started" }\n' >worker/service.yml
cat >worker/worker.csproj <<'XML'
<Project Sdk="Microsoft.NET.Sdk.Worker">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
  <!-- The hosting packages come with the shared framework, so restore needs no feed. -->
  <ItemGroup><FrameworkReference Include="Microsoft.AspNetCore.App" /></ItemGroup>
</Project>
XML
cat >worker/Program.cs <<'CS'
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddHostedService<Ticker>();
builder.Build().Run();

sealed class Ticker : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Console.WriteLine("worker started");
        while (!stoppingToken.IsCancellationRequested)
            await Task.Delay(1000, stoppingToken);
    }
}
CS

echo "== building the fleet once (not timed)"
"$ORCHESTRA" build >/dev/null
# One untimed round of each warms the file cache and Orchestra's evaluation cache.
"$ORCHESTRA" start --no-build >/dev/null 2>&1 && "$ORCHESTRA" stop >/dev/null

by_hand() {
  local logs=$OUT/warm-by-hand pids=() waiters=() i
  rm -rf "$logs" && mkdir -p "$logs"
  for i in 1 2 3 4; do
    (cd "$WS/api$i" && ASPNETCORE_URLS="http://127.0.0.1:$((5300 + i))" ASPNETCORE_ENVIRONMENT=Development DOTNET_ENVIRONMENT=Development \
      exec "bin/Debug/net10.0/api$i" >"$logs/api$i.log" 2>&1) &
    pids+=($!)
  done
  (cd "$WS/worker" && DOTNET_ENVIRONMENT=Development exec bin/Debug/net10.0/worker >"$logs/worker.log" 2>&1) &
  pids+=($!)
  for i in 1 2 3 4; do
    (until curl -sf -o /dev/null "http://127.0.0.1:$((5300 + i))/health"; do sleep 0.005; done) &
    waiters+=($!)
  done
  (until grep -q "worker started" "$logs/worker.log" 2>/dev/null; do sleep 0.005; done) &
  waiters+=($!)
  wait "${waiters[@]}"
  BY_HAND_PIDS="${pids[*]}"
}

orchestra_times=() hand_times=()
echo "== timing, $REPEATS rounds, interleaved"
for _ in $(seq 1 "$REPEATS"); do
  # shellcheck disable=SC2086
  start=$(now); "$ORCHESTRA" start --no-build $START_FLAGS >/dev/null 2>&1; end=$(now)
  orchestra_times+=("$(elapsed "$start" "$end")")
  "$ORCHESTRA" stop >/dev/null

  start=$(now); by_hand; end=$(now)
  hand_times+=("$(elapsed "$start" "$end")")
  # shellcheck disable=SC2086
  kill $BY_HAND_PIDS && wait $BY_HAND_PIDS 2>/dev/null || true
done

o=$(median "${orchestra_times[@]}")
h=$(median "${hand_times[@]}")
echo
machine
echo "orchestra start --no-build $START_FLAGS (median): ${o} s   [${orchestra_times[*]}]"
echo "5 apphosts by hand (median):         ${h} s   [${hand_times[*]}]"
awk -v o="$o" -v h="$h" 'BEGIN{printf "ratio orchestra/by-hand: %.2f (target <= 1.5)\n", o/h}'
