#!/usr/bin/env bash
# Times `dotnet orchestra config --json` on a generated workspace of 30 services, against the floor
# every .NET tool pays: an empty console app's start. Usage: bench/config-30.sh [runs]
set -euo pipefail
runs=${1:-20}
source "$(dirname "$0")/lib.sh"
out=$OUT
mkdir -p "$out"

build_tool
tool=$ORCHESTRA

# The floor: a console app that does nothing, built the same way.
floor=$out/floor
if [[ ! -x $floor/bin/Release/net10.0/floor ]]; then
  rm -rf "$floor" && mkdir -p "$floor"
  cat >"$floor/floor.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImportDirectoryBuildProps>false</ImportDirectoryBuildProps></PropertyGroup>
</Project>
XML
  echo 'return 0;' >"$floor/Program.cs"
  (cd "$floor" && dotnet build -c Release -v q -nologo -p:ImportDirectoryBuildTargets=false >/dev/null)
fi

ws=$out/ws30
rm -rf "$ws" && mkdir -p "$ws"
printf 'name: bench\nenv: { ASPNETCORE_ENVIRONMENT: Development }\n' >"$ws/orchestra.yml"
for i in $(seq -w 1 30); do
  mkdir -p "$ws/svc$i"
  echo '<Project Sdk="Microsoft.NET.Sdk.Web" />' >"$ws/svc$i/Svc$i.csproj"
  deps=""
  ((10#$i > 1)) && deps="depends_on: [svc$(printf '%02d' $((10#$i - 1)))]"
  printf 'port: %d\nhealth: { http: /health }\nenv: { Feature__%s: "on" }\n%s\n' $((6000 + 10#$i)) "$i" "$deps" >"$ws/svc$i/service.yml"
done

# Median wall time in milliseconds of $runs runs of a command.
median_ms() {
  local times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    times+=($(((end - start) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

"$tool" -c "$ws" config --json >/dev/null # warm the disk cache
config=$(median_ms "$tool" -c "$ws" config --json)
empty=$(median_ms "$floor/bin/Release/net10.0/floor")
echo "config --json, 30 services: ${config} ms (median of $runs)"
echo "empty .NET console app:     ${empty} ms"
awk -v a="$config" -v b="$empty" 'BEGIN { printf "ratio config/empty app:      %.2f\n", a / b }'
