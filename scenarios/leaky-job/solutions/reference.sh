#!/usr/bin/env bash
# leaky-job: the reference solution, as the commands a careful on-call types at the Sickbay
# console, in order, one command per line (comments explain; blank lines separate).
#
# Nothing below knows the answer: the runaway process, its PID and its name are found by the
# commands themselves. `npm run scenario:verify` types this file into live sessions and expects
# every goal met and a total of 85 or more (docs/scenarios.md, "Verifying a scenario").
#
# Placeholders, replaced by whoever runs it (a learner reads them off `docker ps`):
#   $API      the orders API's container, e.g. sickbay-3f2a9c0b1d4e-api
# Variables this script sets as it goes: PID, JOB.
# Directives: "#@ evidence" marks the next line as evidence cited in the diagnosis.

# -- 1. Outside first (external): who is unhappy, what do Docker and the logs already know? ---------
docker ps --format 'table {{.Names}}\t{{.Status}}'
docker stats --no-stream
# What the customers get is on the session page's Customers chart (they are the lab's own, out of the console's reach).
docker logs --tail 30 $API
docker inspect --format 'status={{.State.Status}} started={{.State.StartedAt}} restarts={{.RestartCount}} memory-limit={{.HostConfig.Memory}}' $API
# Memory pinned near the limit; the log says "Cannot allocate memory" for the failed orders. It is memory, not code.

# -- 2. Read-only inside: which process holds the memory? -----------------------------------------
#@ evidence
docker exec $API ps aux --sort=-%mem
# The biggest process that is not the API (PID 1, api.py) is the culprit: its PID, then its name.
PID=$(docker exec $API ps -eo pid=,args= --sort=-rss | grep -v 'api[.]py' | awk 'NR == 1 {print $1}')
JOB=$(docker exec $API ps -o comm= -p $PID)
echo "top non-API process: pid $PID, name $JOB"

# -- 3. Keep the evidence before changing anything ------------------------------------------------
docker commit $API
docker logs --tail 200 $API > api-before-fix.log 2>&1

# -- 4. Smallest change: end that one process, not the container ---------------------------------
docker exec $API kill $PID

# -- 5. Verify: the job is gone, memory is back, customers are fine --------------------------------
docker exec $API ps aux --sort=-%mem
docker stats --no-stream $API
# The Customers chart shows them served normally again; the report counts the incident mitigated after 30 s of it.
sleep 40

# -- 6. Report. A learner fills in the session page; scenario:verify reads these lines. -------------
echo "SICKBAY_DIAGNOSIS category=runaway-process decision=fix-in-place culprit=$JOB"
echo "SICKBAY_REASON Only the $JOB job was leaking: ending that one process freed the memory while the API, its in-flight orders and the evidence stayed."
echo "SICKBAY_UPDATE Some customers got intermittent 500 errors on the orders API. Cause: the $JOB background job in the API container leaked memory until requests failed. We stopped only that job; the API kept running and errors stopped. Next: we will monitor memory for 30 minutes and fix the job's leak before it runs again."
