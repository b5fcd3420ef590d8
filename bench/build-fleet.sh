#!/usr/bin/env bash
# Generates a fleet of 8 ASP.NET minimal APIs and times, in one run:
#   cold `dotnet orchestra build` vs cold `dotnet build` of a solution of the same 8 projects,
#   vs 8 sequential cold `dotnet build` calls, and the no-change `dotnet orchestra build`.
# Usage: bench/build-fleet.sh [services=8] [repeats=2]
set -euo pipefail

SERVICES=${1:-8}
REPEATS=${2:-2}
REPO=$(cd "$(dirname "$0")/.." && pwd)
FLEET="$REPO/bench/out/fleet"
ORCHESTRA="$REPO/bench/out/tool/dotnet-orchestra"

echo "== building Orchestra (Release)"
dotnet build "$REPO/src/Orchestra.Cli" -c Release -o "$REPO/bench/out/tool" -v quiet -nologo >/dev/null

echo "== generating $SERVICES minimal APIs in $FLEET"
rm -rf "$FLEET"
mkdir -p "$FLEET"
cd "$FLEET"
echo "name: fleet" > orchestra.yml
# Stop MSBuild from picking up this repository's own Directory.Build.* files above the fleet.
echo "<Project />" > Directory.Build.props
echo "<Project />" > Directory.Build.targets
for i in $(seq 1 "$SERVICES"); do
  name="api$i"
  mkdir -p "$name"
  echo "port: $((5100 + i))" > "$name/service.yml"
  cat > "$name/$name.csproj" <<PROJ
<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
</Project>
PROJ
  cat > "$name/Program.cs" <<CS
var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/", () => "hello from $name");
app.MapGet("/health", () => Results.Ok());
app.Run();
CS
done
dotnet new sln -n Fleet -o . >/dev/null
dotnet sln Fleet.sln* add $(ls -d api*/ | sed 's|/$||' | while read -r d; do echo "$d/$d.csproj"; done) >/dev/null
SOLUTION=$(ls Fleet.sln*)

clean() { rm -rf api*/bin api*/obj .orchestra; }
now() { date +%s.%N; }
# Runs "$@" cold $REPEATS times and prints the best wall time in seconds.
cold() {
  local best=""
  for _ in $(seq 1 "$REPEATS"); do
    clean
    local start end
    start=$(now)
    "$@" >/dev/null
    end=$(now)
    best=$(awk -v b="$best" -v t="$(awk -v s="$start" -v e="$end" 'BEGIN{print e-s}')" 'BEGIN{print (b=="" || t<b) ? t : b}')
  done
  echo "$best"
}
sequential() { for d in api*/; do dotnet build "$d" -nologo -v quiet; done; }

echo "== warm-up (fills the file cache; not timed)"
clean; dotnet build "$SOLUTION" -nologo -v quiet >/dev/null

echo "== timing, best of $REPEATS"
t_orchestra=$(cold "$ORCHESTRA" build)
t_solution=$(cold dotnet build "$SOLUTION" -nologo -v quiet)
t_sequential=$(cold sequential)

clean
"$ORCHESTRA" build >/dev/null
best_nochange=""
for _ in 1 2 3 4 5; do
  start=$(now); "$ORCHESTRA" build >/dev/null; end=$(now)
  t=$(awk -v s="$start" -v e="$end" 'BEGIN{print e-s}')
  best_nochange=$(awk -v b="$best_nochange" -v t="$t" 'BEGIN{print (b=="" || t<b) ? t : b}')
done
start=$(now); dotnet build "$SOLUTION" -nologo -v quiet >/dev/null; end=$(now)
t_solution_nochange=$(awk -v s="$start" -v e="$end" 'BEGIN{print e-s}')

echo
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, .NET SDK $(dotnet --version), $SERVICES services"
awk -v o="$t_orchestra" -v s="$t_solution" -v q="$t_sequential" -v n="$best_nochange" -v sn="$t_solution_nochange" 'BEGIN {
  printf "cold  dotnet orchestra build         %6.2f s\n", o
  printf "cold  dotnet build (solution)        %6.2f s   orchestra/solution   = %.2f (target <= 1.0)\n", s, o/s
  printf "cold  %d x dotnet build (sequential)  %6.2f s   orchestra/sequential = %.2f\n", '"$SERVICES"', q, o/q
  printf "no-change dotnet orchestra build     %6.3f s   (target < 0.3 s)\n", n
  printf "no-change dotnet build (solution)    %6.2f s\n", sn
}'
