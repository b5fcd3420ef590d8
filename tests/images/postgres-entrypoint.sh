#!/bin/sh
# The entrypoint of orchestra-test/postgres, with the official image's contract: started as root, it gives $PGDATA
# to postgres (a new named volume is root's) and drops to it; on the first start, an empty $PGDATA, it runs initdb
# with $POSTGRES_PASSWORD for connections over TCP; then it execs the command, so that postgres is PID 1 and gets
# the stop signal itself.
set -eu

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  # Only the top: postgres creates everything below it, as itself.
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  # By its path: busybox's shell would run its own setpriv applet, which cannot change the user.
  exec /usr/bin/setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "error: set POSTGRES_PASSWORD, the password of user postgres for connections over TCP." >&2
    exit 1
  fi
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  # The C locale needs no locale files in the image.
  initdb --username=postgres --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C -D "$PGDATA"
  rm -f "$pwfile"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  printf 'host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
fi

exec "$@"
