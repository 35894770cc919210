#!/bin/sh
# backup.sh <name> - the nightly copy of a dependency's data directory. To get a consistent copy
# it freezes the service (SIGSTOP), copies, and thaws it (SIGCONT) at the end.
set -u
svc="${1:?usage: backup.sh <name>}-svc"
logf=/var/log/backup.log
pid=$(pgrep -x "$svc" | head -n 1)
stamp() { date -u +%Y-%m-%dT%H:%M:%SZ; }
[ -n "$pid" ] || { echo "$(stamp) backup: $svc is not running" >> "$logf"; exit 1; }
echo "$(stamp) backup: freezing $svc (pid $pid) for a consistent copy" >> "$logf"
kill -STOP "$pid"
echo "$(stamp) backup: copying /var/lib/$svc to /backup/$svc-$(date -u +%Y%m%d).tar" >> "$logf"
echo "$(stamp) backup: tar: /backup: Cannot write: No space left on device" >> "$logf"
exit 1
