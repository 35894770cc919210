#!/usr/bin/env bash
# oom-limit: the reference solution, as the commands a careful on-call types at the Sickbay
# console, in order, one command per line (comments explain; blank lines separate).
#
# Nothing below knows the cause: the script raises the limit for a while, measures what the
# memory does after each batch, and branches on that measurement (shell `if` on a number it
# read from the logs). The culprit (a cache, or a batch type) is read from the logs too.
#
# Placeholder, replaced by whoever runs it (a learner reads it off `docker ps`):
#   $WORKER   the render worker's container, e.g. sickbay-3f2a9c0b1d4e-worker
# Variables this script sets as it goes: LIMIT, RAISED, GROWTH, CAUSE, CACHE, PEAK, HEAVY, NEW, ...
# Directives: "#@ evidence" marks the next line as evidence cited in the diagnosis.

# -- 1. Outside first (external): is the container up, what does Docker know, what do the logs say? --
docker ps --format 'table {{.Names}}\t{{.Status}}'
docker stats --no-stream
docker inspect --format 'status={{.State.Status}} started={{.State.StartedAt}} restarts={{.RestartCount}} oomkilled={{.State.OOMKilled}} memory={{.HostConfig.Memory}} swap={{.HostConfig.MemorySwap}}' $WORKER
docker logs --tail 40 $WORKER
docker events --since 10m --until 0s --filter event=oom --filter container=$WORKER
# Container "Up", OOMKilled=false, yet oom events every few seconds and "killed by signal 9" in the log: the kernel kills the worker inside.

# -- 2. Read-only inside: the kernel's count, the processes, the worker's config and runbook -------
docker exec $WORKER cat /sys/fs/cgroup/memory/memory.oom_control
docker exec $WORKER ps -eo pid,rss,etimes,args --sort=-rss
docker exec $WORKER cat /etc/render-worker/worker.conf
docker exec $WORKER cat /srv/render-worker/RUNBOOK.md

# -- 3. Keep the evidence before changing anything -------------------------------------------------
docker logs --tail 5000 $WORKER > worker-before.log 2>&1
docker commit $WORKER

# -- 4. The experiment: give it room for a while (memory and swap together, under the 1 GiB ceiling) -
LIMIT=$(docker inspect --format '{{.HostConfig.Memory}}' $WORKER)
RAISED=$(( LIMIT * 3 > 1073741824 ? 1073741824 : LIMIT * 3 ))
docker update --memory $RAISED --memory-swap $RAISED $WORKER
sleep 40
docker stats --no-stream $WORKER
#@ evidence
docker logs --since 40s $WORKER

# -- 5. Read the experiment: does the memory left after each batch climb, or fall back? -------------
GROWTH=$(docker logs --since 40s $WORKER 2>&1 | sed -n 's/.* after \([0-9]*\) MiB$/\1/p' | tail -n 8 | awk 'NR == 1 {first = $1} {last = $1} END {print last - first}')
if [ "${GROWTH:-0}" -ge 20 ]; then CAUSE=leak; else CAUSE=undersized; fi; echo "memory left after a batch grew by $GROWTH MiB over the last 8 batches: $CAUSE"
# The biggest cache in the latest "caches:" line, and the biggest batch peak with its batch type.
CACHE=$(docker logs --since 40s $WORKER 2>&1 | grep 'caches:' | tail -n 1 | sed 's/.*caches: //' | tr ',' '\n' | awk 'NF >= 4 {print $(NF-1), $1}' | sort -rn | awk 'NR == 1 {print $2}')
PEAK=$(docker logs --since 40s $WORKER 2>&1 | sed -n 's/.* peak \([0-9]*\) MiB, after.*/\1/p' | sort -n | tail -n 1)
HEAVY=$(docker logs --since 40s $WORKER 2>&1 | grep " peak $PEAK MiB, after" | tail -n 1 | awk '{print $5}')
NEW=$(( (PEAK * 13 / 10 + 15) / 16 * 16 ))
echo "cause: $CAUSE; biggest cache: $CACHE; biggest batch peak: $PEAK MiB ($HEAVY); a limit with 30% headroom: $NEW MiB"

# -- 6. The fix that fits what was measured -----------------------------------------------------------
# leak: switch that cache off in the live config (re-read before every batch), see it dropped, then put
# the limit back, since a bigger limit only postpones the next kill. undersized: keep a limit sized to
# the biggest batch plus 30% headroom instead of the experiment's 3x.
if [ "$CAUSE" = leak ]; then docker exec $WORKER sed -i "s/^$CACHE = on\$/$CACHE = off/" /etc/render-worker/worker.conf; fi
#@ may-fail
# The next batch applies it; on a busy host that can take a while: wait for the log to say so (at most
# a minute), since putting the limit back while the cache still holds its memory would kill the worker.
if [ "$CAUSE" = leak ]; then for i in $(seq 1 30); do docker logs --since 2m $WORKER 2>&1 | grep -q "$CACHE switched off" && break; sleep 2; done; docker logs --since 2m $WORKER 2>&1 | grep -E 'switched off|caches:' | tail -n 3; fi
if [ "$CAUSE" = leak ]; then docker update --memory $LIMIT --memory-swap $LIMIT $WORKER; else docker update --memory ${NEW}m --memory-swap ${NEW}m $WORKER; fi

# -- 7. Verify: no new OOM kill, batches complete, memory falls back after each -----------------------
sleep 20
docker stats --no-stream $WORKER
docker logs --since 20s $WORKER
docker exec $WORKER cat /sys/fs/cgroup/memory/memory.oom_control
docker events --since 25s --until 0s --filter event=oom --filter container=$WORKER

# -- 8. Report. A learner fills in the session page; scenario:verify reads these lines. -------------------
if [ "$CAUSE" = leak ]; then CATEGORY=memory-leak; CULPRIT=$CACHE; else CATEGORY=limit-too-low; CULPRIT=$HEAVY; fi
if [ "$CAUSE" = leak ]; then REASON="With three times the limit the memory left after each batch still climbed and only $CACHE grew: a leak, so the cache is off in the live config and the limit is back to $LIMIT bytes, without restarting the container."; else REASON="With three times the limit every batch completed and the memory fell back after each; the $HEAVY batches need up to $PEAK MiB, so the limit is now $NEW MiB, without restarting the container."; fi
if [ "$CAUSE" = leak ]; then UPDATE="Customer documents were delayed: the render worker was killed for lack of memory every few seconds. Cause: a memory leak in the worker, its $CACHE never evicted anything. We switched that cache off in the running worker and put the memory limit back; batches complete again with no kill since. Next: we will monitor memory for 30 minutes and fix the cache eviction before turning it back on."; else UPDATE="Customer documents were delayed: the render worker was killed for lack of memory every few seconds. Cause: the memory limit was too small for the $HEAVY batches, which need up to $PEAK MiB for a moment. We raised the limit to $NEW MiB in place; batches complete again with no kill since. Next: we will monitor memory for 30 minutes and make the new limit permanent in the deployment."; fi
echo "SICKBAY_DIAGNOSIS category=$CATEGORY decision=fix-in-place culprit=$CULPRIT"
echo "SICKBAY_REASON $REASON"
echo "SICKBAY_UPDATE $UPDATE"
