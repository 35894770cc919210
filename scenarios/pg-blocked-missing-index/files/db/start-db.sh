#!/bin/sh
# start-db.sh — the db service's command (PID 1 is tini, which runs this).
#
# First start of a container: start postgres on its unix socket only (nothing outside can
# connect yet, so the health check stays red), create this run's roles, database and data set
# (gen_sql.py), stop it, then exec the real server listening on TCP. A marker in PGDATA makes a
# restarted container (docker restart) skip straight to the last step: the data stays as it was.
# The marker also keeps the row counts as loaded (dataset=…, rows_main=…, rows_side=…): the
# scenario's fault reads them as the baseline of its "no data lost" goal.
#
# Env: DATASET, ROWS, APP_PASSWORD, REPORT_PASSWORD (see gen_sql.py).
set -eu

PGDATA="${PGDATA:-/var/lib/postgresql/data}"
MARKER="$PGDATA/sickbay-dataset"
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

mkdir -p /var/run/postgresql
chown postgres:postgres /var/run/postgresql
if [ ! -f "$MARKER" ]; then
  started=$(date +%s%N)
  as_pg pg_ctl -D "$PGDATA" -w -t 60 -l /var/lib/postgresql/init.log \
    -o "-c listen_addresses='' -c log_min_messages=warning" start >/dev/null
  python3 /srv/db/gen_sql.py | as_pg psql -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null
  as_pg pg_ctl -D "$PGDATA" -w -t 60 -m fast stop >/dev/null
  { echo "dataset=${DATASET:-orders}"; cat /var/lib/postgresql/sickbay-counts; } > "$MARKER"
  chown postgres:postgres "$MARKER"
  tenths=$(( ($(date +%s%N) - started) / 100000000 ))
  echo "init: database loaded in $((tenths / 10)).$((tenths % 10))s"
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups postgres -D "$PGDATA"
