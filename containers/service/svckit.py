"""svckit: the plumbing our small Python services share, so each program keeps only its own logic.

  log, Log         timestamped lines on stdout, safe to call from many threads
  Handler          an HTTP request handler: reply() answers JSON or text, one access line per request
  serve            a threaded HTTP server on 0.0.0.0:PORT, stopped by SIGTERM or SIGINT
  wait_for         how a main thread waits for its stop event, so signal handlers run at once
  read_memory      the container's memory as `docker stats` counts it (cgroup v1 and v2)
  resident         a buffer that counts as used memory at once (one populated mapping)
  memory_lock      one lock across the container's processes for "check the room, then allocate"
  oom_kills        how many processes the kernel's OOM killer ended in this container
  reap_orphans     what a PID 1 owes the processes re-parented to it
  drop_privileges  bind as root, then serve as an unprivileged user
  write_json       replace a JSON file atomically (readers never see half of it); read_json
"""

import contextlib
import ctypes
import fcntl
import json
import mmap
import os
import pwd
import signal
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

MIB = 1024 * 1024
PAGE = 4096

# ----------------------------------------------------------------------------------------------
# Logs

_log_lock = threading.Lock()


def now_iso(ms=False):
    """UTC time, e.g. 2024-05-01T12:00:00Z (with ms: 2024-05-01T12:00:00.123Z)."""
    now = datetime.now(timezone.utc)
    if ms:
        return now.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (now.microsecond // 1000)
    return now.strftime("%Y-%m-%dT%H:%M:%SZ")


class Log:
    """Writes `<time> <prefix><text>` lines to stdout. The lines after the first of a multi-line
    text (a traceback) follow without a time, so one entry stays one entry."""

    def __init__(self, prefix="", ms=False):
        self.prefix = prefix
        self.ms = ms
        self.count = 0  # entries written so far

    def __call__(self, *parts):
        """log("text") or log("WARN", "text"): the parts joined by spaces."""
        first, _, rest = " ".join(parts).rstrip("\n").partition("\n")
        self.write("%s %s%s\n%s" % (now_iso(self.ms), self.prefix, first, rest + "\n" if rest else ""))

    def block(self, lines):
        """Several lines under one time stamp, each stamped (a thread dump); returns the stamp."""
        stamp = now_iso(self.ms)
        self.write("".join("%s %s%s\n" % (stamp, self.prefix, line) for line in lines))
        return stamp

    def write(self, data):
        with _log_lock:
            sys.stdout.write(data)
            sys.stdout.flush()
            self.count += 1


log = Log()

# ----------------------------------------------------------------------------------------------
# HTTP


class Handler(BaseHTTPRequestHandler):
    """Subclasses list their `routes` (or override get(path, query)) and answer with reply();
    every request then gets one access line (`GET /api/orders 200 12ms`) unless access() is
    overridden."""

    sys_version = ""
    note_when_gone = ""  # appended to the access line when the client hung up

    def log_message(self, fmt, *args):  # http.server's own stderr lines: off, we log our own
        pass

    def reply(self, status, body, content_type=None):
        """Send `body`: a dict or list as compact JSON, str or bytes as given (text/plain)."""
        if isinstance(body, (dict, list)):
            body = json.dumps(body, separators=(",", ":")) + "\n"
            content_type = content_type or "application/json"
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.status = status
        self.send_response(status)
        self.send_header("Content-Type", content_type or "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    routes = {}  # path -> name of the method that answers it (it gets the query string)

    def get(self, path, query):
        """Answers from `routes`; /healthz says "ok" unless a route takes it; else 404."""
        name = self.routes.get(path)
        if name:
            getattr(self, name)(query)
        elif path == "/healthz":
            self.reply(200, "ok\n")
        else:
            self.reply(404, {"error": "not_found"})

    def clean(self, path):
        """The path as routed and logged."""
        return path

    def do_GET(self):
        started = time.monotonic()
        url = urlsplit(self.path)
        path = self.clean(url.path)
        self.status, self.note = 500, ""
        try:
            self.get(path, url.query)
        except (BrokenPipeError, ConnectionResetError):
            self.note = self.note_when_gone
        finally:
            self.access(path, self.status, (time.monotonic() - started) * 1000)

    do_HEAD = do_GET

    def access(self, path, status, ms):
        log("%s %s %d %dms%s" % (self.command, path, status, ms, self.note))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler, backlog=64):
        self.request_queue_size = backlog  # connections the kernel queues before we accept them
        super().__init__(address, handler)


def serve(handler, port, backlog=64, poll=0.5, user=None, thread="http"):
    """Binds 0.0.0.0:port (as root: then serves as `user`), serves from a thread named `thread`
    and returns (server, stop): SIGTERM and SIGINT set the event `stop`."""
    server = Server(("0.0.0.0", port), handler, backlog)
    if user:
        drop_privileges(user)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda s, f: stop.set())
    signal.signal(signal.SIGINT, lambda s, f: stop.set())
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": poll}, name=thread, daemon=True).start()
    return server, stop


def wait_for(event, slice_s=0.5):
    """Blocks until `event` is set, waking every `slice_s`: the way a main thread waits here.

    Python runs signal handlers in the main thread only, between two steps of Python code. The
    kernel may hand a process's signal to any of its threads; a main thread blocked in an
    untimed wait is not woken by a signal another thread took, so the handler (a thread dump
    on SIGUSR1, reopening a log on SIGHUP, a clean exit on SIGTERM) waits for the next signal
    that does wake it - for a learner's single `kill -USR1`, forever. Measured beside load 50:
    4 of 90 thread-dump requests lost with an untimed wait, none with this one."""
    while not event.wait(slice_s):
        pass


def close(server):
    server.shutdown()
    server.server_close()

# ----------------------------------------------------------------------------------------------
# The container's memory cgroup

_V2 = "/sys/fs/cgroup"
_V1 = "/sys/fs/cgroup/memory"
# v1 reports "no limit" as a huge page-aligned number (9223372036854771712); v2 says "max".
_UNLIMITED_FROM = 1 << 60


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
    """(used_bytes, limit_bytes or None); (None, None) when no cgroup file is readable.

    used = usage - inactive page cache, as `docker stats` counts it:
      cgroup v1: memory.usage_in_bytes - memory.stat:total_inactive_file, limit memory.limit_in_bytes
      cgroup v2: memory.current        - memory.stat:inactive_file,       limit memory.max
    The limit is None when the container has none.
    """
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
    if limit is not None and limit >= _UNLIMITED_FROM:
        limit = None
    return (usage - inactive if inactive < usage else usage), limit


def oom_kills():
    """How many processes the kernel's OOM killer has ended in this container (None: unknown).
    v1: memory.oom_control "oom_kill", v2: memory.events "oom_kill"."""
    for path in (_V1 + "/memory.oom_control", _V2 + "/memory.events"):
        if os.path.exists(path):
            return _stat_value(path, "oom_kill")
    return None


def mib(n):
    return n / MIB


_POPULATE = getattr(mmap, "MAP_POPULATE", None)


def resident(size):
    """`size` bytes the container really holds at once, as one mapping unmapped when freed.

    MAP_POPULATE has the kernel fault every page in with one system call. Touching the pages one
    by one from Python costs ~10x more CPU (~20 ms for 12 MiB on a VM): twenty scenario services
    doing that at 0.5 CPU each starve a 2-core host by themselves. Without MAP_POPULATE (not
    Linux) we fall back to a bytearray with every page touched.
    """
    if _POPULATE is None:
        buf = bytearray(size)
        buf[::PAGE] = b"\x01" * len(range(0, size, PAGE))
        return buf
    return mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | _POPULATE)


# Every process of the container that allocates after checking the room takes this lock: a check
# and an allocation in two processes at once (leaky-job's API and its job) could otherwise each see
# the same free memory and together pass the limit, and the kernel's OOM killer would end a process
# of the scenario (the job, which would end the incident by itself).
MEMORY_LOCK = "/run/svckit-memory.lock"


@contextlib.contextmanager
def memory_lock(path=MEMORY_LOCK):
    """Holds an exclusive flock on `path` (every holder opens the file anew, so threads of one
    process exclude each other too). Without a writable /run it locks nothing and says so once."""
    global _unlocked_warned
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        if not _unlocked_warned:
            _unlocked_warned = True
            log("WARN memory lock unavailable (%s): allocations are not serialised across processes" % exc)
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


_unlocked_warned = False


def return_frees_to_the_os(mmap_threshold):
    """Pin glibc's mmap threshold: every allocation of `mmap_threshold` bytes or more is its own
    mapping, so freeing it returns the memory at once. By default the threshold adapts upwards
    after a large free (up to 32 MiB), and freed buffers would stay resident in the heap."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, mmap_threshold)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 1 * MIB)         # M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        pass

# ----------------------------------------------------------------------------------------------
# Processes and files


def reap_orphans():
    """As PID 1, wait for the orphans re-parented to us (say `sh -c 'job &'` run through
    `docker exec`), so a killed process does not linger as a zombie that `pgrep` still finds.
    Only for a PID 1 that starts no children of its own: it reaps every child."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def drop_privileges(user):
    """Started as root (so that root in the container keeps its capabilities: with Docker's
    no-new-privileges, `docker exec` of a non-root image gets none, even with -u root), the
    program itself goes on as the unprivileged `user`."""
    if os.getuid() != 0:
        return
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return
    os.setgroups([])
    os.setgid(entry.pw_gid)
    os.setuid(entry.pw_uid)


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(obj, fh, separators=(",", ":"))
    os.replace(tmp, path)


def read_json(path, default=None):
    try:
        with open(path) as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return default


def env_number(name, default, low, high):
    """A number from the environment, clamped to [low, high]; the default when unreadable."""
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return min(max(value, low), high)
