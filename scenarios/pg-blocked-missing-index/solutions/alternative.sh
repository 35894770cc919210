#!/usr/bin/env bash
# pg-blocked-missing-index: an alternative expert path for the fairness corpus (issue 17). Where
# the reference walks pg_blocking_pids, this one starts from Postgres' own log (log_lock_waits
# names the database, the waiters and the holders) and the backends' process titles seen from
# outside (`docker top`), finds the root with the classic pg_locks self-join (a granted lock that
# someone waits for, held by a session that waits for nobody and runs nothing), ends it with a
# guarded termination (only if that pid is still the same idle transaction that was observed),
# takes the lookup from the app's own slow-query log and EXPLAINs it as a prepared statement,
# builds the index in the background while watching pg_stat_progress_create_index, and checks
# the result through pg_stat_user_indexes and a curl loop from a sidecar in the app's network.
# `npm run scenario:verify -- --fairness` types it like the reference and expects every goal met
# and a total of 85 or more.
#
# Nothing below knows the answer: the database, the blocking session, the table and the column
# are read off the system (the seed picks the data set and one of three blocking patterns).
# Placeholders: $DB   the database container, e.g. sickbay-3f2a9c0b1d4e-db
#               $APP  the lookup API's container
#               $CUSTOMERS_URL  what the customers call (the session page's Customers chart)
# Variables this script sets as it goes: DBNAME, ROOT, XACT, APPNAME, TABLE, LOOKUP, COLUMN,
# SEQ, CATEGORY, BUILD, URL.

# -- 1. Outside first: state, resources, and what the two logs already say ----------------------
docker ps --format 'table {{.Names}}\t{{.Status}}'
docker inspect --format '{{.Name}} health={{.State.Health.Status}} restarts={{.RestartCount}} started={{.State.StartedAt}}' $DB $APP
docker stats --no-stream $DB $APP
docker logs --tail 10 $APP
# Postgres logs every lock wait over deadlock_timeout (log_lock_waits), with the holder's pid.
docker logs --since 5m $DB 2>&1 | grep -E 'still waiting for|Process holding the lock' | tail -n 8
docker logs --since 5m $DB 2>&1 | grep -o 'Process holding the lock: [0-9, ]*' | sort | uniq -c | sort -rn | head -n 5
# The log prefix is user@database: the database the waiters are in.
DBNAME=$(docker logs --since 5m $DB 2>&1 | sed -n -E 's/.*\] [a-z_]+@([a-z_]+) app=.* still waiting for .*/\1/p' | sort | uniq -c | sort -rn | awk 'NR == 1 {print $2}')
echo "lock waits are in database $DBNAME"
# The backends' process titles, from outside: many "... waiting", one "idle in transaction".
docker top $DB -eo pid,etime,args

# -- 2. Read-only inside: who holds what that others wait for (pg_locks) --------------------------
docker exec $DB psql -U postgres -d $DBNAME -c "SELECT state, wait_event_type, count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1, 2 ORDER BY 3 DESC"
#@ evidence
docker exec $DB psql -U postgres -d $DBNAME -c "SELECT w.pid AS waiter, w.mode AS wants, h.pid AS holder, h.mode AS holds, coalesce(w.relation::regclass::text, w.locktype) AS object, a.application_name AS holder_app, a.state AS holder_state, date_trunc('second', now() - a.xact_start) AS holder_xact_age FROM pg_locks w JOIN pg_locks h ON h.granted AND h.pid <> w.pid AND h.locktype = w.locktype AND h.database IS NOT DISTINCT FROM w.database AND h.relation IS NOT DISTINCT FROM w.relation AND h.page IS NOT DISTINCT FROM w.page AND h.tuple IS NOT DISTINCT FROM w.tuple AND h.transactionid IS NOT DISTINCT FROM w.transactionid AND h.virtualxid IS NOT DISTINCT FROM w.virtualxid JOIN pg_stat_activity a ON a.pid = h.pid WHERE NOT w.granted ORDER BY a.xact_start, w.pid LIMIT 25"
# The root holds a lock someone waits for, waits for nothing itself and runs nothing: idle in its transaction.
ROOT=$(docker exec $DB psql -U postgres -d $DBNAME -Atc "SELECT h.pid FROM pg_locks w JOIN pg_locks h ON h.granted AND h.pid <> w.pid AND h.locktype = w.locktype AND h.database IS NOT DISTINCT FROM w.database AND h.relation IS NOT DISTINCT FROM w.relation AND h.page IS NOT DISTINCT FROM w.page AND h.tuple IS NOT DISTINCT FROM w.tuple AND h.transactionid IS NOT DISTINCT FROM w.transactionid AND h.virtualxid IS NOT DISTINCT FROM w.virtualxid JOIN pg_stat_activity a ON a.pid = h.pid WHERE NOT w.granted AND a.state LIKE 'idle in transaction%' AND NOT EXISTS (SELECT 1 FROM pg_locks x WHERE x.pid = h.pid AND NOT x.granted) GROUP BY h.pid, a.xact_start ORDER BY a.xact_start LIMIT 1")
#@ evidence
docker exec $DB psql -U postgres -d $DBNAME -x -c "SELECT pid, usename, application_name, client_addr, backend_start, xact_start, state_change, state, backend_xid, backend_xmin, left(query, 120) AS last_statement FROM pg_stat_activity WHERE pid = $ROOT"
docker exec $DB psql -U postgres -d $DBNAME -c "SELECT locktype, coalesce(relation::regclass::text, transactionid::text, virtualxid) AS object, mode, granted FROM pg_locks WHERE pid = $ROOT"
XACT=$(docker exec $DB psql -U postgres -d $DBNAME -Atc "SELECT xact_start FROM pg_stat_activity WHERE pid = $ROOT")
APPNAME=$(docker exec $DB psql -U postgres -d $DBNAME -Atc "SELECT application_name FROM pg_stat_activity WHERE pid = $ROOT")
# Its client is local (no address): the processes in the db container besides postgres' own backends.
docker exec $DB ps -eo pid,ppid,etime,args | awk '$4 != "postgres:"'
# And the other half of the picture: which table is read whole, over and over?
docker exec $DB psql -U postgres -d $DBNAME -c "SELECT relname, n_live_tup, seq_scan, seq_tup_read, idx_scan FROM pg_stat_user_tables ORDER BY seq_tup_read DESC"
TABLE=$(docker exec $DB psql -U postgres -d $DBNAME -Atc "SELECT relname FROM pg_stat_user_tables ORDER BY seq_tup_read DESC LIMIT 1")

# -- 3. Keep the evidence: sessions, locks, process titles and the db log, as they are now --------
docker exec $DB psql -U postgres -d $DBNAME -c "SELECT now() AS seen_at, pid, pg_blocking_pids(pid) AS blocked_by, usename, application_name, client_addr, state, wait_event_type, wait_event, xact_start, query_start, state_change, query FROM pg_stat_activity" -c "SELECT pid, locktype, relation::regclass AS relation, transactionid, virtualxid, mode, granted FROM pg_locks ORDER BY pid" > sessions-and-locks-before-fix.txt
docker top $DB -eo pid,etime,args > db-processes-before-fix.txt
docker logs --since 15m $DB > db-log-before-fix.txt 2>&1
wc -l sessions-and-locks-before-fix.txt db-processes-before-fix.txt db-log-before-fix.txt

# -- 4. Smallest change: end that one session, guarded: only if it is still the same idle transaction --
docker exec $DB psql -U postgres -d $DBNAME -c "SELECT pid, application_name, pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE pid = $ROOT AND xact_start = '$XACT' AND state LIKE 'idle in transaction%'"
sleep 3
docker exec $DB psql -U postgres -d $DBNAME -c "SELECT count(*) FILTER (WHERE wait_event_type = 'Lock') AS waiting_on_locks, count(*) FILTER (WHERE state LIKE 'idle in transaction%') AS idle_in_transaction, count(*) FILTER (WHERE state = 'active') AS active FROM pg_stat_activity WHERE backend_type = 'client backend'"
docker exec $DB ps -eo pid,ppid,etime,args | awk '$4 != "postgres:"'

# -- 5. Still slow? The app logs its slow statements: take the lookup from there, read its plan ----
# (A loop: the released requests first finish their writes; the lookups' scans show up within seconds.)
LOOKUP=$(for i in $(seq 1 30); do l=$(docker logs --since 20s $APP 2>&1 | grep -o 'slow query ([0-9]* ms): SELECT .*' | tail -n 1); if [ -n "$l" ]; then echo "${l#*: }"; break; fi; sleep 2; done)
echo "$LOOKUP"
COLUMN=$(echo "$LOOKUP" | sed -E 's/.* WHERE ([a-z_]+) = .*/\1/')
echo "lookup on $TABLE.$COLUMN"
docker exec $DB psql -U postgres -d $DBNAME -c "SELECT attname, null_frac, n_distinct FROM pg_stats WHERE tablename = '$TABLE' AND attname = '$COLUMN'"
# Plain EXPLAIN of the statement as the app sends it (a prepared statement; any key will do): no extra scan.
#@ evidence
docker exec $DB psql -U postgres -d $DBNAME -c "PREPARE lookup AS $LOOKUP" -c "EXPLAIN EXECUTE lookup('0')" | tee plan-before-index.txt
SEQ=$(grep -c 'Seq Scan' plan-before-index.txt || true)
CATEGORY=$(if [ -n "$ROOT" ] && [ "$SEQ" -gt 0 ]; then echo blocked-and-unindexed; elif [ -n "$ROOT" ]; then echo blocking-only; else echo missing-index-only; fi)
echo "category: $CATEGORY"

# -- 6. The fix, online and in the background, watched through pg_stat_progress_create_index -----
docker exec $DB psql -U postgres -d $DBNAME -v ON_ERROR_STOP=1 -c "CREATE INDEX CONCURRENTLY ${TABLE}_${COLUMN}_idx ON $TABLE ($COLUMN)" > index-build.log 2>&1 &
BUILD=$!
# (Up to 15 minutes: 3 to 9 minutes were measured on a 2-core host at load 30 to 50.)
#@ timeout=900
while [ -d /proc/$BUILD ]; do docker exec $DB psql -U postgres -d $DBNAME -Atc "SELECT now()::time(0), phase, blocks_done, blocks_total, tuples_done, tuples_total FROM pg_stat_progress_create_index"; sleep 10; done
# The build's own exit status: a failed or cancelled build would leave an INVALID index to drop.
wait $BUILD
cat index-build.log

# -- 7. Verify: the index is valid and used, nobody waits, customers are answered fast ------------
docker exec $DB psql -U postgres -d $DBNAME -c "\d $TABLE"
docker exec $DB psql -U postgres -d $DBNAME -c "PREPARE lookup AS $LOOKUP" -c "EXPLAIN EXECUTE lookup('0')"
docker exec $DB psql -U postgres -d $DBNAME -c "SELECT indexrelname, idx_scan FROM pg_stat_user_indexes WHERE relname = '$TABLE'"
sleep 10
docker exec $DB psql -U postgres -d $DBNAME -c "SELECT indexrelname, idx_scan FROM pg_stat_user_indexes WHERE relname = '$TABLE'"
docker exec $DB psql -U postgres -d $DBNAME -c "SELECT count(*) FILTER (WHERE wait_event_type = 'Lock') AS waiting_on_locks, count(*) FILTER (WHERE state LIKE 'idle in transaction%') AS idle_in_transaction, count(*) FILTER (WHERE state = 'active') AS active FROM pg_stat_activity WHERE backend_type = 'client backend'"
URL=$CUSTOMERS_URL
docker run --rm --network container:$APP sickbay/service:latest sh -c "for i in \$(seq 1 20); do curl -s -o /dev/null -m 2 -w '%{http_code} %{time_total}\n' '$URL'; done" | awk '{n[$1]++; if ($2 > max) max = $2} END {for (c in n) print n[c] " x HTTP " c; print "slowest: " max " s"}'
docker inspect --format '{{.Name}} restarts={{.RestartCount}} started={{.State.StartedAt}}' $DB
# Served normally for 30 s counts as mitigated.
sleep 35

# -- 8. Report -------------------------------------------------------------------------------------
echo "SICKBAY_DIAGNOSIS category=$CATEGORY decision=fix-in-place culprit=$APPNAME"
echo "SICKBAY_REASON Postgres' log and pg_locks showed requests queued on locks held by one session ($APPNAME, pid $ROOT) that waited for nothing and sat idle in its transaction; ending just that backend released them, and the app's slow-query log plus the plan showed the lookup on $TABLE.$COLUMN scanning the whole table, so an index built online fixed the rest without a restart or lost rows."
echo "SICKBAY_UPDATE Impact: customers' lookups on the API were timing out or failing (504/503) while the database looked healthy. Cause: a forgotten maintenance session ($APPNAME) kept its transaction open and held locks that requests queued behind, and the lookup on $TABLE.$COLUMN had no index, so each request read the whole table. We terminated that one session (its uncommitted work was rolled back) and added the index online; lookups answer in milliseconds again, with no restart and no data lost. Next: we will set idle_in_transaction_session_timeout and a lock_timeout for maintenance jobs, and watch lookup latency for the next 30 minutes."
