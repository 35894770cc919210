"""Orders API (runs as PID 1: `python3 /srv/app/api.py`).

GET /healthz     200 "ok" — always, and cheaply.
GET /api/orders  200 JSON with a page of orders. Each request needs a working buffer: 60% of
                 requests 1-3 MiB, 40% 8-16 MiB. Before allocating, the API checks the
                 container's memory headroom (svckit.read_memory, the `docker stats` formula);
                 if used + buffer would pass HEADROOM_CEILING of the limit it logs an ERROR
                 ("Cannot allocate memory") and answers 500.

Why check instead of simply allocating: without swap, an allocation past the container's limit
does not fail cleanly in Python: the kernel's OOM killer ends some process in the container
instead. Refusing one request is the smaller harm. Check and allocation happen under one lock,
shared with every process in the container that does the same (svckit.memory_lock), so neither
concurrent requests nor a request and another process's allocation can together overshoot it.

Connections are served by a fixed pool of worker threads (WORKERS), not one new thread each:
the container's process limit counts threads, and a thread per connection runs into it as soon
as requests arrive faster than they finish. While the workers keep up they serve the oldest
connection first; once the oldest has waited BACKED_UP_S they serve the newest first (adaptive
LIFO): on a starved CPU, oldest-first answers only requests whose clients already gave up, so
every answer comes too late and nobody is served (congestion collapse), while newest-first
answers the clients still waiting. A connection that waited longer than clients wait for an
answer (STALE_AFTER_S) is closed unanswered. Health checks skip the queue: the accepting thread
answers them itself, so a busy API is not mistaken for a dead one.

Env: PORT (default 8080), WORKERS (default 8).
"""

import collections
import errno
import os
import random
import select
import signal
import socket
import sys
import threading
import time

from svckit import MIB, Handler, Server, close, env_number, log, memory_lock, mib, read_memory, reap_orphans, resident, return_frees_to_the_os

# Keep ~6% of the limit free for health checks and `docker exec` sessions, which run in this
# container's memory cgroup too.
HEADROOM_CEILING = 0.94
SMALL_BUFFER = (1 * MIB, 3 * MIB)     # 60% of requests
LARGE_BUFFER = (8 * MIB, 16 * MIB)    # 40% of requests
LARGE_SHARE = 0.40
PAGE = 4096

def buffer_size():
    low, high = LARGE_BUFFER if random.random() < LARGE_SHARE else SMALL_BUFFER
    return random.randint(low // PAGE, high // PAGE) * PAGE


def reserve_buffer(size):
    """Allocate `size` bytes of resident memory, or raise OSError(ENOMEM) if the container lacks room.

    The ENOMEM error carries `.memory = (used, limit)` as read before deciding.
    """
    with memory_lock():
        used, limit = read_memory()
        if limit is not None and used is not None and used + size > HEADROOM_CEILING * limit:
            err = OSError(errno.ENOMEM, os.strerror(errno.ENOMEM))
            err.memory = (used, limit)
            raise err
        return resident(size)


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


class Orders(Handler):
    server_version = "orders-api/1.4"

    routes = {"/api/orders": "orders", "/": "index"}

    def index(self, query):
        self.reply(200, {"service": "orders-api", "endpoints": ["/api/orders", "/healthz"]})

    def orders(self, query):
        size = buffer_size()
        try:
            buf = reserve_buffer(size)
        except OSError as exc:
            used, limit = getattr(exc, "memory", (None, None))
            where = ""
            if used is not None and limit is not None:
                where = " (container memory %.1f/%.1f MiB)" % (mib(used), mib(limit))
            log("ERROR orders: cannot allocate %.1f MiB working buffer: %s%s" % (mib(size), exc, where))
            self.reply(500, {"error": "internal_error", "message": "could not process the request"})
            return
        try:
            body = build_orders(buf)
        finally:
            if hasattr(buf, "close"):
                buf.close()  # the mapping goes back to the OS now, not when the GC gets to it
            del buf
        self.reply(200, body)


# Our clients give up after 5 s; answering later only costs memory and CPU nobody waits for.
STALE_AFTER_S = 5.0
# A queue whose oldest connection waited this long is backed up: serve the newest first.
BACKED_UP_S = 1.0


class Backlog:
    """Accepted connections waiting for a worker: (request, client_address, accepted_at)."""

    def __init__(self, clock=time.monotonic):
        self.items = collections.deque()
        self.cond = threading.Condition()
        self.clock = clock
        self.closed = False

    def put(self, request, client_address):
        with self.cond:
            self.items.append((request, client_address, self.clock()))
            self.cond.notify()

    def close(self):
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def take(self):
        """Blocks for the next connection to serve; returns (item, stale), item None once closed.

        Oldest first while the queue keeps up, newest first once it is backed up; `stale` are
        the connections past STALE_AFTER_S, for the caller to close unanswered.
        """
        with self.cond:
            while not self.items and not self.closed:
                self.cond.wait()
            if self.closed:
                return None, []
            now = self.clock()
            stale = []
            while self.items and now - self.items[0][2] > STALE_AFTER_S:
                stale.append(self.items.popleft())
            if not self.items:
                return None, stale
            backed_up = now - self.items[0][2] >= BACKED_UP_S
            return (self.items.pop() if backed_up else self.items.popleft()), stale


# How long the accepting thread waits for a new connection's first bytes, and for a health check.
PEEK_S = 0.05
HEALTH_TIMEOUT_S = 2.0


def is_health_check(request):
    """Whether the connection's request starts with GET /healthz (peeked, not consumed)."""
    try:
        ready, _, _ = select.select([request], [], [], PEEK_S)
        return bool(ready) and request.recv(12, socket.MSG_PEEK) == b"GET /healthz"
    except OSError:
        return False


class PooledServer(Server):
    """Serves accepted connections from a fixed set of worker threads (Backlog decides the order)."""

    def __init__(self, address, handler, workers, backlog=64):
        super().__init__(address, handler, backlog)
        self.pending = Backlog()
        self.workers = [threading.Thread(target=self.work, name="http-worker-%d" % i, daemon=True) for i in range(workers)]
        for worker in self.workers:
            worker.start()

    def process_request(self, request, client_address):
        # A health check is answered at once, by the accepting thread: queued behind slow orders
        # it would time out, and the platform would take a busy API for a dead one.
        if is_health_check(request):
            try:
                request.settimeout(HEALTH_TIMEOUT_S)
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)
            return
        self.pending.put(request, client_address)

    def work(self):
        while True:
            item, stale = self.pending.take()
            for request, _, _ in stale:
                self.shutdown_request(request)
            if item is None:
                if self.pending.closed:
                    return
                continue
            request, client_address, _ = item
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

    def server_close(self):
        self.pending.close()
        super().server_close()


def serve_pooled(port, workers):
    server = PooledServer(("0.0.0.0", port), Orders, workers)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda s, f: stop.set())
    signal.signal(signal.SIGINT, lambda s, f: stop.set())
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="http", daemon=True).start()
    return server, stop


def main():
    return_frees_to_the_os(256 * 1024)
    port = int(os.environ.get("PORT", "8080"))
    workers = int(env_number("WORKERS", 8, 1, 32))
    server, stop = serve_pooled(port, workers)
    # Anything run through `docker exec` can leave its orphans to us, PID 1.
    signal.signal(signal.SIGCHLD, lambda signum, frame: reap_orphans())
    used, limit = read_memory()
    log("INFO orders-api listening on 0.0.0.0:%d (pid %d, %d workers, memory limit %s)" % (
        port, os.getpid(), workers, "%.0f MiB" % mib(limit) if limit else "none"))
    while not stop.wait(1.0):
        reap_orphans()
    log("INFO orders-api: shutting down")
    close(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
