#!/usr/bin/env bash
# Generates a fleet of 8 ASP.NET minimal APIs and times, in one run:
#   cold `dotnet orchestra build` vs cold `dotnet build` of a solution of the same 8 projects,
#   vs 8 sequential cold `dotnet build` calls, and the no-change `dotnet orchestra build`.
# Usage: bench/build-fleet.sh [services=8] [repeats=3]
set -euo pipefail

SERVICES=${1:-8}
REPEATS=${2:-3}
source "$(dirname "$0")/lib.sh"
FLEET="$REPO/bench/out/fleet"

build_tool

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
elapsed() { awk -v s="$1" -v e="$2" 'BEGIN{print e-s}'; }
smaller() { awk -v b="$1" -v t="$2" 'BEGIN{print (b=="" || t<b) ? t : b}'; }
# Times "$@" once from clean (no bin/, obj/ or .orchestra/); prints wall seconds and CPU seconds (user+system of
# the whole process tree, build nodes and compilers included), which other load on the machine disturbs far less.
cold() {
  clean
  local TIMEFORMAT='%R %U %S'
  { time "$@" >/dev/null 2>&1; } 2>&1 | awk '{printf "%.2f %.2f\n", $1, $2 + $3}'
}
sequential() { for d in api*/; do dotnet build "$d" -nologo -v quiet; done; }

echo "== warm-up (fills the file cache; not timed)"
clean; dotnet build "$SOLUTION" -nologo -v quiet >/dev/null

# The three cold builds take turns within each round, so that load from anything else on the machine falls on all
# of them alike rather than on whichever ran while it lasted.
echo "== timing, best of $REPEATS interleaved rounds"
best() { sort -n | head -1; }
runs_orchestra=""; runs_solution=""; runs_sequential=""
for round in $(seq 1 "$REPEATS"); do
  o=$(cold "$ORCHESTRA" build); s=$(cold dotnet build "$SOLUTION" -nologo -v quiet); q=$(cold sequential)
  echo "   round $round (wall cpu): orchestra $o, solution $s, sequential $q"
  runs_orchestra+="$o"$'\n'; runs_solution+="$s"$'\n'; runs_sequential+="$q"$'\n'
done
# Best wall time and best CPU time of the rounds, each on its own.
t_orchestra=$(printf '%s' "$runs_orchestra" | cut -d' ' -f1 | best); c_orchestra=$(printf '%s' "$runs_orchestra" | cut -d' ' -f2 | best)
t_solution=$(printf '%s' "$runs_solution" | cut -d' ' -f1 | best); c_solution=$(printf '%s' "$runs_solution" | cut -d' ' -f2 | best)
t_sequential=$(printf '%s' "$runs_sequential" | cut -d' ' -f1 | best); c_sequential=$(printf '%s' "$runs_sequential" | cut -d' ' -f2 | best)

clean
"$ORCHESTRA" build >/dev/null
best_nochange=""
for _ in 1 2 3 4 5; do
  start=$(now); "$ORCHESTRA" build >/dev/null; end=$(now)
  best_nochange=$(smaller "$best_nochange" "$(elapsed "$start" "$end")")
done
start=$(now); dotnet build "$SOLUTION" -nologo -v quiet >/dev/null; end=$(now)
t_solution_nochange=$(elapsed "$start" "$end")

echo
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), .NET SDK $(dotnet --version), $SERVICES services"
awk -v o="$t_orchestra" -v s="$t_solution" -v q="$t_sequential" -v co="$c_orchestra" -v cs="$c_solution" -v cq="$c_sequential" \
    -v n="$best_nochange" -v sn="$t_solution_nochange" -v count="$SERVICES" 'BEGIN {
  printf "                                      wall      cpu\n"
  printf "cold  dotnet orchestra build         %6.2f s  %6.2f s\n", o, co
  printf "cold  dotnet build (solution)        %6.2f s  %6.2f s   orchestra/solution   = %.2f wall, %.2f cpu (target <= 1.0)\n", s, cs, o/s, co/cs
  printf "cold  %d x dotnet build (sequential)  %6.2f s  %6.2f s   orchestra/sequential = %.2f wall, %.2f cpu\n", count, q, cq, o/q, co/cq
  printf "no-change dotnet orchestra build     %6.3f s             (target < 0.3 s)\n", n
  printf "no-change dotnet build (solution)    %6.2f s\n", sn
}'
