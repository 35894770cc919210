#!/usr/bin/python3
"""Background data-processing job: processes batches and remembers the ones it has seen.

start-job.sh copies this file to /tmp/jobs/<job-name> and executes it, so the process's name
(comm, what `pgrep -x` and `top` show) is the job name and `ps aux` shows
`/usr/bin/python3 /tmp/jobs/<job-name>`.

Each batch is added to `_processed`, the dedup cache, so a batch delivered twice is skipped.
Batches come in JOB_CHUNK_MIB pieces every JOB_INTERVAL_MS while the container's memory (the
`docker stats` formula, see svckit.read_memory) is below JOB_TARGET_PERCENT of its limit; the
last pieces are smaller, so it settles within ~1 MiB below that share. Then it waits for more
room and checks again every second.

Env (all optional):
  JOB_TARGET_PERCENT     share of the container's memory limit the job may fill (default 91)
  JOB_CHUNK_MIB          batch size (default 16)
  JOB_INTERVAL_MS        pause between batches (default 20)
  JOB_ASSUMED_LIMIT_MIB  limit to assume when the container has none (default 256)
"""

import os
import sys
import time

from svckit import MIB, PAGE, env_number, memory_lock, mib, now_iso, read_memory, resident


def main():
    name = os.path.basename(sys.argv[0]) or "job"
    target_pct = env_number("JOB_TARGET_PERCENT", 91, 10, 96)
    chunk = int(env_number("JOB_CHUNK_MIB", 16, 1, 64) * MIB) // PAGE * PAGE
    interval = env_number("JOB_INTERVAL_MS", 20, 10, 10000) / 1000.0
    assumed_limit = int(env_number("JOB_ASSUMED_LIMIT_MIB", 256, 64, 65536) * MIB)

    used, limit = read_memory()
    note = ""
    if limit is None:
        limit = assumed_limit
        note = " (no container limit: assuming %.0f MiB)" % mib(limit)
    print("%s %s: started pid %d, batch %.0f MiB every %.0f ms, holding at %.0f%% of %.0f MiB%s"
          % (now_iso(), name, os.getpid(), mib(chunk), interval * 1000, target_pct, mib(limit), note), flush=True)

    _processed = []  # batches seen, for dedup
    while True:
        # Measured and taken under the container's memory lock, like the API's buffers: both
        # reading the same free memory at once would overshoot the limit together.
        with memory_lock():
            used, limit = read_memory()
            if used is None:
                used = sum(len(b) for b in _processed)
            # Re-read each time: the limit can change while the job runs (docker update).
            target = int((limit or assumed_limit) * target_pct / 100.0)
            # Full batches while far from the target, then smaller pieces (down to 1 MiB) so the
            # container settles within about 1 MiB below the target, never above it.
            size = min(chunk, (target - used) // PAGE * PAGE)
            grew = size >= min(chunk, MIB)
            if grew:
                _processed.append(resident(size))
        time.sleep(interval if grew else 1.0)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
