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

machine() { echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, .NET SDK $(dotnet --version)"; }
