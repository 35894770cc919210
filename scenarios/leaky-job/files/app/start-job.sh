#!/bin/sh
# start-job.sh <job-name> — start the background job (job.py) under a given name, from
# /tmp/jobs: `pgrep -x <job-name>` finds it and `ps aux` shows "/usr/bin/python3 /tmp/jobs/<job-name>".
set -eu
mkdir -p /tmp/jobs
cd /tmp/jobs
exec run-named "${1:-}" /srv/app/job.py /tmp/jobs
