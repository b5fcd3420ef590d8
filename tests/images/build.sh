#!/usr/bin/env bash
# Builds the Docker images the tests run, with `docker import`: no image registry is reachable here. Each image is a
# root filesystem of Debian's packages (downloaded with apt-get and unpacked, or this machine's installed files),
# every library `ldd` lists for each binary, and the dynamic loader; nothing else. An image that exists is kept
# (`--force` rebuilds). Usage: tests/images/build.sh [--force]
set -euo pipefail

# The tags name the versions Debian 12 ships; the tests name the same images (Orchestra.Testing/TestImages.cs).
REDIS_TAG=7
POSTGRES_TAG=15
DOTNET_TAG=10.0
REDIS_IMAGE=orchestra-test/redis:$REDIS_TAG
POSTGRES_IMAGE=orchestra-test/postgres:$POSTGRES_TAG
RUNTIME_IMAGE=orchestra-test/dotnet-runtime:$DOTNET_TAG
ASPNET_IMAGE=orchestra-test/aspnet:$DOTNET_TAG
LABEL=orchestra.test-image=1
MULTIARCH=x86_64-linux-gnu
here=$(cd "$(dirname "$0")" && pwd)

force=0
case "${1:-}" in
  --force) force=1 ;;
  "") ;;
  *) echo "usage: $0 [--force]" >&2; exit 2 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage=$work/stage # the unpacked packages, anew for each image

log() { printf '%s\n' "$*" >&2; }
# Milliseconds since the epoch, and a duration in seconds with one decimal.
now() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
seconds_since() { local ms=$(($(now) - $1)); printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100)); }
fail() { log "error: $*"; exit 1; }

# Downloads Debian packages and unpacks them into $stage: the named ones, and the libraries among what installing
# them would bring (apt's own choice among alternatives), which ldd needs where this machine lacks them. The package
# lists are fetched when there are none, and again when they went stale (a superseded version's file is gone).
unpack_packages() {
  local wanted=("$@") libraries
  apt-cache show "${wanted[@]}" >/dev/null 2>&1 || apt-get update -qq
  mapfile -t libraries < <(apt-get install -s -qq --no-install-recommends "${wanted[@]}" |
    sed -n 's/^Inst \(lib[^ ]*\) .*/\1/p')
  mkdir -p "$work/debs"
  if ! (cd "$work/debs" && apt-get download -qq "${wanted[@]}" "${libraries[@]}" 2>/dev/null); then
    apt-get update -qq
    (cd "$work/debs" && apt-get download -qq "${wanted[@]}" "${libraries[@]}")
  fi
  local deb
  for deb in "$work"/debs/*.deb; do
    dpkg-deb -x "$deb" "$stage"
  done
  rm -f "$work"/debs/*.deb
}

# An empty root filesystem laid out as Debian 12's (/bin, /lib, /lib64 and /sbin are links into /usr), with a /tmp
# and the users the image runs as.
new_root() {
  local root=$1; shift
  rm -rf "$root"
  mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/etc "$root"/tmp
  chmod 1777 "$root"/tmp
  local dir
  for dir in bin sbin lib lib64; do ln -s "usr/$dir" "$root/$dir"; done
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root"/etc/passwd
  printf 'root:x:0:\n' >"$root"/etc/group
  local user name uid home
  for user in "$@"; do # name:uid:home
    IFS=: read -r name uid home <<<"$user"
    printf '%s:x:%s:%s::%s:/bin/sh\n' "$name" "$uid" "$uid" "$home" >>"$root"/etc/passwd
    printf '%s:x:%s:\n' "$name" "$uid" >>"$root"/etc/group
  done
}

# Where a file of the image comes from: the unpacked packages when they have it, else this machine.
source_of() {
  if [[ -e $stage$1 || -L $stage$1 ]]; then printf '%s' "$stage$1"; else printf '%s' "$1"; fi
}

# Copies files (absolute paths in the image) into the root, from where source_of finds them.
add_files() {
  local root=$1 path; shift
  for path in "$@"; do
    copy_file "$(source_of "$path")" "$root$path"
  done
}

# Copies one file, following links, so that a library lands under the name it is loaded by.
copy_file() {
  [[ -e $1 ]] || fail "${1#"$stage"} is neither in the downloaded packages nor on this machine."
  mkdir -p "$(dirname "$2")"
  cp -L --preserve=mode "$1" "$2"
}

# Copies a folder of the image (its links as they are) into the root.
add_tree() {
  local root=$1 path=$2 from
  from=$(source_of "$path")
  [[ -d $from ]] || fail "$path is neither in the downloaded packages nor on this machine."
  mkdir -p "$root$(dirname "$path")"
  cp -a "$from" "$root$path"
}

# Copies binaries (executables or shared objects, absolute paths in the image) with their libraries.
add_binaries() {
  local root=$1 path; shift
  for path in "$@"; do
    add_files "$root" "$path"
    add_libraries_of "$root" "$(source_of "$path")"
  done
}

# Copies every library ldd lists for a binary, and the dynamic loader, into the root unless it is there already.
# The unpacked packages' libraries are looked up after this machine's, which so only fill its gaps.
add_libraries_of() {
  local root=$1 binary=$2 line lib
  local search="/lib/$MULTIARCH:/usr/lib/$MULTIARCH:$stage/lib/$MULTIARCH:$stage/usr/lib/$MULTIARCH"
  while read -r line; do
    case $line in
      *"=> not found"*) fail "$binary needs ${line%% *}, which neither the downloaded packages nor this machine have." ;;
      *"=> /"*) lib=${line#*=> }; lib=${lib%% (*} ;;
      /*) lib=${line%% (*} ;; # the dynamic loader
      *) continue ;;           # linux-vdso (the kernel's), or a static binary
    esac
    [[ $lib == "$root"/* ]] && continue # a library of the image's own, found beside the binary
    # The very file ldd chose: a downloaded package may hold another library under the same name (libelogind0's
    # libsystemd.so.0), which must not replace this machine's.
    [[ -e $root${lib#"$stage"} ]] || copy_file "$lib" "$root${lib#"$stage"}"
  done < <(LD_LIBRARY_PATH=$search ldd "$binary" || true) # ldd fails on a static binary, which needs nothing
}

# busybox-static as /bin/busybox, with the applets an image's scripts use linked to it.
add_busybox() {
  local root=$1 applet; shift
  add_files "$root" /bin/busybox
  for applet in sh "$@"; do ln -s busybox "$root/usr/bin/$applet"; done
}

# Imports the root as IMAGE with the given Dockerfile instructions (docker import -c), owned by root.
import_root() {
  local root=$1 image=$2 change args=(); shift 2
  for change in "LABEL $LABEL" "$@"; do args+=(-c "$change"); done
  tar -C "$root" --numeric-owner --owner=0 --group=0 -c . | docker import "${args[@]}" - "$image" >/dev/null
}

# Runs a command in a new container of the image and checks that its output has the text: the image's binaries
# start, so none of their libraries is missing.
smoke() {
  local image=$1 expected=$2 output; shift 2
  output=$(docker run --rm --entrypoint "$1" "$image" "${@:2}" 2>&1) ||
    fail "$image does not run '$*': $output"
  [[ $output == *"$expected"* ]] || fail "$image: '$*' printed no '$expected' but: $output"
}

build_redis() {
  local root=$work/redis
  unpack_packages redis-tools busybox-static
  new_root "$root"
  add_busybox "$root"
  # Debian's redis-server is a link to redis-check-rdb, which acts by the name it is started as.
  add_binaries "$root" /usr/bin/redis-check-rdb /usr/bin/redis-cli
  ln -s redis-check-rdb "$root"/usr/bin/redis-server
  mkdir -p "$root"/data
  import_root "$root" "$REDIS_IMAGE" 'WORKDIR /data' 'EXPOSE 6379' \
    'CMD ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "", "--appendonly", "no"]'
  smoke "$REDIS_IMAGE" "v=$REDIS_TAG." redis-server --version
  smoke "$REDIS_IMAGE" "redis-cli $REDIS_TAG." redis-cli --version
}

build_postgres() {
  local root=$work/postgres
  local bin=/usr/lib/postgresql/$POSTGRES_TAG/bin lib=/usr/lib/postgresql/$POSTGRES_TAG/lib
  local share=/usr/share/postgresql/$POSTGRES_TAG
  unpack_packages "postgresql-$POSTGRES_TAG" "postgresql-client-$POSTGRES_TAG" tzdata busybox-static
  new_root "$root" postgres:999:/var/lib/postgresql
  add_busybox "$root" id mkdir chown chmod rm mktemp
  # setpriv from util-linux (busybox's cannot change the user), which Debian always has installed.
  add_binaries "$root" /usr/bin/setpriv
  # The server, initdb, and the clients a health check or a test runs (Debian's /usr/bin/psql is a Perl wrapper).
  add_binaries "$root" "$bin"/{postgres,initdb,pg_isready,psql}
  local tool
  for tool in pg_isready psql; do ln -s "$bin/$tool" "$root/usr/bin/$tool"; done
  # The modules the core server loads (PL/pgSQL, text search dictionaries, encoding conversions, replication):
  # neither contrib nor the LLVM JIT, which runs only when its module is there.
  local modules=("$stage$lib"/{plpgsql,dict_snowball,libpqwalreceiver,pgoutput}.so "$stage$lib"/*_and_*.so)
  add_binaries "$root" "${modules[@]#"$stage"}"
  add_tree "$root" "$share"
  rm -rf "$root$share"/{contrib,man}
  find "$root$share/extension" -type f ! -name 'plpgsql*' -delete
  # Debian builds PostgreSQL to read the system's time zone data.
  add_tree "$root" /usr/share/zoneinfo
  mkdir -p "$root"/usr/local/bin "$root"/var/run/postgresql "$root"/var/lib/postgresql/data
  install -m 0755 "$here/postgres-entrypoint.sh" "$root"/usr/local/bin/docker-entrypoint.sh
  import_root "$root" "$POSTGRES_IMAGE.import" \
    "ENV PATH=/usr/local/bin:/usr/bin:$bin" 'ENV PGDATA=/var/lib/postgresql/data' 'ENV TZ=Etc/UTC' 'EXPOSE 5432' \
    'ENTRYPOINT ["docker-entrypoint.sh"]' 'CMD ["postgres"]'
  # As the official image: postgres shuts down at once on SIGINT, but waits for its clients on SIGTERM. docker import
  # cannot set a stop signal, a build that adds nothing else can (no layer, nothing pulled: its base is local).
  printf 'FROM %s\nSTOPSIGNAL SIGINT\n' "$POSTGRES_IMAGE.import" |
    DOCKER_BUILDKIT=0 docker build -q -t "$POSTGRES_IMAGE" - >/dev/null 2>"$work/build.log" || { cat "$work/build.log" >&2; exit 1; }
  docker rmi "$POSTGRES_IMAGE.import" >/dev/null
  for tool in postgres initdb psql pg_isready; do
    smoke "$POSTGRES_IMAGE" "(PostgreSQL) $POSTGRES_TAG." "$tool" --version
  done
}

# The .NET runtime installed here, newest of the DOTNET_TAG line: $dotnet_root and $runtime_version.
find_dotnet() {
  local host
  host=$(command -v dotnet) || fail "dotnet is not on the PATH: the .NET images are made of the installed runtime."
  dotnet_root=$(dirname "$(readlink -f "$host")")
  runtime_version=$(dotnet --list-runtimes | sed -n "s/^Microsoft.NETCore.App \($DOTNET_TAG\.[0-9]*\) .*/\1/p" | sort -V | tail -n 1)
  [[ -n $runtime_version ]] || fail "no Microsoft.NETCore.App $DOTNET_TAG runtime is installed (dotnet --list-runtimes)."
}

# The dotnet host and shared frameworks, laid out as in Microsoft's images: /usr/share/dotnet, /usr/bin/dotnet, a
# workdir /app and a user app (uid 1654). Arguments: the image, one more Dockerfile instruction (or ""), the frameworks.
build_dotnet() {
  local image=$1 extra=$2 root=$work/dotnet; shift 2
  find_dotnet
  local d=/usr/share/dotnet framework file native=()
  new_root "$root" app:1654:/home/app
  add_busybox "$root"
  mkdir -p "$root$d"/host/fxr "$root"/app "$root"/home/app
  cp -a "$dotnet_root/host/fxr/$runtime_version" "$root$d/host/fxr/"
  for framework in "$@"; do
    [[ -d $dotnet_root/shared/$framework/$runtime_version ]] ||
      fail "$framework $runtime_version is not installed (dotnet --list-runtimes)."
    mkdir -p "$root$d/shared/$framework"
    cp -a "$dotnet_root/shared/$framework/$runtime_version" "$root$d/shared/$framework/"
  done
  # LTTng tracing is optional: the runtime goes on without its provider, whose liblttng-ust Debian does not install.
  rm -f "$root$d/shared/Microsoft.NETCore.App/$runtime_version/libcoreclrtraceptprovider.so"
  cp -L --preserve=mode "$dotnet_root/dotnet" "$root$d/dotnet"
  ln -s ../share/dotnet/dotnet "$root"/usr/bin/dotnet
  mapfile -t native < <(find "$root$d" -name '*.so')
  for file in "$root$d/dotnet" "${native[@]}"; do
    add_libraries_of "$root" "$file"
  done
  # The runtime loads OpenSSL with dlopen, which ldd cannot see; hashing, TLS and a SCRAM login to postgres need it.
  add_binaries "$root" "/usr/lib/$MULTIARCH/libssl.so.3"
  # No ICU: globalization-invariant mode, which the tests' services do not notice.
  import_root "$root" "$image" 'WORKDIR /app' 'ENV PATH=/usr/local/bin:/usr/bin' 'ENV DOTNET_ROOT=/usr/share/dotnet' \
    "ENV DOTNET_VERSION=$runtime_version" 'ENV DOTNET_RUNNING_IN_CONTAINER=true' \
    'ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1' 'ENV APP_UID=1654' ${extra:+"$extra"} 'CMD ["dotnet", "--info"]'
  for framework in "$@"; do
    smoke "$image" "$framework $runtime_version" dotnet --list-runtimes
  done
}

built=0
# Builds an image unless it exists: build IMAGE FUNCTION [ARGS…].
build() {
  local image=$1; shift
  if ((force == 0)) && docker image inspect "$image" >/dev/null 2>&1; then
    log "$image: exists (--force rebuilds it)"
    return
  fi
  local started old size
  started=$(now)
  old=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
  rm -rf "$stage" && mkdir -p "$stage"
  "$@"
  # A rebuild leaves the old image untagged: it goes, unless a container still uses it.
  [[ -z $old ]] || docker rmi "$old" >/dev/null 2>&1 || true
  size=$(docker image inspect -f '{{.Size}}' "$image")
  log "$image: built in $(seconds_since "$started"), $((size / 1000000)) MB"
  built=$((built + 1))
}

docker info >/dev/null 2>&1 || fail "no Docker engine answers (docker info): start dockerd first."
started=$(now)
build "$REDIS_IMAGE" build_redis
build "$POSTGRES_IMAGE" build_postgres
build "$RUNTIME_IMAGE" build_dotnet "$RUNTIME_IMAGE" "" Microsoft.NETCore.App
# Microsoft's ASP.NET image listens on 8080 unless told otherwise (ASPNETCORE_URLS wins).
build "$ASPNET_IMAGE" build_dotnet "$ASPNET_IMAGE" 'ENV ASPNETCORE_HTTP_PORTS=8080' Microsoft.NETCore.App Microsoft.AspNetCore.App
log "test images: $built built, all ready in $(seconds_since "$started")"
