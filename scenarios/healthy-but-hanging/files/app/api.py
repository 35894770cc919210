"""Quote API (PID 1: `python3 /srv/app/api.py`).

GET /healthz    200 "ok" - answered at once by the connection's own thread, without the worker
                pool, the caches or any dependency.
GET /api/quote  a price quote for one SKU (?sku=..., default a random one). It needs three
                dependencies: catalog (the price), stock (availability) and rates (currency).
                Each dependency is either
                  cached: a background thread ("refresh-<name>") reloads the whole table every
                          <NAME>_CACHE_S seconds, and requests read the table under its lock;
                  live:   requests call it through the bounded worker pool ("upstream-worker").
                The waits the API controls - for a pool worker, for a cache lock - give up
                after REQUEST_DEADLINE_S and answer 504.
GET /           a small index.

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

from svckit import Handler, close, log, serve, wait_for

DEPENDENCIES = ("catalog", "stock", "rates")
SKUS = ["SKU-%04d" % n for n in range(1000, 1060)]
DUMP_DIR = "/tmp/quote-api"
DUMP_SUMMARY = os.path.join(DUMP_DIR, "thread-dumps.log")

class GaveUp(Exception):
    """A wait the API controls ran past the request's deadline."""


# ---------------------------------------------------------------------------------------------
# Dependency clients: plain HTTP, one connection per call.

def http_get(base_url, path):
    url = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port or 80)
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


class Quotes(Handler):
    server_version = "quote-api/2.3"
    protocol_version = "HTTP/1.0"
    note_when_gone = " (client gone)"

    def get(self, path, query):
        me = threading.get_ident()
        with _inflight_lock:
            _inflight[me] = (time.monotonic(), path)
        try:
            self.route(path, query)
        finally:
            with _inflight_lock:
                _inflight.pop(me, None)

    def route(self, path, query):
        if path == "/healthz":
            self.reply(200, "ok\n")
        elif path == "/api/quote":
            sku = urllib.parse.parse_qs(query).get("sku", [random.choice(SKUS)])[0]
            try:
                status, body = 200, quote(sku)
            except GaveUp:
                status, self.note = 504, " gave up after %.0fs" % DEADLINE_S
                body = {"error": "timeout", "message": "the quote took too long"}
            except KeyError:
                status, body = 404, {"error": "unknown_sku", "sku": sku}
            except Exception as exc:
                status, self.note = 502, " %s" % exc
                body = {"error": "dependency_error", "message": "a dependency failed"}
            self.reply(status, body)
        elif path == "/":
            self.reply(200, {"service": "quote-api", "endpoints": ["/api/quote?sku=SKU-1042", "/healthz"]})
        else:
            self.reply(404, {"error": "not_found"})


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
    stamp = log.block(lines)
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

    server, stop = serve(Quotes, port, backlog=128, thread="http-listener")
    signal.signal(signal.SIGUSR1, thread_dump)
    signal.signal(signal.SIGQUIT, thread_dump)
    for cache in CACHES.values():
        cache.start()
    log("INFO quote-api listening on 0.0.0.0:%d (pid %d): %d pool workers, request deadline %.0f s; "
        "cached: %s; live: %s; SIGUSR1 prints every thread's stack to this log" % (
            port, os.getpid(), workers, DEADLINE_S,
            ", ".join("%s every %.0f s" % (n, c.every_s) for n, c in CACHES.items()) or "none",
            ", ".join(LIVE) or "none"))
    wait_for(stop)
    log("INFO quote-api: shutting down")
    close(server)
    # Leave at once: a normal interpreter exit joins the pool's workers, and a worker blocked
    # on a dependency that never answers would hold the exit until Docker's SIGKILL.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
