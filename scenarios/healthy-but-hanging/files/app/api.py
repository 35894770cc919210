"""Quote API for the healthy-but-hanging scenario (PID 1: `python3 /srv/app/api.py`).

GET /healthz    200 "ok" - answered at once by the connection's own thread. It touches neither
                the worker pool nor the caches nor any dependency: it proves that the process
                is up and accepts connections, nothing more. That is why it stays green.
GET /api/quote  a price quote for one SKU (?sku=..., default a random one). It needs three
                dependencies: catalog (the price), stock (availability) and rates (currency).
                Each dependency is either
                  cached: a background thread ("refresh-<name>") reloads the whole table every
                          <NAME>_CACHE_S seconds, and requests read the table under its lock;
                  live:   requests call it through the bounded worker pool ("upstream-worker").
                Dependency calls have NO timeout (the bug that turns a hung dependency into an
                outage). The waits the API controls - for a pool worker, for a cache lock - give
                up after REQUEST_DEADLINE_S and answer 504.
GET /           a small index.

Two ways a dependency that accepts connections but never answers takes the API down:
  - live:   every pool worker ends up blocked on it; requests wait for a free worker.
  - cached: its refresh thread blocks while holding the cache lock (network I/O under a lock,
            the second bug); every request waits for that lock.

SIGUSR1 (or SIGQUIT) prints every thread's stack to this log, grouped by identical stacks (like
jstack or a goroutine dump), with a header counting the requests in flight and the oldest one's
age. One summary line per dump is also appended to /tmp/quote-api/thread-dumps.log.

Env: PORT, WORKERS (pool size), REQUEST_DEADLINE_S, CATALOG_URL, STOCK_URL, RATES_URL, and
CATALOG_CACHE_S / STOCK_CACHE_S / RATES_CACHE_S (absent or 0: live).
"""

import http.client
import json
import os
import random
import signal
import sys
import threading
import time
import traceback
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEPENDENCIES = ("catalog", "stock", "rates")
SKUS = ["SKU-%04d" % n for n in range(1000, 1060)]
DUMP_DIR = "/tmp/quote-api"
DUMP_SUMMARY = os.path.join(DUMP_DIR, "thread-dumps.log")

_log_lock = threading.Lock()


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def log(line):
    with _log_lock:
        sys.stdout.write("%s %s\n" % (now_iso(), line))
        sys.stdout.flush()


class GaveUp(Exception):
    """A wait the API controls ran past the request's deadline."""


# ---------------------------------------------------------------------------------------------
# Dependency clients: plain HTTP, one connection per call, and no timeout anywhere.

def http_get(base_url, path):
    url = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port or 80)  # no timeout: waits forever
    try:
        conn.request("GET", path, headers={"User-Agent": "quote-api/2.3"})
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise IOError("%s%s answered %d" % (base_url, path, resp.status))
        return json.loads(body)
    finally:
        conn.close()


def fetch_price(sku):
    return http_get(URLS["catalog"], "/v1/catalog?sku=" + sku)["value"]


def fetch_stock(sku):
    return http_get(URLS["stock"], "/v1/stock?sku=" + sku)["value"]


def fetch_rate(sku):
    return http_get(URLS["rates"], "/v1/rates?sku=" + sku)["value"]


def fetch_catalog_table():
    return http_get(URLS["catalog"], "/v1/catalog")["table"]


def fetch_stock_table():
    return http_get(URLS["stock"], "/v1/stock")["table"]


def fetch_rates_table():
    return http_get(URLS["rates"], "/v1/rates")["table"]


FETCH_ONE = {"catalog": fetch_price, "stock": fetch_stock, "rates": fetch_rate}
FETCH_TABLE = {"catalog": fetch_catalog_table, "stock": fetch_stock_table, "rates": fetch_rates_table}


class Cache:
    """A table reloaded in the background. The refresh holds the lock for the whole reload,
    network call included, so readers never see a half-written table - and wait as long as the
    dependency takes to answer."""

    def __init__(self, name, every_s):
        self.name = name
        self.every_s = every_s
        self.lock = threading.Lock()
        self.holder = None  # ident of the thread holding the lock (for thread dumps)
        self.held_since = 0.0
        self.waiting = set()
        self.table = None
        self.loaded_at = None
        self.thread = threading.Thread(target=self._run, name="refresh-%s" % name, daemon=True)

    def start(self):
        self.thread.start()

    def _run(self):
        while True:
            try:
                with self.lock:
                    self.holder, self.held_since = threading.get_ident(), time.monotonic()
                    try:
                        self.table = FETCH_TABLE[self.name]()
                        self.loaded_at = time.time()
                    finally:
                        self.holder = None
                pause = self.every_s
            except Exception as exc:  # dependency not up yet, refused, ...
                log("WARN refresh %s failed: %s" % (self.name, exc))
                pause = 1.0
            time.sleep(pause)

    def lookup(self, sku, deadline):
        me = threading.get_ident()
        self.waiting.add(me)
        try:
            got = self.lock.acquire(timeout=max(0.0, deadline - time.monotonic()))
        finally:
            self.waiting.discard(me)
        if not got:
            raise GaveUp()
        try:
            if self.table is None:
                raise IOError("%s data not loaded yet" % self.name)
            return self.table.get(sku)
        finally:
            self.lock.release()


# ---------------------------------------------------------------------------------------------

URLS = {}
CACHES = {}
LIVE = []
POOL = None
DEADLINE_S = 20.0

_inflight = {}
_inflight_lock = threading.Lock()


def fetch_live(names, sku):
    return {name: FETCH_ONE[name](sku) for name in names}


def quote(sku):
    deadline = time.monotonic() + DEADLINE_S
    parts = {}
    for name, cache in CACHES.items():
        parts[name] = cache.lookup(sku, deadline)
    if LIVE:
        fut = POOL.submit(fetch_live, LIVE, sku)
        try:
            parts.update(fut.result(timeout=max(0.0, deadline - time.monotonic())))
        except FutureTimeout:
            fut.cancel()
            raise GaveUp()
    price, stock, rate = parts["catalog"], parts["stock"], parts["rates"]
    if price is None or stock is None or rate is None:
        raise KeyError(sku)
    return {
        "sku": sku,
        "priceEur": price,
        "currency": "USD",
        "price": round(price * rate, 2),
        "inStock": stock > 0,
        "available": stock,
    }


class Handler(BaseHTTPRequestHandler):
    server_version = "quote-api/2.3"
    sys_version = ""
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):  # http.server's own stderr lines: off
        pass

    def _send(self, status, body, content_type="application/json"):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _json(self, status, obj):
        self._send(status, json.dumps(obj, separators=(",", ":")) + "\n")

    def do_GET(self):
        started = time.monotonic()
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        status = 500
        note = ""
        me = threading.get_ident()
        with _inflight_lock:
            _inflight[me] = (started, path)
        try:
            if path == "/healthz":
                status = 200
                self._send(200, "ok\n", "text/plain")
            elif path == "/api/quote":
                sku = urllib.parse.parse_qs(url.query).get("sku", [random.choice(SKUS)])[0]
                try:
                    body = quote(sku)
                    status = 200
                except GaveUp:
                    status, note = 504, " gave up after %.0fs" % DEADLINE_S
                    body = {"error": "timeout", "message": "the quote took too long"}
                except KeyError:
                    status, body = 404, {"error": "unknown_sku", "sku": sku}
                except Exception as exc:
                    status, note = 502, " %s" % exc
                    body = {"error": "dependency_error", "message": "a dependency failed"}
                self._json(status, body)
            elif path == "/":
                status = 200
                self._json(200, {"service": "quote-api", "endpoints": ["/api/quote?sku=SKU-1042", "/healthz"]})
            else:
                status = 404
                self._json(404, {"error": "not_found"})
        except (BrokenPipeError, ConnectionResetError):
            note = " (client gone)"
        finally:
            with _inflight_lock:
                _inflight.pop(me, None)
            log("%s %s %d %dms%s" % (self.command, path, status, (time.monotonic() - started) * 1000, note))

    do_HEAD = do_GET


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


# ---------------------------------------------------------------------------------------------
# Thread dump on SIGUSR1 / SIGQUIT

def thread_dump(signum, frame):
    frames = sys._current_frames()
    names = {t.ident: t.name for t in threading.enumerate()}
    now = time.monotonic()
    with _inflight_lock:
        ages = [now - started for started, path in _inflight.values() if path != "/healthz"]
    oldest = max(ages) if ages else 0.0
    notes = {}
    for name, cache in CACHES.items():
        holder = cache.holder
        if holder is not None:
            notes.setdefault(holder, []).append("- holds the %s cache lock (for %.1f s)" % (name, now - cache.held_since))
        for ident in list(cache.waiting):
            notes.setdefault(ident, []).append("- waiting for the %s cache lock" % name)
    groups = {}
    for ident, top in frames.items():
        if ident == threading.get_ident():
            continue  # the main thread, which is running this handler
        entries = traceback.extract_stack(top)
        # Leave out the thread machinery every stack starts with.
        while entries and entries[0].filename.endswith("threading.py"):
            entries = entries[1:]
        stack = tuple(traceback.format_list(entries)) + tuple("  " + n + "\n" for n in notes.get(ident, []))
        groups.setdefault(stack, []).append(names.get(ident, "thread-%d" % ident))
    sig = signal.Signals(signum).name
    lines = ["INFO thread dump (%s): %d threads, %d requests in flight, oldest %.1f s" % (
        sig, len(frames), len(ages), oldest)]
    for stack, who in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        shown = ", ".join(sorted(who)[:6]) + (", ..." if len(who) > 6 else "")
        lines.append("--- %d thread%s with this stack: %s" % (len(who), "" if len(who) == 1 else "s", shown))
        for entry in stack:
            lines.extend("  " + l for l in entry.rstrip("\n").split("\n"))
    lines.append("--- end of thread dump")
    with _log_lock:
        stamp = now_iso()
        sys.stdout.write("".join("%s %s\n" % (stamp, l) for l in lines))
        sys.stdout.flush()
    try:
        os.makedirs(DUMP_DIR, exist_ok=True)
        with open(DUMP_SUMMARY, "a") as f:
            f.write("%s signal=%s threads=%d inflight=%d oldest=%.1f\n" % (stamp, sig, len(frames), len(ages), oldest))
    except OSError:
        pass


def main():
    global POOL, DEADLINE_S
    port = int(os.environ.get("PORT", "8080"))
    workers = int(os.environ.get("WORKERS", "6"))
    DEADLINE_S = float(os.environ.get("REQUEST_DEADLINE_S", "20"))
    for name in DEPENDENCIES:
        URLS[name] = os.environ.get("%s_URL" % name.upper(), "http://%s:9000" % name)
        every = float(os.environ.get("%s_CACHE_S" % name.upper(), "0") or 0)
        if every > 0:
            CACHES[name] = Cache(name, every)
        else:
            LIVE.append(name)
    POOL = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="upstream-worker")

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda s, f: stop.set())
    signal.signal(signal.SIGINT, lambda s, f: stop.set())
    signal.signal(signal.SIGUSR1, thread_dump)
    signal.signal(signal.SIGQUIT, thread_dump)

    server = Server(("0.0.0.0", port), Handler)
    for cache in CACHES.values():
        cache.start()
    log("INFO quote-api listening on 0.0.0.0:%d (pid %d): %d pool workers, request deadline %.0f s; "
        "cached: %s; live: %s; SIGUSR1 prints every thread's stack to this log" % (
            port, os.getpid(), workers, DEADLINE_S,
            ", ".join("%s every %.0f s" % (n, c.every_s) for n, c in CACHES.items()) or "none",
            ", ".join(LIVE) or "none"))
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.5},
                               name="http-listener", daemon=True)
    serving.start()
    while not stop.wait(1.0):
        pass
    log("INFO quote-api: shutting down")
    server.shutdown()
    server.server_close()
    # Leave at once: a normal interpreter exit joins the pool's workers, and a worker blocked
    # on a dependency that never answers would hold the exit until Docker's SIGKILL.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
