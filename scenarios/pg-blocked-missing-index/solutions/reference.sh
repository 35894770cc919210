#!/usr/bin/env bash
# pg-blocked-missing-index: the reference solution, as the commands a careful engineer types at
# the Sickbay console, in order, one command per line (comments explain; blank lines separate).
#
# Nothing below knows the answer: the database, the blocking session, the table and the column
# are all discovered by the commands themselves (test/integration/pg-blocked-missing-index.test.ts
# runs this file against live sessions of every blocking pattern).
#
# Placeholders, set in the environment by whoever runs it (a learner reads them off `docker ps`):
#   $DB       the database container, e.g. sickbay-3f2a9c-db
#   $APP      the lookup API's container
#   $CUSTOMERS_URL  what the customers call (the session page's Customers chart shows it)
# Variables this script sets as it goes: DBNAME, ROOT, APPNAME, QUERY, TABLE, COLUMN, URL.
# Tiers as in docs/design (external, read-only, snapshot, change).
# Directives for `npm run scenario:verify` (docs/scenarios.md, "Verifying a scenario"): "#@ evidence"
# cites the next line in the diagnosis, "#@ timeout=N" lets it run N seconds; the SICKBAY_* lines
# at the end are the diagnosis and update it submits. To bash they are comments and echoes.

# -- 1. Outside first (external): who is unhappy, and what do the logs already say? ----------------
docker ps --format 'table {{.Names}}\t{{.Status}}'
docker stats --no-stream
# What the customers get is on the session page's Customers chart (they are the lab's own, out of the console's reach).
docker logs --tail 15 $APP
docker logs --tail 20 $DB
# The app's log: statement timeouts and a slow lookup; the db's log: "still waiting for ShareLock ... Process holding the lock".

# -- 2. Read-only inside: what the sessions do, and who waits for whom ------------------------------
DBNAME=$(docker exec $APP printenv PGDATABASE)
docker exec $DB psql -U postgres -d $DBNAME -c "SELECT state, wait_event_type, count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1, 2 ORDER BY 3 DESC"
#@ evidence
docker exec $DB psql -U postgres -d $DBNAME -c "SELECT pid, pg_blocking_pids(pid) AS blocked_by, application_name, wait_event, now() - query_start AS waiting, left(query, 60) AS query FROM pg_stat_activity WHERE cardinality(pg_blocking_pids(pid)) > 0 ORDER BY query_start LIMIT 20"
# The root of the chain blocks others and waits for nobody. "idle in transaction": it runs nothing, it only holds locks.
ROOT=$(docker exec $DB psql -U postgres -d $DBNAME -Atc "SELECT pid FROM pg_stat_activity WHERE pid IN (SELECT unnest(pg_blocking_pids(pid)) FROM pg_stat_activity) AND cardinality(pg_blocking_pids(pid)) = 0 AND state LIKE 'idle in transaction%'")
#@ evidence
docker exec $DB psql -U postgres -d $DBNAME -c "SELECT pid, usename, application_name, client_addr, xact_start, state_change, state, query FROM pg_stat_activity WHERE pid = $ROOT"
APPNAME=$(docker exec $DB psql -U postgres -d $DBNAME -Atc "SELECT application_name FROM pg_stat_activity WHERE pid = $ROOT")
docker exec $DB psql -U postgres -d $DBNAME -c "SELECT locktype, relation::regclass, mode, granted FROM pg_locks WHERE pid = $ROOT"

# -- 3. Snapshot: the evidence dies with that session, so keep it ------------------------------------
docker exec $DB psql -U postgres -d $DBNAME -c "COPY (SELECT now() AS seen_at, pid, pg_blocking_pids(pid) AS blocked_by, usename, application_name, client_addr, state, wait_event_type, wait_event, xact_start, query_start, state_change, query FROM pg_stat_activity) TO STDOUT WITH (FORMAT csv, HEADER)" > incident-activity.csv
docker exec $DB psql -U postgres -d $DBNAME -c "COPY (SELECT l.pid, l.locktype, l.relation::regclass::text, l.mode, l.granted FROM pg_locks l) TO STDOUT WITH (FORMAT csv, HEADER)" > incident-locks.csv
docker logs --tail 300 $DB > incident-db.log 2>&1

# -- 4. Smallest change: end that one session; Postgres rolls its transaction back -----------------
docker exec $DB psql -U postgres -d $DBNAME -c "SELECT pg_terminate_backend($ROOT)"
docker exec $DB psql -U postgres -d $DBNAME -c "SELECT count(*) AS still_blocked FROM pg_stat_activity WHERE cardinality(pg_blocking_pids(pid)) > 0"

# -- 5. Still slow? Read the lookup itself and its plan (read-only) ----------------------------------
# (In a loop because right after the termination the released sessions may still be on their UPDATE: ask again for a few seconds.)
QUERY=$(for i in $(seq 1 20); do q=$(docker exec $DB psql -U postgres -d $DBNAME -Atc "SELECT query FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT % FROM % WHERE % = %' AND pid <> pg_backend_pid() ORDER BY query_start LIMIT 1"); if [ -n "$q" ]; then echo "$q"; break; fi; sleep 1; done)
TABLE=$(echo "$QUERY" | sed -E 's/.* FROM ([a-z_]+) WHERE .*/\1/')
COLUMN=$(echo "$QUERY" | sed -E 's/.* WHERE ([a-z_]+) = .*/\1/')
docker exec $DB psql -U postgres -d $DBNAME -c "\d $TABLE"
docker exec $DB psql -U postgres -d $DBNAME -c "SELECT pg_size_pretty(pg_table_size('$TABLE')) AS size, reltuples::bigint AS approx_rows FROM pg_class WHERE oid = '$TABLE'::regclass"
# Plain EXPLAIN: it shows the plan without running one more full scan on a saturated server.
#@ evidence
docker exec $DB psql -U postgres -d $DBNAME -c "EXPLAIN $QUERY"

# -- 6. The fix, online: reads and writes go on while the index builds ------------------------------
#@ timeout=600
docker exec $DB psql -U postgres -d $DBNAME -c "CREATE INDEX CONCURRENTLY ${TABLE}_${COLUMN}_idx ON $TABLE ($COLUMN)"

# -- 7. Verify: valid index, index plan, no waiters, customers happy ---------------------------------
docker exec $DB psql -U postgres -d $DBNAME -c "SELECT indexrelid::regclass AS index, indisvalid, indisready FROM pg_index WHERE indrelid = '$TABLE'::regclass"
docker exec $DB psql -U postgres -d $DBNAME -c "EXPLAIN $QUERY"
docker exec $DB psql -U postgres -d $DBNAME -c "SELECT state, wait_event_type, count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1, 2 ORDER BY 3 DESC"
URL=$CUSTOMERS_URL
docker run --rm --network container:$APP sickbay/service:latest python3 /opt/sickbay/probe.py --url $URL --count 20 --timeout 2

# The Customers chart shows them served normally again; the report counts the incident mitigated
# after 30 s of it.
sleep 35

# -- 8. Tell people: impact, cause, what was done, what comes next. A learner fills in the session
# page; scenario:verify reads these lines.
echo "SICKBAY_DIAGNOSIS category=blocked-and-unindexed decision=fix-in-place culprit=$APPNAME"
echo "SICKBAY_REASON Ending the one forgotten session ($APPNAME, pid $ROOT) released the locks, and an online index on $TABLE.$COLUMN makes the lookup fast, with no restart and no data lost."
echo "SICKBAY_UPDATE Customers saw lookups time out (504/503) on the API. Cause: a forgotten database session ($APPNAME) held locks that queries queued behind, and the lookup on $TABLE.$COLUMN had no index, so every request scanned the whole table. We ended that one session and built the index online: lookups are fast again, with no restart and no data lost. Next: we will add an idle-in-transaction timeout, a lock_timeout for migrations, and review indexes of the hot queries."
