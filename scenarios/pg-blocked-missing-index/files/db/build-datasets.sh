#!/bin/sh
# build-datasets.sh — run once, when the image is built: one ready Postgres data directory per
# data set in /var/lib/postgresql/datasets/<name>, so a session start does no bulk loading.
#
# Each directory: initdb, our settings, gen_sql.py's roles, database, tables, rows and indexes
# (the lookup column left unindexed), VACUUM (FREEZE, ANALYZE), then a clean shutdown (no
# recovery at start). The roles get no password here: start-db.sh sets this run's passwords.
# `sickbay-dataset` beside the data keeps the data set's name and its row counts as loaded.
set -eu

ROOT=/var/lib/postgresql/datasets
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

mkdir -p "$ROOT"
chown postgres:postgres "$ROOT"
for name in $(python3 -c 'import sys; sys.path.insert(0, "/srv/common"); import datasets; print(" ".join(sorted(datasets.DATASETS)))'); do
  started=$(date +%s)
  dir="$ROOT/$name"
  as_pg initdb -D "$dir" --username=postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  cp /srv/db/postgresql.sickbay.conf "$dir/conf.d.sickbay.conf"
  echo "include 'conf.d.sickbay.conf'" >> "$dir/postgresql.conf"
  printf '%s\n' \
    'local all all trust' \
    'host  all all 127.0.0.1/32 trust' \
    'host  all all ::1/128 trust' \
    'host  all all all scram-sha-256' > "$dir/pg_hba.conf"
  chown postgres:postgres "$dir"/*.conf
  as_pg pg_ctl -D "$dir" -w -t 120 -l /tmp/build-$name.log \
    -o "-c listen_addresses='' -c log_min_messages=warning" start >/dev/null
  DATASET=$name COUNTS_FILE=/tmp/counts-$name python3 /srv/db/gen_sql.py | as_pg psql -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null
  as_pg pg_ctl -D "$dir" -w -t 300 -m fast stop >/dev/null
  { echo "dataset=$name"; cat /tmp/counts-$name; } > "$dir/sickbay-dataset"
  chown postgres:postgres "$dir/sickbay-dataset"
  rm -f /tmp/counts-$name /tmp/build-$name.log "$dir"/postmaster.opts
  echo "built $name in $(( $(date +%s) - started ))s: $(du -sm "$dir" | cut -f1) MB, $(tr '\n' ' ' < "$dir/sickbay-dataset")"
done
