#!/usr/bin/python3
"""Background data-processing job with a memory leak (leaky-job scenario).

start-job.sh copies this file to /tmp/jobs/<job-name> and executes it, so the process's name
(comm, what `pgrep -x` and `top` show) is the job name and `ps aux` shows
`/usr/bin/python3 /tmp/jobs/<job-name>`.

The "bug": every processed batch is appended to `_processed` (meant as a dedup cache) and never
evicted. Simulated as 4 MiB batches every 100 ms until the container's memory (the `docker stats`
formula, see cgroupmem.py) reaches JOB_TARGET_PERCENT of the limit (the last pieces smaller, so it
lands within ~1 MiB below the target); after that it checks every second and tops up if usage
dropped. It never frees anything and never goes past its target, so
the kernel has no reason to OOM-kill it: the damage stays a starved API, until someone kills
this process. Stopping it returns every byte at once — no container restart needed.

Env (all optional):
  JOB_TARGET_PERCENT     stop growing at this share of the limit (default 93)
  JOB_CHUNK_MIB          batch size (default 4)
  JOB_INTERVAL_MS        pause between batches while growing (default 100)
  JOB_ASSUMED_LIMIT_MIB  limit to assume when the container has none (default 256)
"""

import os
import sys
import time
from datetime import datetime, timezone

sys.path.insert(0, "/srv/app")
from cgroupmem import MIB, mib, read_memory  # noqa: E402

PAGE = 4096


def env_number(name, default, low, high):
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return min(max(value, low), high)


def main():
    name = os.path.basename(sys.argv[0]) or "job"
    target_pct = env_number("JOB_TARGET_PERCENT", 93, 10, 96)
    chunk = int(env_number("JOB_CHUNK_MIB", 4, 1, 64) * MIB) // PAGE * PAGE
    interval = env_number("JOB_INTERVAL_MS", 100, 10, 10000) / 1000.0
    assumed_limit = int(env_number("JOB_ASSUMED_LIMIT_MIB", 256, 64, 65536) * MIB)

    used, limit = read_memory()
    note = ""
    if limit is None:
        limit = assumed_limit
        note = " (no container limit: assuming %.0f MiB)" % mib(limit)
    print("%s %s: started pid %d, batch %.0f MiB every %.0f ms, holding at %.0f%% of %.0f MiB%s"
          % (datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), name, os.getpid(),
             mib(chunk), interval * 1000, target_pct, mib(limit), note), flush=True)

    _processed = []  # the leak: every batch stays referenced forever
    while True:
        used, limit = read_memory()
        if used is None:
            used = sum(len(b) for b in _processed)
        # Re-read each time: if someone raises the limit (docker update), the leak grows into it.
        target = int((limit or assumed_limit) * target_pct / 100.0)
        # Full batches while far from the target, then smaller pieces (down to 1 MiB) so the
        # container settles within about 1 MiB below the target, never above it.
        size = min(chunk, (target - used) // PAGE * PAGE)
        if size >= min(chunk, MIB):
            batch = bytearray(size)
            batch[::PAGE] = b"\x07" * len(range(0, size, PAGE))  # touch every page: resident
            _processed.append(batch)
            time.sleep(interval)
        else:
            time.sleep(1.0)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
