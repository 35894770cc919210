"""Orders API for the leaky-job scenario (runs as PID 1: `python3 /srv/app/api.py`).

GET /healthz     200 "ok" — always, and cheaply. Like many real health checks it knows nothing
                 about memory, so the container stays "healthy" while customers get 500s.
GET /api/orders  200 JSON with a page of orders. Each request needs a working buffer: 60% of
                 requests 2-6 MiB, 40% 16-32 MiB. Before allocating, the API checks the
                 container's memory headroom (cgroupmem.read_memory, the `docker stats` formula);
                 if used + buffer would pass HEADROOM_CEILING of the limit it logs an ERROR
                 ("Cannot allocate memory") and answers 500.

Why the API checks instead of simply allocating: without swap, a real allocation past the limit
does not fail cleanly in Python — the kernel's OOM killer ends a process, most likely the big
runaway job, which would "fix" the incident on its own. The check turns memory pressure into the
symptom from the field notes (intermittent 500s + "Cannot allocate memory" in the logs) while the
job keeps running until the learner finds and ends it. Check and allocation happen under one
lock, so concurrent requests cannot together overshoot the limit.

Env: PORT (default 8080).
"""

import ctypes
import errno
import json
import os
import random
import signal
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cgroupmem import MIB, mib, read_memory  # noqa: E402

# 94%: the job holds ~91%, so small buffers still fit (the failures stay intermittent) and
# ~6% of the limit stays free for health checks and the learner's docker exec processes, which
# run in this container's memory cgroup too: nearer the limit, the kernel's OOM killer would
# take the job (the largest process) and the incident would end by itself.
HEADROOM_CEILING = 0.94
SMALL_BUFFER = (2 * MIB, 6 * MIB)     # 60% of requests
LARGE_BUFFER = (16 * MIB, 32 * MIB)   # 40% of requests
LARGE_SHARE = 0.40
PAGE = 4096

_alloc_lock = threading.Lock()
_log_lock = threading.Lock()


def _return_big_frees_to_the_os():
    """Pin glibc's mmap threshold so every working buffer is its own mapping.

    By default glibc raises the threshold after freeing a large mmapped chunk (up to 32 MiB), so
    later buffers would come from the heap and stay resident after free: the API would look like
    it leaks too. A fixed threshold keeps the API's footprint flat.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
        libc.mallopt(M_MMAP_THRESHOLD, 256 * 1024)
        libc.mallopt(M_TRIM_THRESHOLD, 1 * MIB)
    except (OSError, AttributeError):
        pass


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def log(line):
    with _log_lock:
        sys.stdout.write("%s %s\n" % (now_iso(), line))
        sys.stdout.flush()


def buffer_size():
    low, high = LARGE_BUFFER if random.random() < LARGE_SHARE else SMALL_BUFFER
    return random.randint(low // PAGE, high // PAGE) * PAGE


def reserve_buffer(size):
    """Allocate and touch `size` bytes, or raise OSError(ENOMEM) if the container lacks room.

    The ENOMEM error carries `.memory = (used, limit)` as read before deciding.
    """
    with _alloc_lock:
        used, limit = read_memory()
        if limit is not None and used is not None and used + size > HEADROOM_CEILING * limit:
            err = OSError(errno.ENOMEM, os.strerror(errno.ENOMEM))
            err.memory = (used, limit)
            raise err
        buf = bytearray(size)  # zero-filled, so already resident; touch anyway to be explicit
        buf[::PAGE] = b"\x01" * len(range(0, size, PAGE))
        return buf


CUSTOMERS = ["c-1042", "c-1177", "c-2093", "c-2210", "c-3051", "c-3388", "c-4120", "c-4702"]
STATES = ["paid", "paid", "paid", "packed", "shipped", "shipped", "delivered", "refunded"]


def build_orders(buf):
    # "A little work": a pass over the buffer, then a page of orders.
    checksum = sum(buf[::PAGE * 16]) & 0xFFFF
    base = int(time.time()) % 100000
    orders = []
    for i in range(20):
        orders.append({
            "id": "ord-%06d" % (base * 20 + i),
            "customer": random.choice(CUSTOMERS),
            "totalCents": random.randint(499, 25999),
            "status": random.choice(STATES),
        })
    time.sleep(random.uniform(0.003, 0.015))
    return {"orders": orders, "count": len(orders), "batch": checksum}


class Handler(BaseHTTPRequestHandler):
    server_version = "orders-api/1.4"
    sys_version = ""

    def log_message(self, fmt, *args):  # silence http.server's own stderr logging
        pass

    def _send(self, status, body, content_type):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _json(self, status, obj):
        self._send(status, json.dumps(obj, separators=(",", ":")) + "\n", "application/json")

    def do_GET(self):
        started = time.monotonic()
        path = self.path.split("?", 1)[0]
        status = 500
        try:
            if path == "/healthz":
                status = 200
                self._send(200, "ok\n", "text/plain")
            elif path == "/api/orders":
                status = self._orders()
            elif path == "/":
                status = 200
                self._json(200, {"service": "orders-api", "endpoints": ["/api/orders", "/healthz"]})
            else:
                status = 404
                self._json(404, {"error": "not_found"})
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            log("%s %s %d %dms" % (self.command, path, status, (time.monotonic() - started) * 1000))

    do_HEAD = do_GET

    def _orders(self):
        size = buffer_size()
        try:
            buf = reserve_buffer(size)
        except OSError as exc:
            used, limit = getattr(exc, "memory", (None, None))
            where = ""
            if used is not None and limit is not None:
                where = " (container memory %.1f/%.1f MiB)" % (mib(used), mib(limit))
            log("ERROR orders: cannot allocate %.1f MiB working buffer: %s%s" % (mib(size), exc, where))
            self._json(500, {"error": "internal_error", "message": "could not process the request"})
            return 500
        try:
            body = build_orders(buf)
        finally:
            del buf
        self._json(200, body)
        return 200


def reap_orphans():
    """As PID 1, wait for orphans re-parented to us (say `sh -c 'job &'` run through docker
    exec), so a killed process does not linger as a zombie that `pgrep -x` still matches.
    The API starts no children of its own, so reaping every child is safe."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def main():
    _return_big_frees_to_the_os()
    port = int(os.environ.get("PORT", "8080"))
    server = Server(("0.0.0.0", port), Handler)
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGCHLD, lambda signum, frame: reap_orphans())

    used, limit = read_memory()
    log("INFO orders-api listening on 0.0.0.0:%d (pid %d, memory limit %s)" % (
        port, os.getpid(), "%.0f MiB" % mib(limit) if limit else "none"))
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                               name="http", daemon=True)
    serving.start()
    while not stop.wait(1.0):
        reap_orphans()
    log("INFO orders-api: shutting down")
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
