#!/usr/bin/env bash
# healthy-but-hanging: the reference solution, as the commands a careful on-call types at the
# Sickbay console, in order, one command per line (comments explain; blank lines separate).
#
# Nothing below knows the answer: which dependency hangs, its process and whether the API is
# stuck on its worker pool or on a cache lock are all found by the commands themselves.
# `npm run scenario:verify` types this file into live sessions and expects every goal met and a
# total of 85 or more (docs/scenarios.md, "Verifying a scenario").
#
# Placeholders, replaced by whoever runs it (a learner reads them off `docker ps`):
#   $API      the quote API's container, e.g. sickbay-3f2a9c0b1d4e-api
#   $CUSTOMERS_URL  what the customers call (the session page's Customers chart shows it)
#   (the dependencies $CATALOG, $STOCK and $RATES are found from the API's connections instead)
# Variables this script sets as it goes: URL, HEALTH, APIPORT, PEER, DEPNAME, DEP, PID, CATEGORY.
# Directives: "#@ evidence" cites the next line in the diagnosis; "#@ may-fail" lets it exit non-zero.

# -- 1. Outside first (external): what do Docker, the customers and the API's log say? -------------
docker ps --format 'table {{.Names}}\t{{.Status}}'
docker stats --no-stream
# What the customers get is on the session page's Customers chart (they are the lab's own, out of the console's reach).
docker logs --tail 25 $API
docker inspect --format 'health={{.State.Health.Status}} failing-streak={{.State.Health.FailingStreak}} restarts={{.RestartCount}} started={{.State.StartedAt}}' $API
# Everything "healthy", CPU and memory idle, yet the customers see only errors (timeouts), and the API's log shows /healthz 200 in 0 ms between quotes that end in 504 after 20 s.

# -- 2. The lie, side by side: the health check's path and the customers' path --------------------
URL=$CUSTOMERS_URL
HEALTH=$(echo "$URL" | sed 's#/api/.*#/healthz#')
docker run --rm --network container:$API sickbay/service:latest curl -sS -m 3 -o /dev/null -w 'healthz: HTTP %{http_code} in %{time_total}s\n' $HEALTH
#@ may-fail
docker run --rm --network container:$API sickbay/service:latest curl -sS -m 3 -o /dev/null -w 'quote: HTTP %{http_code} in %{time_total}s\n' $URL
# /healthz answers at once; the quote times out. The process is up, the work is stuck somewhere.

# -- 3. Read-only inside: whom is the API connected to, and waiting for? ---------------------------
APIPORT=$(echo "$URL" | sed -E 's#^http://[^:/]+:([0-9]+)/.*#\1#')
docker exec $API ss -tn
# Outgoing connections (local port is not the API's own) that stay ESTABLISHED with nothing received: the calls that hang.
PEER=$(docker exec $API ss -Htn state established | awk -v p=":$APIPORT" 'substr($3, length($3) - length(p) + 1) != p {print $4}' | sort | uniq -c | sort -rn | awk 'NR == 1 {print $2}')
DEPNAME=$(docker exec $API getent hosts catalog stock rates | awk -v ip="${PEER%:*}" '$1 == ip {print $2}')
DEP=$(docker ps --format '{{.Names}}' | grep -- "-$DEPNAME\$")
echo "the API's hanging calls go to $PEER: $DEPNAME ($DEP)"

# -- 4. Keep the evidence (it lives in memory: sockets, threads), then ask for the threads' stacks --
docker exec $API ss -tnp > api-sockets-before-fix.txt
docker exec $API kill -USR1 1
sleep 1
docker logs --tail 400 $API 2>&1 | sed -n '/thread dump/,/end of thread dump/p' > api-thread-dump.txt
grep -E 'thread dump|with this stack|api.py|cache lock' api-thread-dump.txt | head -n 40
# Pool: every upstream-worker sits in recv() inside fetch_<dep>. Lock: a refresh-<dep> thread holds that cache's lock while in recv(), every request waits for the lock.
CATEGORY=$(grep -q 'holds the .* cache lock' api-thread-dump.txt && echo lock-held || echo pool-exhausted)

# -- 5. The dependency itself: why does it never answer? --------------------------------------------
#@ evidence
docker exec $DEP ps -o pid,stat,etime,comm
docker exec $DEP ss -tln
docker logs --tail 3 $DEP
docker exec $DEP ls -lt /var/log
docker exec $DEP cat /var/log/backup.log
# STAT "T": the service process is stopped (SIGSTOP by the backup that never thawed it). Its listening socket still queues connections (Recv-Q), so callers connect and wait forever; its log went quiet when it stopped.
PID=$(docker exec $DEP ps -eo pid=,stat= | awk '$2 ~ /^T/ {print $1}')
docker exec $DEP ps -o pid,stat,comm > dependency-processes-before-fix.txt

# -- 6. Smallest change: resume that one process; no restart anywhere --------------------------------
docker exec $DEP kill -CONT $PID

# -- 7. Verify: running again, quotes answer, the customers see it, nothing restarted ------------------
docker exec $DEP ps -o pid,stat,comm
docker run --rm --network container:$API sickbay/service:latest curl -sS -m 3 -o /dev/null -w 'quote: HTTP %{http_code} in %{time_total}s\n' $URL
docker inspect --format 'restarts={{.RestartCount}} started={{.State.StartedAt}}' $API
# The Customers chart shows them served normally again; the report counts the incident mitigated after 30 s of it.
sleep 40

# -- 8. Report. A learner fills in the session page; scenario:verify reads these lines. --------------
echo "SICKBAY_DIAGNOSIS category=$CATEGORY decision=fix-in-place culprit=$DEPNAME"
echo "SICKBAY_REASON The $DEPNAME service was only stopped (SIGSTOP), not broken: resuming its process (kill -CONT $PID) let the hanging calls finish, while a restart of the API would have hung again on the same calls and lost the thread state that explained it."
echo "SICKBAY_UPDATE Customers could not get price quotes: every quote request timed out for several minutes while the health check stayed green. Cause: the $DEPNAME dependency had been frozen (SIGSTOP) by a backup job that failed before resuming it; the API calls it without a timeout, so its requests hung and /healthz, which checks nothing behind it, never noticed. We have resumed the $DEPNAME process and quotes are answering again, with no restart. Next: we will add timeouts to dependency calls, a readiness check that covers the dependencies, and fix the backup job so it always resumes the service."
