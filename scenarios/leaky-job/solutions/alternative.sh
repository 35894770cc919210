#!/usr/bin/env bash
# leaky-job: an alternative expert path for the fairness corpus (issue 17). It finds the runaway
# job from outside only, with `docker top` (the host's ps over the container's processes), instead
# of a read-only exec; the fix ends the job by its exact name. `npm run scenario:verify --fairness`
# types it like the reference and expects every goal met and a total of 85 or more.
#
# Nothing below knows the answer: the job's name is read off docker top.
# Placeholders: $API  the orders API's container, e.g. sickbay-3f2a9c0b1d4e-api
# Variables this script sets as it goes: JOB.

# -- 1. Outside first: what do Docker and the logs already know? ---------------------------------
docker ps --format 'table {{.Names}}\t{{.Status}}'
docker stats --no-stream
docker logs --tail 30 $API
docker inspect --format 'status={{.State.Status}} restarts={{.RestartCount}} memory-limit={{.HostConfig.Memory}}' $API

# -- 2. Still outside: which process holds the memory? docker top runs ps on the host ------------
#@ evidence
docker top $API -eo pid,rss,comm,args
# The biggest process that is not the API (api.py) is the culprit. docker top's PIDs are the
# host's, useless inside the container, so keep its name (ps's comm is what pgrep -x matches).
JOB=$(docker top $API -eo pid,rss,comm,args | tail -n +2 | grep -v 'api[.]py' | sort -k2 -rn | awk 'NR == 1 {print $3}')
echo "top non-API process: $JOB"

# -- 3. Keep the evidence before changing anything ------------------------------------------------
docker commit $API
docker logs --tail 200 $API > api-before-fix.log 2>&1

# -- 4. Smallest change: end that one process by its exact name, not the container ---------------
docker exec $API pkill -x $JOB

# -- 5. Verify from outside: the job is gone, memory is back -------------------------------------
docker top $API -eo pid,rss,comm
docker stats --no-stream $API
sleep 40

# -- 6. Report -------------------------------------------------------------------------------------
echo "SICKBAY_DIAGNOSIS category=runaway-process decision=fix-in-place culprit=$JOB"
echo "SICKBAY_REASON docker top showed the $JOB job holding most of the API container's memory: ending that one process frees it while the API and its in-flight orders stay."
echo "SICKBAY_UPDATE Some customers got intermittent 500 errors on the orders API. Cause: the $JOB background job in the API container leaked memory until requests failed. We stopped only that job; the API kept running and errors stopped. Next: we will monitor memory for 30 minutes and fix the job's leak before it runs again."
