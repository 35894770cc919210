#!/usr/bin/env bash
# oom-limit: an alternative expert path for the fairness corpus (issue 17). Where the reference
# reads the worker's log, this one works from the state the worker and its supervisor keep for
# tools (/run/render-worker/*.json, read with jq) and from the memory cgroup's own counters: the
# kernel's high-water mark sizes the new limit instead of the logged peaks. It starts from Docker's
# event history and `docker top` (the worker's age), keeps the evidence with `docker cp` instead
# of `docker commit`, runs the experiment at 2.5x the limit and, for a leak, switches the cache off
# by copying an edited, diffed copy of the config back in (`docker cp`) rather than `sed -i` in
# place. `npm run scenario:verify -- --fairness` types it like the reference and expects every
# goal met and a total of 85 or more.
#
# Nothing below knows the cause: the script raises the limit for a while and branches on how
# fast the memory left after each batch climbs (read from status.json); the culprit is the
# biggest cache (leak) or the batch type with the biggest peak (undersized), read from it too.
#
# Placeholder: $WORKER  the render worker's container, e.g. sickbay-3f2a9c0b1d4e-worker
# Variables this script sets as it goes: ST, LIMIT, RAISED, N, SLOPE, CAUSE, CACHE, HEAVY,
# HIGH, NEW, CATEGORY, CULPRIT, REASON, UPDATE.

# -- 1. Outside first: what has Docker seen, how old is the worker, what does it use? -------------
docker ps --format 'table {{.Names}}\t{{.Status}}\t{{.RunningFor}}'
docker events --since 10m --until 0s --filter container=$WORKER --filter event=oom --filter event=die --filter event=restart --format '{{.Time}} {{.Action}}' | uniq -c | tail -n 8
# OOM events (counted per second), yet no die and no restart: something inside is killed while PID 1 lives on.
docker top $WORKER -eo pid,ppid,etimes,rss,args
docker stats --no-stream $WORKER
docker logs --tail 12 $WORKER

# -- 2. Read-only inside: the supervisor's and the worker's own state, the cgroup's counters -----
docker exec $WORKER cat /run/render-worker/supervisor.json | jq '{restarts, oomKills, lastExit}'
docker exec $WORKER cat /run/render-worker/status.json | jq '{pid, batchesDone, inFlight, caches, recent: [.recent[] | {id, kind, peakMb, afterMb}]}'
docker exec $WORKER grep -H . /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory/memory.max_usage_in_bytes /sys/fs/cgroup/memory/memory.oom_control
docker exec $WORKER cat /etc/render-worker/worker.conf

# -- 3. Keep the evidence before changing anything: the state files and the config, copied out ---
docker cp $WORKER:/run/render-worker/supervisor.json ./supervisor-before.json
docker cp $WORKER:/run/render-worker/status.json ./status-before.json
docker cp $WORKER:/etc/render-worker/worker.conf ./worker.conf.orig
docker exec $WORKER cat /sys/fs/cgroup/memory/memory.stat > memory-stat-before.txt

# -- 4. The experiment: 2.5x the limit (memory and swap together), from the cgroup's own figure ---
LIMIT=$(docker exec $WORKER cat /sys/fs/cgroup/memory/memory.limit_in_bytes)
RAISED=$(( LIMIT * 5 / 2 ))
docker update --memory $RAISED --memory-swap $RAISED $WORKER
sleep 30
# Wait until the running worker has at least 8 batches in its recent list (at most a minute more).
#@ timeout=120
for i in $(seq 1 20); do N=$(docker exec $WORKER cat /run/render-worker/status.json | jq '.recent | length'); [ "${N:-0}" -ge 8 ] && break; sleep 3; done; echo "recent batches: $N"
#@ evidence
docker exec $WORKER cat /run/render-worker/status.json | jq '{caches, recent: [.recent[] | {id, kind, peakMb, afterMb}]}'

# -- 5. Read it: MiB kept per batch (slope of "afterMb" over the recent list), the culprit, the high-water mark
ST=$(docker exec $WORKER cat /run/render-worker/status.json)
SLOPE=$(echo "$ST" | jq '.recent | if length > 1 then ((.[-1].afterMb - .[0].afterMb) / (length - 1) | floor) else 0 end')
if [ "${SLOPE:-0}" -ge 2 ]; then CAUSE=leak; else CAUSE=undersized; fi; echo "memory left after a batch climbs by $SLOPE MiB per batch: $CAUSE"
CACHE=$(echo "$ST" | jq -r '.caches | to_entries | max_by(.value.mb) | .key')
HEAVY=$(echo "$ST" | jq -r '.recent | max_by(.peakMb) | .kind')
HIGH=$(docker exec $WORKER cat /sys/fs/cgroup/memory/memory.max_usage_in_bytes)
NEW=$(( (HIGH * 5 / 4 / 1048576 + 7) / 8 * 8 ))
echo "biggest cache: $CACHE; biggest batch: $HEAVY; high-water mark $(( HIGH / 1048576 )) MiB; with 25% headroom: $NEW MiB"

# -- 6. The fix that fits the measurement --------------------------------------------------------
# leak: the cache off in an edited copy of the config, diffed, copied back (re-read before every batch);
# once the worker has dropped it, the original limit back, since more room only postpones the kill.
# undersized: the high-water mark of a full rotation plus 25%, instead of the experiment's 2.5x.
if [ "$CAUSE" = leak ]; then sed "s/^$CACHE = on\$/$CACHE = off/" worker.conf.orig > worker.conf.new; diff worker.conf.orig worker.conf.new > conf.diff; cat conf.diff; test "$(grep -c '^>' conf.diff)" = 1; fi
if [ "$CAUSE" = leak ]; then docker cp ./worker.conf.new $WORKER:/etc/render-worker/worker.conf; fi
#@ timeout=120
if [ "$CAUSE" = leak ]; then for i in $(seq 1 30); do docker exec $WORKER cat /run/render-worker/status.json | jq -e ".caches.$CACHE.enabled == false" > /dev/null && break; sleep 2; done; docker exec $WORKER cat /run/render-worker/status.json | jq -c '.caches'; fi
if [ "$CAUSE" = leak ]; then docker update --memory $LIMIT --memory-swap $LIMIT $WORKER; else docker update --memory ${NEW}m --memory-swap ${NEW}m $WORKER; fi

# -- 7. Verify from the counters: no new OOM kill, batches complete, memory falls back ------------
sleep 20
docker exec $WORKER sh -c "grep oom_kill /sys/fs/cgroup/memory/memory.oom_control; cat /sys/fs/cgroup/memory/memory.limit_in_bytes"
docker exec $WORKER cat /run/render-worker/status.json | jq -c '{batchesDone, last: [.recent[-4:][] | {kind, peakMb, afterMb}]}'
docker exec $WORKER cat /run/render-worker/supervisor.json | jq -c '{restarts, oomKills, lastOomAt}'
docker events --since 25s --until 0s --filter container=$WORKER --filter event=oom --format '{{.Time}} {{.Action}}'

# -- 8. Report ------------------------------------------------------------------------------------
if [ "$CAUSE" = leak ]; then CATEGORY=memory-leak; CULPRIT=$CACHE; else CATEGORY=limit-too-low; CULPRIT=$HEAVY; fi
if [ "$CAUSE" = leak ]; then REASON="With 2.5 times the limit the worker's own status still showed the memory left after each batch climbing by $SLOPE MiB per batch, all of it in $CACHE: a leak. The cache is switched off in the live config and the limit is back to $LIMIT bytes; no container restart."; else REASON="With 2.5 times the limit every batch completed and the memory left after each stayed flat; the $HEAVY batches need the most, and the cgroup's high-water mark was $(( HIGH / 1048576 )) MiB, so the limit is now $NEW MiB (25% headroom); no container restart."; fi
if [ "$CAUSE" = leak ]; then UPDATE="Customer documents were late: the render worker was killed for lack of memory every few seconds. Cause: a memory leak, the worker's $CACHE kept growing and never evicted. We switched that cache off in the running worker and restored the original memory limit; batches complete again with no kill since. Next: we will watch memory for the next 30 minutes and fix the cache's eviction before it is switched back on."; else UPDATE="Customer documents were late: the render worker was killed for lack of memory every few seconds. Cause: the memory limit was too small for the $HEAVY batches. We raised the limit to $NEW MiB in place, sized from the measured peak; batches complete again with no kill since. Next: we will watch memory for the next 30 minutes and make the new limit permanent in the deployment."; fi
echo "SICKBAY_DIAGNOSIS category=$CATEGORY decision=fix-in-place culprit=$CULPRIT"
echo "SICKBAY_REASON $REASON"
echo "SICKBAY_UPDATE $UPDATE"
