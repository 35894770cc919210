#!/usr/bin/env bash
# disk-full-deleted-file: the reference solution, as the commands a careful on-call types at the
# Sickbay console, in order, one command per line (comments explain; blank lines separate).
#
# Nothing below knows the answer: the volume, the process holding the deleted file, its PID,
# name and descriptor are found by the commands themselves, whether the holder is the API or a
# helper. `npm run scenario:verify` types this file into live sessions and expects every goal
# met and a total of 85 or more (docs/scenarios.md, "Verifying a scenario").
#
# Placeholders, replaced by whoever runs it (a learner reads them off `docker ps`):
#   $API      the records API's container, e.g. sickbay-3f2a9c0b1d4e-api
#   $CUSTOMERS_URL  what the customers call (the session page's Customers chart shows it)
# Variables this script sets as it goes: VOL, PID, FD, HOLDER, URL.
# Directives: "#@ evidence" marks the next line as evidence cited in the diagnosis.

# -- 1. Outside first (external): who is unhappy, what do Docker and the logs already know? ---------
docker ps --format 'table {{.Names}}\t{{.Status}}'
# What the customers get is on the session page's Customers chart (they are the lab's own, out of the console's reach).
docker logs --tail 20 $API
docker stats --no-stream
docker inspect --format 'status={{.State.Status}} started={{.State.StartedAt}} restarts={{.RestartCount}} tmpfs={{json .HostConfig.Tmpfs}}' $API
# "No space left on device" on every save; the data lives on a 24-40 MiB tmpfs volume.
VOL=$(docker inspect --format '{{range $path, $opts := .HostConfig.Tmpfs}}{{$path}}{{end}}' $API)
echo "data volume: $VOL"

# -- 2. Read-only inside: is it full, and of what? ---------------------------------------------------
docker exec $API df -h $VOL
docker exec $API df -i $VOL
docker exec $API du -sh $VOL
docker exec $API du -h --max-depth=2 $VOL
# df: 100% used. df -i: plenty of inodes. du: a fraction of the size. The rest is held by a file
# that has no name any more: deleted, but still open. Which process holds it, at which descriptor?
#@ evidence
docker exec $API lsof -nP -a +L1 $VOL
PID=$(docker exec $API lsof -nP -a +L1 $VOL | awk 'NR == 2 {print $2}')
FD=$(docker exec $API lsof -nP -a +L1 $VOL | awk 'NR == 2 {print $4}' | tr -dc '0-9')
HOLDER=$(docker exec $API ps -o comm= -p $PID)
echo "deleted file held by pid $PID ($HOLDER) at descriptor $FD"
docker exec $API ps -o pid,lstart,rss,args -p $PID
docker exec $API ls -l /proc/$PID/fd
docker exec $API ls -l $VOL/log

# -- 3. Keep the evidence: emptying the file destroys its content, and `docker commit` would not
# capture a tmpfs volume anyway. Save who held what, and the end of the file itself.
docker exec $API lsof -nP +L1 > deleted-open-files.txt
docker exec $API tail -c 1048576 /proc/$PID/fd/$FD > held-file-tail.log
docker logs --tail 200 $API > api-before-fix.log 2>&1

# -- 4. Smallest change: empty the deleted file through its descriptor. No kill, no restart: the
# holder keeps running and its descriptor stays valid (it appends, so it starts again at 0).
docker exec $API truncate -s 0 /proc/$PID/fd/$FD

# -- 5. Verify: space is back, the holder still runs, records are saved again -----------------------
docker exec $API df -h $VOL
docker exec $API lsof -nP -a +L1 $VOL
docker exec $API ps -o pid,comm -p $PID
URL=$CUSTOMERS_URL
docker run --rm --network container:$API sickbay/service:latest python3 /opt/sickbay/probe.py --url $URL --count 20
docker logs --tail 5 $API

# The Customers chart shows them served normally again; the report counts the incident mitigated
# after 30 s of it.
sleep 35

# -- 6. Report. A learner fills in the session page; scenario:verify reads these lines. -------------
echo "SICKBAY_DIAGNOSIS category=deleted-open-file decision=fix-in-place culprit=$HOLDER"
echo "SICKBAY_REASON The space was held by a rotated (deleted) log that $HOLDER (pid $PID) still had open at descriptor $FD; emptying it through /proc/$PID/fd/$FD freed the space with no kill, no restart and no record lost."
echo "SICKBAY_UPDATE Customers could not save new records: the API answered 500 (No space left on device) on every write. Cause: a log rotated away while $HOLDER kept it open, so the deleted file kept filling the data volume. We freed the space by emptying that file through its open descriptor: the volume has room again, writes succeed, the API kept running and no saved record was lost. Next: we will add a postrotate reopen (kill -HUP) or copytruncate to the rotation, and alert on df vs du on the volume."
