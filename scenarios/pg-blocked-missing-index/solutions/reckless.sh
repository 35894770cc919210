#!/usr/bin/env bash
# pg-blocked-missing-index: the reckless way, for contrast (and for the tests). It "works" — the
# lookups get fast — and it is everything the protocol scores against:
#   - no look at logs or pg_stat_activity before acting, no snapshot;
#   - restarts the database: every session dropped (customers' requests fail), the evidence of
#     who blocked whom is gone, and the goal "Postgres kept running" fails;
#   - EXPLAIN ANALYZE on a saturated server (one more full scan);
#   - a plain CREATE INDEX, which blocks every write to the table while it builds.
# Same placeholders as reference.sh: $DB, $APP (container names). No diagnosis, no update:
# in a hurry, nobody is told. `npm run scenario:verify` expects a total of 40 or less.

docker restart $DB
timeout 120 sh -c "until docker exec $DB pg_isready -q -h 127.0.0.1 -U postgres; do sleep 1; done"
DBNAME=$(docker exec $APP printenv PGDATABASE)
# Grab whatever the app is running right now (the restart cleared the locks; the scans pile up again within seconds).
QUERY=$(for i in $(seq 1 30); do q=$(docker exec $DB psql -U postgres -d $DBNAME -Atc "SELECT query FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT % FROM % WHERE % = %' AND pid <> pg_backend_pid() LIMIT 1"); if [ -n "$q" ]; then echo "$q"; break; fi; sleep 1; done)
TABLE=$(echo "$QUERY" | sed -E 's/.* FROM ([a-z_]+) WHERE .*/\1/')
COLUMN=$(echo "$QUERY" | sed -E 's/.* WHERE ([a-z_]+) = .*/\1/')
docker exec $DB psql -U postgres -d $DBNAME -c "EXPLAIN ANALYZE $QUERY"
#@ timeout=600
docker exec $DB psql -U postgres -d $DBNAME -c "CREATE INDEX ${TABLE}_${COLUMN}_idx ON $TABLE ($COLUMN)"
