"""Container memory as `docker stats` counts it, read from the container's own cgroup.

used = usage - inactive page cache
  cgroup v1: memory.usage_in_bytes - memory.stat:total_inactive_file, limit memory.limit_in_bytes
  cgroup v2: memory.current        - memory.stat:inactive_file,       limit memory.max

oom_kills() is the kernel's count of processes the OOM killer ended in this container
(v1: memory.oom_control "oom_kill", v2: memory.events "oom_kill").
"""

import os

MIB = 1024 * 1024
UNLIMITED_FROM = 1 << 60

_V2 = "/sys/fs/cgroup"
_V1 = "/sys/fs/cgroup/memory"


def _read(path):
    with open(path, "r") as fh:
        return fh.read().strip()


def _stat_value(path, key):
    try:
        with open(path, "r") as fh:
            for line in fh:
                name, _, value = line.partition(" ")
                if name == key:
                    return int(value)
    except (OSError, ValueError):
        pass
    return 0


def read_memory():
    """(used_bytes, limit_bytes or None); (None, None) when no cgroup file is readable."""
    try:
        if os.path.exists(_V2 + "/memory.current"):
            usage = int(_read(_V2 + "/memory.current"))
            raw = _read(_V2 + "/memory.max")
            limit = None if raw == "max" else int(raw)
            inactive = _stat_value(_V2 + "/memory.stat", "inactive_file")
        elif os.path.exists(_V1 + "/memory.usage_in_bytes"):
            usage = int(_read(_V1 + "/memory.usage_in_bytes"))
            limit = int(_read(_V1 + "/memory.limit_in_bytes"))
            inactive = _stat_value(_V1 + "/memory.stat", "total_inactive_file")
        else:
            return None, None
    except (OSError, ValueError):
        return None, None
    if limit is not None and limit >= UNLIMITED_FROM:
        limit = None
    return (usage - inactive if inactive < usage else usage), limit


def oom_kills():
    """How many processes the kernel's OOM killer has ended in this container (None: unknown)."""
    for path in (_V1 + "/memory.oom_control", _V2 + "/memory.events"):
        if os.path.exists(path):
            value = _stat_value(path, "oom_kill")
            return value
    return None


def mib(n):
    return n / MIB
