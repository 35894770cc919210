#!/usr/bin/env bash
# no-shell-image: an alternative expert path for the fairness corpus (issue 17). It never tries
# `docker exec` into the shell-less service: it starts ONE long-lived debug sidecar in the
# service's PID and network namespaces and runs every look and the fix as execs in it (the
# reference starts a fresh one-off sidecar per command). `npm run scenario:verify --fairness`
# types it like the reference and expects every goal met and a total of 85 or more.
#
# Nothing below knows the answer: which cause is live, the stuck process or the leaked file.
# Placeholders: $PRICING  the pricing service's container, e.g. sickbay-3f2a9c0b1d4e-pricing
# Variables this script sets as it goes: U, S, DBG, HOLDER, JOB, NFD, SOFT, LEAK, CAT, CULPRIT, ...

# -- 1. Outside first --------------------------------------------------------------------------------
docker ps --format 'table {{.Names}}\t{{.Status}}'
docker logs --tail 20 $PRICING
docker stats --no-stream
docker inspect --format 'status={{.State.Status}} health={{.State.Health.Status}} restarts={{.RestartCount}} user={{.Config.User}} cmd={{.Config.Entrypoint}} {{.Config.Cmd}}' $PRICING

# -- 2. One debug sidecar, as the service's own uid:gid (to read /proc/1/fd without ptrace rights) --
U=$(docker inspect --format '{{.Config.User}}' $PRICING)
S=sickbay/service:latest
DBG=$(docker run -d --user $U --pid container:$PRICING --net container:$PRICING $S sleep 900)

# -- 3. Look through it ------------------------------------------------------------------------------
#@ evidence
docker exec $DBG ps -eo pid,user,stat,wchan:32,args
docker exec $DBG cat /proc/1/limits
#@ evidence
docker exec $DBG ls -l /proc/1/fd
#@ evidence
docker exec $DBG cat /proc/locks
docker exec $DBG ss -tan
HOLDER=$(docker exec $DBG cat /proc/locks | awk '$2 == "FLOCK" && $4 == "WRITE" && $5 > 1 {print $5; exit}')
if [ -n "$HOLDER" ]; then JOB=$(docker exec $DBG ps -o comm= -p $HOLDER); echo "pid $HOLDER ($JOB) holds an exclusive lock"; else echo "no process holds an exclusive lock"; fi
NFD=$(docker exec $DBG ls /proc/1/fd | wc -l)
SOFT=$(docker exec $DBG cat /proc/1/limits | awk '/Max open files/ {print $4}')
LEAK=$(docker exec $DBG ls -l /proc/1/fd | awk 'NF > 9 {print $NF}' | sort | uniq -c | sort -rn | awk 'NR == 1 {print $2}')
echo "PID 1 has $NFD descriptors open (soft limit $SOFT); most open: $LEAK"

# -- 4. Keep the evidence: the process state a commit would not keep, and the log ----------------
docker exec $DBG ls -l /proc/1/fd > pricing-fds-before.txt
docker exec $DBG cat /proc/locks > pricing-locks-before.txt
docker logs --tail 200 $PRICING > pricing-before-fix.log 2>&1

# -- 5. Smallest change, from the sidecar -----------------------------------------------------------
if [ -n "$HOLDER" ]; then docker exec $DBG kill $HOLDER; elif [ "$NFD" -ge $((SOFT - 8)) ]; then docker exec $DBG prlimit --pid 1 --nofile=4096:; fi

# -- 6. Verify ------------------------------------------------------------------------------------------
sleep 3
docker exec $DBG ps -eo pid,user,stat,wchan:32,args
docker exec $DBG cat /proc/1/limits
docker logs --tail 5 $PRICING
sleep 40
# The sidecar carries the session's labels (the proxy adds them): the session's end removes it.

# -- 7. Report ---------------------------------------------------------------------------------------
if [ -n "$HOLDER" ]; then CAT=lock-held; CULPRIT=$JOB; WHY="the $JOB job held an exclusive lock on a pricing table and hung, so every quote waited for it"; DONE="ended only that job's process from a debug sidecar"; NEXT="find out who started $JOB by hand and give it a lock timeout"; else CAT=fd-leak; CULPRIT=$LEAK; WHY="the service leaked a file descriptor for $LEAK on every regional quote until it hit its open-files limit"; DONE="raised the service's open-files soft limit from a debug sidecar, without a restart"; NEXT="ship the fix that closes $LEAK, and alert on open descriptors until then"; fi
echo "SICKBAY_DIAGNOSIS category=$CAT decision=fix-in-place culprit=$CULPRIT"
echo "SICKBAY_REASON The image has no shell, so one sidecar sharing its PID namespace showed it: $WHY. A restart would have hidden the cause and dropped the quotes held in memory."
echo "SICKBAY_UPDATE Customers could not get price quotes: requests failed or timed out. Cause: $WHY. We $DONE; quotes succeed again and the service was never restarted. Next: we will $NEXT, and monitor the error rate for the next 30 minutes."
