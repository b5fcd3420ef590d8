# Helpers the fleet benchmarks share; sourced, not run.
# shellcheck shell=bash

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$REPO/bench/out
ORCHESTRA=$OUT/tool/dotnet-orchestra

# Orchestra as users get it: the packed tool (ReadyToRun assemblies included), installed into bench/out/tool.
build_tool() {
  echo "== packing Orchestra and installing it into bench/out/tool"
  local version=0.0.0-bench.$(date +%s)
  rm -rf "$OUT/feed" "$OUT/tool"
  dotnet pack "$REPO/src/Orchestra.Cli" -c Release -p:Version="$version" -p:PackageOutputPath="$OUT/feed" -v quiet -nologo >/dev/null
  dotnet tool install orchestra --version "$version" --add-source "$OUT/feed" --tool-path "$OUT/tool" >/dev/null
}

now() { date +%s.%N; }
elapsed() { awk -v s="$1" -v e="$2" 'BEGIN{printf "%.4f", e-s}'; }
# The median of the numbers given as arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# A fresh workspace folder under bench/out that keeps this repository's Directory.Build.* files out.
new_workspace() {
  local dir=$OUT/$1
  if [[ -d $dir/.orchestra ]]; then "$ORCHESTRA" -c "$dir" stop >/dev/null 2>&1 || true; fi
  rm -rf "$dir" && mkdir -p "$dir"
  echo "<Project />" >"$dir/Directory.Build.props"
  echo "<Project />" >"$dir/Directory.Build.targets"
  printf 'name: %s\n' "$1" >"$dir/orchestra.yml"
  echo "$dir"
}

# Live (non-zombie) processes whose environment names the workspace $1, as Orchestra's replicas carry it.
live_in_workspace() {
  local count=0 pid
  for pid in $(grep -lsaF "ORCHESTRA_WORKSPACE=$1" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3); do
    [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) =~ ^[^ZX]$ ]] && count=$((count + 1))
  done
  echo "$count"
}

# Waits until the machine is quiet: at least 85 % of both cores idle over 250 ms (up to 10 s, then goes on). A timed
# round that starts while the round before still runs its tail (a peer's old process ending, a replica draining, the
# JIT of the app just started) pays for the other side's work.
wait_quiet() {
  local deadline=$((SECONDS + 10)) a b
  while ((SECONDS < deadline)); do
    a=$(head -n 1 /proc/stat); sleep 0.25; b=$(head -n 1 /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN{split(a,x," "); split(b,y," "); t=0; for(i=2;i<=9;i++) t+=y[i]-x[i]; exit !(t > 0 && (y[5]+y[6]-x[5]-x[6]) / t >= 0.85)}' && return 0
  done
  echo "  (the machine did not go quiet within 10 s)" >&2
}

machine() { echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, .NET SDK $(dotnet --version)"; }

# pm2 (the peer of issue 12) from npm into bench/out/pm2, its daemon's home in $1; sets PM2 and exports PM2_HOME.
PM2_VERSION=7.0.4
install_pm2() {
  if [[ ! -x $OUT/pm2/node_modules/.bin/pm2 ]]; then
    echo "== installing pm2 $PM2_VERSION into bench/out/pm2"
    npm install --prefix "$OUT/pm2" "pm2@$PM2_VERSION" --no-audit --no-fund --loglevel=error >/dev/null
  fi
  PM2=$OUT/pm2/node_modules/.bin/pm2
  export PM2_HOME=$1
  "$PM2" kill >/dev/null 2>&1 || true
  rm -rf "$PM2_HOME"
}

# An ASP.NET project file in folder $1, named after the folder (net10.0, nullable, implicit usings).
web_project() {
  mkdir -p "$1"
  cat >"$1/$(basename "$1").csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
</Project>
XML
}

# The rerun benches' minimal API in folder $1: "/" answers Version.Text ("v0" until an edit), "/health" answers ok.
versioned_api() {
  web_project "$1"
  printf 'var app = WebApplication.Create(args);\napp.MapGet("/", () => Version.Text);\napp.MapGet("/health", () => "ok");\napp.Run();\n' >"$1/Program.cs"
  printf 'static class Version { public const string Text = "v0"; }\n' >"$1/Version.cs"
}

# Issue 12's fleet in the workspace $1, built once: 4 ASP.NET minimal APIs (/health, Orchestra's port $2+i) and a worker
# that prints "worker started", then a line with its own timestamp every 500 ms.
make_fleet() {
  local ws=$1 base=$2 i
  for i in 1 2 3 4; do
    mkdir -p "$ws/api$i"
    printf 'port: %d\nhealth: { http: /health }\n' $((base + i)) >"$ws/api$i/service.yml"
    web_project "$ws/api$i"
    # What `dotnet new web` writes: requests (the health probes among them) are not logged at Information.
    printf '{ "Logging": { "LogLevel": { "Default": "Information", "Microsoft.AspNetCore": "Warning" } } }\n' >"$ws/api$i/appsettings.json"
    cat >"$ws/api$i/Program.cs" <<CS
var app = WebApplication.Create(args);
app.MapGet("/", () => "hello from api$i");
app.MapGet("/health", () => Results.Ok());
app.Run();
CS
  done
  mkdir -p "$ws/worker"
  printf 'health: { log: "worker started" }\n' >"$ws/worker/service.yml"
  cat >"$ws/worker/worker.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
</Project>
XML
  # Each line carries the time it was printed, so the collector's timestamp tells how long it took to be collected.
  cat >"$ws/worker/Program.cs" <<'CS'
Console.WriteLine("worker started");
for (var n = 1; ; n++)
{
    await Task.Delay(500);
    Console.WriteLine($"tick {n} {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");
}
CS
  echo "== building the fleet once (not timed)"
  (cd "$ws" && "$ORCHESTRA" build >/dev/null)
}

# A pm2 app running the fleet's built DLL $2 (api1…, worker) of the workspace $1 with `dotnet X.dll`, as JS for an
# ecosystem file; $3 is extra JS properties.
pm2_app() {
  printf '{ name: "%s", script: "dotnet", args: "bin/Debug/net10.0/%s.dll", interpreter: "none", cwd: "%s/%s", autorestart: true, log_date_format: "YYYY-MM-DDTHH:mm:ss.SSSZ", %s }' \
    "$2" "$2" "$1" "$2" "$3"
}

# The fleet's ecosystem file $1 for the workspace $2, the APIs on ports $3+i.
write_ecosystem() {
  local file=$1 ws=$2 base=$3 i apps=()
  for i in 1 2 3 4; do apps+=("$(pm2_app "$ws" "api$i" "env: { ASPNETCORE_URLS: \"http://127.0.0.1:$((base + i))\" }")"); done
  apps+=("$(pm2_app "$ws" worker "")")
  local IFS=,
  printf 'module.exports = { apps: [%s] };\n' "${apps[*]}" >"$file"
}

answers() { curl -sf -o /dev/null "http://127.0.0.1:$1/health"; }
# Whether port $1 answers /health with 200, through bash's /dev/tcp: no process started per check.
answers_in_shell() {
  local status
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET /health HTTP/1.0\r\n\r\n' >&3
  read -r -t 1 _ status _ <&3 || true
  exec 3<&-
  [[ $status == 200 ]]
}
# Returns once every port named answers /health, all polled by one loop every 50 ms (Orchestra's own cadence for a
# starting replica). For many ports: 49 curl loops every 5 ms took more CPU than the 49 apps they waited for.
wait_answering_all() {
  local pending=("$@") left port
  while ((${#pending[@]} > 0)); do
    left=()
    for port in "${pending[@]}"; do answers_in_shell "$port" || left+=("$port"); done
    pending=("${left[@]}")
    ((${#pending[@]} == 0)) || sleep 0.05
  done
}
# Returns once every port named answers /health, each polled every 5 ms in parallel.
wait_answering() {
  local port waiters=()
  for port in "$@"; do
    (until answers "$port"; do sleep 0.005; done) &
    waiters+=($!)
  done
  wait "${waiters[@]}"
}

# The floor for a .NET process's memory: an empty console app that waits forever, built once into bench/out/floor.
build_floor_app() {
  local dir=$OUT/floor
  if [[ ! -f $dir/bin/Release/net10.0/floor.dll ]]; then
    mkdir -p "$dir"
    echo "<Project />" >"$dir/Directory.Build.props"
    echo "<Project />" >"$dir/Directory.Build.targets"
    cat >"$dir/floor.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings><InvariantGlobalization>true</InvariantGlobalization></PropertyGroup>
</Project>
XML
    echo 'await Task.Delay(Timeout.Infinite);' >"$dir/Program.cs"
    dotnet build "$dir" -c Release -nologo -v quiet >/dev/null
  fi
  FLOOR_DLL=$dir/bin/Release/net10.0/floor.dll
}

# VmRSS in KiB of the floor app run with the DOTNET_* settings of the process $1 (the supervisor's own), after 2 s.
floor_rss_kb() {
  local settings pid rss
  mapfile -t settings < <(tr '\0' '\n' <"/proc/$1/environ" | grep '^DOTNET_')
  env "${settings[@]}" dotnet "$FLOOR_DLL" &
  pid=$!
  sleep 2
  rss=$(awk '/^VmRSS:/{print $2}' "/proc/$pid/status")
  kill "$pid" && wait "$pid" 2>/dev/null || true
  echo "$rss"
}
