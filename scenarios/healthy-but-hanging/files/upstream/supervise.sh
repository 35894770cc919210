#!/bin/sh
# supervise.sh <name> - PID 1 of a dependency's container: runs /srv/upstream/<name>-svc and
# starts it again if it exits (like supervisord or s6, in a few lines). Each start is counted
# in /run/supervise/starts. SIGTERM/SIGINT stop the service and then the supervisor.
set -u
svc="${1:?usage: supervise.sh <catalog|stock|rates>}-svc"
mkdir -p /run/supervise
child=0
stopping=0
starts=0
trap 'stopping=1; if [ "$child" -gt 0 ]; then kill -TERM "$child" 2>/dev/null; kill -CONT "$child" 2>/dev/null; fi' TERM INT
while [ "$stopping" -eq 0 ]; do
  starts=$((starts + 1))
  echo "$starts" > /run/supervise/starts
  "/srv/upstream/$svc" &
  child=$!
  echo "$child" > /run/supervise/pid
  rc=0
  wait "$child" || rc=$?
  # A trapped signal interrupts wait: wait again until the service has really gone.
  while kill -0 "$child" 2>/dev/null; do wait "$child" || rc=$?; done
  [ "$stopping" -eq 1 ] && exit 0
  echo "supervise: $svc exited with status $rc; starting it again in 1 s"
  sleep 1
done
