#!/usr/bin/env bash
# no-shell-image: the reference solution, as the commands a careful on-call types at the Sickbay
# console, in order, one command per line (comments explain; blank lines separate).
#
# Nothing below knows the answer: which of the two causes is live, the stuck process, its PID
# or the leaked file are all found by the commands themselves. `npm run scenario:verify` types
# this file into live sessions and expects every goal met and a total of 85 or more.
#
# Placeholders, replaced by whoever runs it (a learner reads them off `docker ps`):
#   $PRICING  the pricing service's container, e.g. sickbay-3f2a9c0b1d4e-pricing
# Variables this script sets as it goes: U, S, HOLDER, JOB, NFD, SOFT, LEAK, CAT, CULPRIT, ...
# Directives: "#@ evidence" marks the next line as evidence cited in the diagnosis; "#@ may-fail"
# lets a line fail without stopping the script.

# -- 1. Outside first (external): who is unhappy, what do Docker and the logs already know? --------
docker ps --format 'table {{.Names}}\t{{.Status}}'
# What the customers get is on the session page's Customers chart (they are the lab's own, out of the console's reach).
docker logs --tail 20 $PRICING
docker stats --no-stream
docker inspect --format 'status={{.State.Status}} health={{.State.Health.Status}} started={{.State.StartedAt}} restarts={{.RestartCount}} user={{.Config.User}} cmd={{.Config.Entrypoint}} {{.Config.Cmd}}' $PRICING
docker top $PRICING

# -- 2. The usual read-only look inside: it cannot work, the image has nothing to run ------------
#@ may-fail
docker exec $PRICING ps

# -- 3. Bring the tools: a debug sidecar in the service's PID and network namespaces -------------
# The service runs as a non-root uid:gid; a sidecar without ptrace rights must be that same user
# to read /proc/1/fd and wchan. Take it from the image's config rather than guessing.
U=$(docker inspect --format '{{.Config.User}}' $PRICING)
S=sickbay/service:latest
#@ evidence
docker run --rm --user $U --pid container:$PRICING --net container:$PRICING $S ps -eo pid,user,stat,wchan:32,args
docker run --rm --pid container:$PRICING $S cat /proc/1/limits
#@ evidence
docker run --rm --user $U --pid container:$PRICING $S ls -l /proc/1/fd
#@ evidence
docker run --rm --pid container:$PRICING $S cat /proc/locks
docker run --rm --net container:$PRICING $S ss -tan

# -- 4. Read the answer off what the sidecar showed -----------------------------------------------
# An exclusive flock held by a process other than PID 1 (a blocked PID 1 shows as "->" behind it)?
HOLDER=$(docker run --rm --pid container:$PRICING $S cat /proc/locks | awk '$2 == "FLOCK" && $4 == "WRITE" && $5 > 1 {print $5; exit}')
if [ -n "$HOLDER" ]; then JOB=$(docker run --rm --pid container:$PRICING $S ps -o comm= -p $HOLDER); echo "pid $HOLDER ($JOB) holds an exclusive lock"; else echo "no process holds an exclusive lock"; fi
# Descriptors in use against the soft limit, and the file that is open most often.
NFD=$(docker run --rm --user $U --pid container:$PRICING $S ls /proc/1/fd | wc -l)
SOFT=$(docker run --rm --pid container:$PRICING $S cat /proc/1/limits | awk '/Max open files/ {print $4}')
LEAK=$(docker run --rm --user $U --pid container:$PRICING $S ls -l /proc/1/fd | awk 'NF > 9 {print $NF}' | sort | uniq -c | sort -rn | awk 'NR == 1 {print $2}')
echo "PID 1 has $NFD descriptors open (soft limit $SOFT); most open: $LEAK"

# -- 5. Keep the evidence before changing anything -----------------------------------------------
docker commit $PRICING
docker run --rm --user $U --pid container:$PRICING $S ls -l /proc/1/fd > pricing-fds-before.txt
docker logs --tail 200 $PRICING > pricing-before-fix.log 2>&1

# -- 6. Smallest change, from the sidecar: end the one stuck process, or give PID 1 headroom ----
# (raising the soft limit up to the hard one needs the same uid:gid, not root: no CAP_SYS_RESOURCE)
if [ -n "$HOLDER" ]; then docker run --rm --pid container:$PRICING $S kill $HOLDER; elif [ "$NFD" -ge $((SOFT - 8)) ]; then docker run --rm --user $U --pid container:$PRICING $S prlimit --pid 1 --nofile=4096:; fi

# -- 7. Verify: the process list and the limit, health, and what the customers see -------------
sleep 3
docker run --rm --user $U --pid container:$PRICING $S ps -eo pid,user,stat,wchan:32,args
docker run --rm --pid container:$PRICING $S cat /proc/1/limits
docker logs --tail 5 $PRICING
# The Customers chart shows them served normally again; the report counts the incident mitigated after 30 s of it.
sleep 40
docker inspect --format 'health={{.State.Health.Status}} started={{.State.StartedAt}} restarts={{.RestartCount}}' $PRICING

# -- 8. Report. A learner fills in the session page; scenario:verify reads these lines. -------------
if [ -n "$HOLDER" ]; then CAT=lock-held; CULPRIT=$JOB; WHY="the $JOB job held an exclusive lock on a pricing table and hung, so every quote waited for it"; DONE="ended only that job's process from a debug sidecar"; NEXT="find out who started $JOB by hand and give it a lock timeout"; else CAT=fd-leak; CULPRIT=$LEAK; WHY="the service leaked a file descriptor for $LEAK on every regional quote until it hit its open-files limit"; DONE="raised the service's open-files soft limit from a debug sidecar, without a restart"; NEXT="ship the fix that closes $LEAK, and alert on open descriptors until then"; fi
echo "SICKBAY_DIAGNOSIS category=$CAT decision=fix-in-place culprit=$CULPRIT"
echo "SICKBAY_REASON The image has no shell, so a sidecar sharing its PID namespace showed it: $WHY. A restart would have hidden the cause and dropped the quotes held in memory."
echo "SICKBAY_UPDATE Customers could not get price quotes: requests failed or timed out. Cause: $WHY. We $DONE; quotes succeed again and the service was never restarted. Next: we will $NEXT, and monitor the error rate for the next 30 minutes."
