#!/bin/sh
# start-db.sh — the db service's command (PID 1 is tini, which runs this).
#
# The data sets were built with the image (build-datasets.sh): one data directory per data set
# in /var/lib/postgresql/datasets. A start does no bulk loading. On the first start of a
# container it points $PGDATA (a symlink) at this run's data set, sets this run's passwords in
# single-user mode (nothing can connect yet, so the health check stays red) and copies this
# run's database up into the container's writable layer (see below); then it execs postgres.
# A restarted container (docker restart) finds the marker and goes straight to the last step.
#
# Env: DATASET, APP_PASSWORD, REPORT_PASSWORD.
set -eu

PGDATA="${PGDATA:-/var/lib/postgresql/data}"
SOURCE="/var/lib/postgresql/datasets/${DATASET:-orders}"
MARKER=/var/lib/postgresql/.started
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

mkdir -p /var/run/postgresql
chown postgres:postgres /var/run/postgresql
if [ ! -f "$MARKER" ]; then
  started=$(now_ms)
  [ -f "$SOURCE/sickbay-dataset" ] || { echo "init: no data set $SOURCE in this image" >&2; exit 2; }
  ln -sfn "$SOURCE" "$PGDATA"
  python3 /srv/db/set_passwords.py | as_pg postgres --single -D "$PGDATA" -j postgres >/dev/null
  # Postgres opens every relation file read-write, so overlay2 copies a file into the writable
  # layer the first time any session reads it. Do that now for this run's database, before the
  # health check can pass, rather than inside the first customers' lookups.
  copied=$(python3 /srv/db/copy_up.py "$PGDATA")
  touch "$MARKER"
  echo "init: data set ${DATASET:-orders} ready in $(( $(now_ms) - started )) ms (${copied})"
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups postgres -D "$PGDATA"
