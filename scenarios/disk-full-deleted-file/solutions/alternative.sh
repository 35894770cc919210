#!/usr/bin/env bash
# disk-full-deleted-file: an alternative expert path for the fairness corpus (issue 17). It finds
# the volume from the failing path in the API's own error line, the deleted-but-open file with
# `find /proc/<pid>/fd -lname '*(deleted)'` instead of lsof, and frees the space the way the
# rotation should have: SIGHUP to the holder, which reopens its log and closes the deleted file
# (README.md, "Other fixes the goals accept"), instead of truncating through the descriptor.
# `npm run scenario:verify -- --fairness` types it like the reference and expects every goal met
# and a total of 85 or more.
#
# Nothing below knows the answer: the volume, the holder (the API or a helper), its PID and the
# descriptor are read off the system.
# Placeholders: $API  the records API's container, e.g. sickbay-3f2a9c0b1d4e-api
#               $CUSTOMERS_URL  what the customers call (the session page's Customers chart)
# Variables this script sets as it goes: FAILED, VOL, HELD, PID, FD, HOLDER, URL.

# -- 1. Outside first: what do Docker and the logs already know? ---------------------------------
docker ps --format 'table {{.Names}}\t{{.Status}}'
docker stats --no-stream
docker logs --tail 20 $API
docker inspect --format 'status={{.State.Status}} started={{.State.StartedAt}} restarts={{.RestartCount}}' $API
# Every save fails with "No space left on device: '<file>'": which file system holds that file?
FAILED=$(docker logs --tail 200 $API 2>&1 | grep -o "No space left on device: '[^']*'" | tail -n 1 | cut -d "'" -f 2)
echo "failing write: $FAILED"

# -- 2. Read-only inside: the file system, its size against what its files add up to --------------
VOL=$(docker exec $API df -P $FAILED | awk 'NR == 2 {print $6}')
docker exec $API df -P -k $VOL
docker exec $API du -sk $VOL
docker exec $API ls -la $VOL/log
# df says full, du finds a fraction: the rest is a file that has no name any more but is still
# open. Every process's descriptors are links under /proc: look for one to a deleted file there.
#@ evidence
docker exec $API sh -c "find /proc/[0-9]*/fd -lname '$VOL/*(deleted)' -printf '%p -> %l\n' 2>/dev/null | sort"
HELD=$(docker exec $API sh -c "find /proc/[0-9]*/fd -lname '$VOL/*(deleted)' 2>/dev/null | sort | head -n 1")
PID=$(echo $HELD | cut -d / -f 3)
FD=$(echo $HELD | cut -d / -f 5)
HOLDER=$(docker exec $API cat /proc/$PID/comm)
echo "deleted file held by pid $PID ($HOLDER) at descriptor $FD"
docker exec $API stat -L -c 'held file: %s bytes' /proc/$PID/fd/$FD
docker exec $API cat /proc/$PID/cmdline | tr "\0" " "

# -- 3. Keep the evidence: who held what, and the end of the file, before it is closed --------------
docker exec $API ls -l /proc/$PID/fd > holder-fds-before.txt
docker exec $API sh -c "find /proc/[0-9]*/fd -lname '$VOL/*(deleted)' -printf '%p -> %l\n' 2>/dev/null | sort" > deleted-open-files.txt
docker exec $API tail -n 5000 /proc/$PID/fd/$FD > held-file-tail.log
docker logs --tail 200 $API > api-before-fix.log 2>&1

# -- 4. Smallest change: the postrotate signal the rotation forgot. The holder reopens its log
# (a new, empty file) and closes the deleted one, whose space the kernel then frees. No restart.
docker exec $API kill -HUP $PID

# -- 5. Verify: the deleted file is gone, space is back, the holder runs, saves succeed -------------
sleep 2
docker exec $API sh -c "find /proc/[0-9]*/fd -lname '$VOL/*(deleted)' 2>/dev/null | wc -l"
docker exec $API df -P -k $VOL
docker exec $API ls -l /proc/$PID/fd
URL=$CUSTOMERS_URL
docker run --rm --network container:$API sickbay/service:latest python3 /opt/sickbay/probe.py --url $URL --count 20
docker logs --tail 5 $API

# -- 6. Report ----------------------------------------------------------------------------------------
echo "SICKBAY_DIAGNOSIS category=deleted-open-file decision=fix-in-place culprit=$HOLDER"
echo "SICKBAY_REASON df showed the volume full while du found a fraction of it; /proc/$PID/fd/$FD of $HOLDER (pid $PID) pointed at a rotated, deleted log it still wrote to. SIGHUP made it reopen its log and close the deleted file, which freed the space with no kill, no restart and no record lost."
echo "SICKBAY_UPDATE Customers could not save new records: the API answered 500 (No space left on device) on every write. Cause: a log was rotated away while $HOLDER kept it open, so the deleted file kept filling the data volume. We signalled $HOLDER to reopen its log, which released the deleted file: the volume has room again, writes succeed, the API kept running and no saved record was lost. Next: we will add the missing postrotate reopen (kill -HUP) to the rotation, and alert on df vs du on the volume."
