#!/bin/sh
# start-job.sh <job-name> — start the scenario's background job under a given name.
#
# Used by the lab's fault injection: docker exec -d <container> /srv/app/start-job.sh <job-name>
# Copies job.py to /tmp/jobs/<job-name> (it carries a python3 shebang) and execs it, so the
# process's comm is <job-name>: `pgrep -x <job-name>` finds it and `ps aux` shows
# "/usr/bin/python3 /tmp/jobs/<job-name>". A copy, not a symlink, so the job's file stays put
# even if /srv/app changes. Names: lowercase letters and dashes, 1-15 characters (comm length).
set -eu

name="${1:-}"
if ! printf '%s\n' "$name" | grep -Eqx '[a-z][a-z-]{0,14}'; then
  echo "usage: start-job.sh <job-name>  (lowercase letters and dashes, at most 15)" >&2
  exit 2
fi
if pgrep -x "$name" >/dev/null 2>&1; then
  echo "start-job.sh: $name is already running" >&2
  exit 0
fi

mkdir -p /tmp/jobs
cp /srv/app/job.py "/tmp/jobs/$name"
chmod 0755 "/tmp/jobs/$name"
cd /tmp/jobs
exec "/tmp/jobs/$name"
