#!/usr/bin/env bash
# healthy-but-hanging: an alternative expert path for the fairness corpus (issue 17). It never
# execs into a container: the thread dump is asked for from outside (`docker kill -s USR1`, the
# signal the API's first log line invites), the API's connections are read from a sidecar in its
# network namespace, the hanging dependency is found by its address in `docker inspect`, and its
# stopped process is seen and resumed from a sidecar joining its PID namespace
# (`docker run --pid container:...`). `npm run scenario:verify -- --fairness` types it like the
# reference and expects every goal met and a total of 85 or more.
#
# Nothing below knows the answer: which dependency hangs, its process and whether the API is
# stuck on its worker pool or a cache lock are read off the system.
# Placeholders: $API  the quote API's container, e.g. sickbay-3f2a9c0b1d4e-api
#               $CUSTOMERS_URL  what the customers call (the session page's Customers chart)
# Variables this script sets as it goes: S, URL, HEALTH, APIPORT, PEER, DEP, DEPNAME, PID, CATEGORY.

# -- 1. Outside first: what do Docker, the customers and the API's log say? -----------------------
docker ps --format 'table {{.Names}}\t{{.Status}}'
docker stats --no-stream
docker logs --tail 25 $API
docker inspect --format 'health={{.State.Health.Status}} restarts={{.RestartCount}} started={{.State.StartedAt}}' $API
# Everything "healthy" and idle, yet quotes end in 504 after 20 s while /healthz answers in 0 ms.

# -- 2. The threads' stacks, from outside: the API answers SIGUSR1 with a thread dump --------------
docker kill -s USR1 $API
sleep 1
docker logs --tail 400 $API 2>&1 | sed -n '/thread dump/,/end of thread dump/p' > api-thread-dump.txt
grep -E 'thread dump|with this stack|http_get|cache lock' api-thread-dump.txt | head -n 30
# Lock: a refresh thread holds a cache's lock while it waits on the network. Pool: every worker waits in http_get.
CATEGORY=$(grep -q 'holds the .* cache lock' api-thread-dump.txt && echo lock-held || echo pool-exhausted)

# -- 3. The customers' path and the health check's, side by side, from the API's own network ---------
S=sickbay/service:latest
URL=$CUSTOMERS_URL
HEALTH=$(echo "$URL" | sed 's#/api/.*#/healthz#')
docker run --rm --network container:$API $S curl -sS -m 3 -o /dev/null -w 'healthz: HTTP %{http_code} in %{time_total}s\n' $HEALTH
#@ may-fail
docker run --rm --network container:$API $S curl -sS -m 3 -o /dev/null -w 'quote: HTTP %{http_code} in %{time_total}s\n' $URL

# -- 4. Whom is the API waiting for? Its sockets, from a sidecar in its network namespace -------------
APIPORT=$(echo "$URL" | sed -E 's#^http://[^:/]+:([0-9]+)/.*#\1#')
docker run --rm --network container:$API $S ss -tn > api-sockets-before-fix.txt
awk 'NR > 1 {print $1}' api-sockets-before-fix.txt | sort | uniq -c
# Outgoing connections (not from the API's own port) that stay established: the calls that hang.
PEER=$(awk -v p=":$APIPORT" '$1 == "ESTAB" && substr($4, length($4) - length(p) + 1) != p {print $5}' api-sockets-before-fix.txt | sort | uniq -c | sort -rn | awk 'NR == 1 {print $2}')
# Which container has that address? Docker knows, from outside.
docker inspect --format '{{.Name}} {{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' $(docker ps -q)
DEP=$(docker inspect --format '{{.Name}} {{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' $(docker ps -q) | awk -v ip="${PEER%:*}" '{for (i = 2; i <= NF; i++) if ($i == ip) print substr($1, 2)}')
DEPNAME=${DEP##*-}
echo "the API's hanging calls go to $PEER: $DEPNAME ($DEP)"

# -- 5. The dependency's processes, from a sidecar in its PID namespace ------------------------------
#@ evidence
docker run --rm --pid container:$DEP $S ps -eo pid,stat,etime,comm
docker logs --tail 3 $DEP
PID=$(docker run --rm --pid container:$DEP $S ps -eo pid=,stat=,comm= | awk '$2 ~ /^T/ && $3 ~ /-svc$/ {print $1}')
docker run --rm --pid container:$DEP $S cat /proc/$PID/status
docker run --rm --pid container:$DEP $S ps -eo pid,stat,etime,comm > dependency-processes-before-fix.txt
# STAT "T": stopped. Its listening socket still queues connections, so callers connect and wait forever.

# -- 6. Smallest change: resume that one process, from the same kind of sidecar; no restart ---------
docker run --rm --pid container:$DEP $S kill -CONT $PID

# -- 7. Verify: running again, quotes answer, nothing restarted ---------------------------------------
docker run --rm --pid container:$DEP $S ps -o pid,stat,comm -p $PID
docker run --rm --network container:$API $S curl -sS -m 3 -o /dev/null -w 'quote: HTTP %{http_code} in %{time_total}s\n' $URL
docker inspect --format 'restarts={{.RestartCount}} started={{.State.StartedAt}}' $API $DEP
sleep 40

# -- 8. Report ------------------------------------------------------------------------------------------
echo "SICKBAY_DIAGNOSIS category=$CATEGORY decision=fix-in-place culprit=$DEPNAME"
echo "SICKBAY_REASON The API's thread dump showed its calls waiting on the network, its sockets pointed at $DEPNAME, and a sidecar in $DEPNAME's PID namespace showed its service process stopped (state T, SIGSTOP): resuming it (kill -CONT $PID) let the hanging calls finish. A restart of the API would have hung again on the same calls and lost the evidence."
echo "SICKBAY_UPDATE Customers could not get price quotes: every quote request timed out for several minutes while the health check stayed green. Cause: the $DEPNAME dependency had been frozen (SIGSTOP) by a backup job that failed before resuming it; the API calls it without a timeout, so its requests hung, and /healthz checks nothing behind it. We resumed the $DEPNAME process and quotes are answering again, with no restart. Next: we will add timeouts to dependency calls and a readiness check that covers the dependencies, fix the backup job so it always resumes the service, and monitor quotes for the next 30 minutes."
