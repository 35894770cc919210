"""A verbose trace log, shared by the API (its DEBUG trace) and the helper processes.

TraceLog(path, fd) opens `path` for appending (O_APPEND, like Python's open(path, "a")) and
moves the descriptor to the number `fd` (or the next free one above it), so the holder of the
file can be told apart in `ls -l /proc/<pid>/fd` and `lsof`. A thread then writes DEBUG lines:

  fill mode   64 KiB of lines every FILL_PAUSE seconds (about 2 MiB/s) until the first write
              fails, normally with ENOSPC: the volume is full. Then it switches to trickle mode.
  trickle     one line every TRICKLE_PAUSE seconds (about 150 bytes/s); failures are ignored,
              as a logging library's best-effort handler would.

Why fill then trickle: once the volume is full, a best-effort logger backs off instead of
hammering a disk that has no room.

reopen() (wired to SIGHUP by the programs) closes the descriptor and opens `path` again at the
same number: what a postrotate `kill -HUP` would have done. If the old file had been deleted,
its space is released then.

Because the descriptor is O_APPEND, emptying the file through /proc/<pid>/fd/<n> makes the next
line land at offset 0: the file restarts small instead of becoming sparse at its old size.
"""

import errno
import os
import random
import threading
import time

from svckit import now_iso

CHUNK = 64 * 1024
FILL_PAUSE = 0.03
TRICKLE_PAUSE = 2.0

MODULES = ["repository", "pricing", "cart", "session", "payments.client", "inventory", "serializer", "cache"]
VERBS = ["load", "store", "resolve", "validate", "serialize", "lookup", "merge", "enqueue"]


def trace_line(component):
    return "%s DEBUG %s.%s: %s id=%s took=%.2fms state=%s\n" % (
        now_iso(ms=True), component, random.choice(MODULES), random.choice(VERBS),
        os.urandom(6).hex(), random.uniform(0.05, 9.0), os.urandom(40).hex())


def _fd_free(fd):
    try:
        os.fstat(fd)
        return False
    except OSError:
        return True


def open_at(path, want_fd):
    """Open `path` for appending at descriptor `want_fd`, or the next free number above it."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    raw = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)
    target = max(int(want_fd), 3)
    while target != raw and not _fd_free(target):
        target += 1
    if target == raw:
        return raw
    os.dup2(raw, target, inheritable=False)
    os.close(raw)
    return target


class TraceLog:
    def __init__(self, path, want_fd, component):
        self.path = path
        self.component = component
        self.lock = threading.Lock()
        self.fd = open_at(path, want_fd)
        self.filling = True
        self.thread = None

    def reopen(self):
        """Close and reopen the log at the same descriptor number (the SIGHUP behaviour)."""
        with self.lock:
            number = self.fd
            fresh = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)
            os.dup2(fresh, number, inheritable=False)  # atomically replaces the old open file
            os.close(fresh)

    def _write(self, data):
        with self.lock:
            os.write(self.fd, data)

    def _run(self):
        while self.filling:
            block = "".join(trace_line(self.component) for _ in range(CHUNK // 150)).encode()
            try:
                self._write(block)
            except OSError as exc:
                if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
                    self.filling = False
                    break
            time.sleep(FILL_PAUSE)
        while True:
            time.sleep(TRICKLE_PAUSE)
            try:
                self._write(trace_line(self.component).encode())
            except OSError:
                pass

    def start(self):
        self.thread = threading.Thread(target=self._run, name="trace", daemon=True)
        self.thread.start()
        return self
