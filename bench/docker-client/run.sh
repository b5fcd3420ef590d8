#!/usr/bin/env bash
# Docker.DotNet 3.125.15 against Docker.DotNet.Enhanced 4.3.3 on the local engine: builds both probes, runs
# them one after the other, and prints their results side by side as a Markdown table.
#   bench/docker-client/run.sh
# Needs a running engine (DOCKER_HOST or /var/run/docker.sock) and busybox on the host; no image registry.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$HERE/../lib.sh"
RESULTS=$OUT/docker-client
IMAGE=orchestra-dclient-probe:1
PROBES=(classic:DockerClassic enhanced:DockerEnhanced)

# The probes' containers run this: busybox (statically linked) with the applets they call.
ensure_image() {
  docker image inspect "$IMAGE" >/dev/null 2>&1 && return
  echo "== building $IMAGE from the host's busybox"
  local rootfs
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs/bin"
  cp "$(command -v busybox)" "$rootfs/bin/busybox"
  for applet in sh sleep awk echo; do ln -s busybox "$rootfs/bin/$applet"; done
  tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
  rm -rf "$rootfs"
}

# Appends "check<TAB>result" lines about the build itself: warnings under the repository's Nullable and
# TreatWarningsAsErrors settings, what the package pulls in, and what the trimmer says about it.
build_facts() {
  local dir=$1 name=$2 tsv=$3 log
  log=$(dotnet publish "$HERE/$dir" -c Release -o "$RESULTS/$dir" -nologo 2>&1) ||
    { echo "$log"; echo "build of $dir failed" >&2; exit 1; }
  printf 'builds with Nullable + TreatWarningsAsErrors\t%s\n' \
    "yes, $(grep -c 'warning ' <<<"$log" || true) warnings" >>"$tsv"
  local deps=$RESULTS/$dir/$name.deps.json
  local packages
  packages=$(jq -r '.libraries | to_entries[] | select(.value.type == "package") | .key' "$deps" | sort)
  printf 'NuGet packages pulled in\t%s: %s\n' "$(wc -l <<<"$packages")" "$(paste -sd ' ' <<<"$packages")" >>"$tsv"
  # Every assembly the packages bring, as listed in the runtime section of deps.json.
  local bytes=0 count=0 file
  for file in $(jq -r '.targets[] | to_entries[] | select(.key | test("^(Orchestra|Docker(Classic|Enhanced))") | not)
                       | .value.runtime // {} | keys[]' "$deps" | xargs -n1 basename | sort -u); do
    bytes=$((bytes + $(stat -c %s "$RESULTS/$dir/$file"))); count=$((count + 1))
  done
  printf 'assemblies shipped (size)\t%s (%s KiB)\n' "$count" "$((bytes / 1024))" >>"$tsv"

  log=$(dotnet publish "$HERE/$dir" -c Release -r linux-x64 --self-contained -p:PublishTrimmed=true \
    -p:TreatWarningsAsErrors=false -p:TrimmerSingleWarn=false -o "$RESULTS/$dir-trimmed" -nologo 2>&1) ||
    { echo "$log"; echo "trimmed publish of $dir failed" >&2; exit 1; }
  local trim
  trim=$({ grep -oE 'warning IL[0-9]+' <<<"$log" || true; } | sort | uniq -c | awk '{printf "%s%s×%s", sep, $3, $1; sep=", "}')
  printf 'trim warnings (PublishTrimmed)\t%s\n' "${trim:-none}" >>"$tsv"
  local smoke
  if smoke=$("$RESULTS/$dir-trimmed/$name" "$IMAGE" --smoke 2>&1); then
    smoke=$(tail -1 <<<"$smoke" | cut -f2)
  else
    smoke="crashes: $(grep -m1 -E 'Exception' <<<"$smoke" | sed 's/^Unhandled exception. //') at $(grep -m1 -oE 'at Docker\.DotNet\.[^(]+' <<<"$smoke" | cut -c4-)"
  fi
  printf 'trimmed build runs (version, exec)\t%s\n' "$smoke" >>"$tsv"
}

main() {
  mkdir -p "$RESULTS"
  docker version --format '{{.Server.Version}}' >/dev/null
  ensure_image
  local probe dir name
  for probe in "${PROBES[@]}"; do
    dir=${probe%%:*} name=${probe##*:}
    echo "== $dir: build, publish, trim"
    : >"$RESULTS/$dir.tsv"
    build_facts "$dir" "$name" "$RESULTS/$dir.tsv"
    echo "== $dir: probe"
    "$RESULTS/$dir/$name" "$IMAGE" >>"$RESULTS/$dir.tsv"
  done
  echo
  machine
  echo "engine: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
  echo
  # Rows in the order the first probe printed them; a check only one probe printed shows "-" for the other.
  awk -F'\t' '
    FNR == 1 { file++ }
    file == 1 { order[++n] = $1; a[$1] = $2; next }
    { b[$1] = $2; if (!($1 in a)) order[++n] = $1 }
    END {
      printf "| check | %s | %s |\n|---|---|---|\n", a["package"], b["package"]
      for (i = 1; i <= n; i++) if (order[i] != "package")
        printf "| %s | %s | %s |\n", order[i], (order[i] in a) ? a[order[i]] : "-", (order[i] in b) ? b[order[i]] : "-"
    }' "$RESULTS/classic.tsv" "$RESULTS/enhanced.tsv"
}

main "$@"
