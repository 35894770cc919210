"""The lookup API.

GET /healthz          200 "ok" when a fresh connection can run `SELECT 1` within 2 s.
GET <path>            the critical lookup, e.g. GET /api/orders?customer_ref=CUS-0012345.
                      Without the parameter the API picks a key itself (the traffic service
                      sends bare requests and lets the API play its customers' mix: HOT_SHARE of
                      them ask about the newest HOT_ROWS rows, the rest about any row).
                      Per request, on one pooled connection in autocommit mode:
                        1. "touch": UPDATE <table> SET last_seen_at = now() WHERE id = $id
                           (by primary key: fast, unless a lock holds the row or the table)
                        2. lookup:  SELECT ... FROM <table> WHERE <column> = $key
                      200 JSON; 504 when a statement hits statement_timeout; 503 when no pooled
                      connection frees up within POOL_WAIT_MS or the database is unreachable.
GET /                 what this service is.

Logs (stdout): one access line per request; "WARN slow query" with the statement for any
statement over 1 s; "ERROR" lines for timeouts and connection trouble; every 30 s a "stats:" line
(requests, failures, p95, pool use).

Env: PORT, DATASET (see /srv/common/datasets.py), ROWS, HOT_ROWS (default 20000), HOT_SHARE
(default 0.4), STATEMENT_TIMEOUT_MS (default 6000), POOL_SIZE (default 40), POOL_WAIT_MS
(default 2000), and libpq's PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD.
"""

import math
import os
import random
import sys
import threading
import time
from urllib.parse import parse_qs

from svckit import Handler, Log, close, serve

import psycopg2
import psycopg2.errors
import psycopg2.extensions

sys.path.insert(0, "/srv/common")
sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import datasets  # noqa: E402

SLOW_MS = 1000
STATS_EVERY = 30.0

def env_int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


log = Log(ms=True)


class PoolBusy(Exception):
    pass


class Pool:
    """At most `size` connections; a request waits up to `wait_s` for one, then gives up (503).

    Connections are opened lazily and kept; one that broke (terminated backend, restart) is
    dropped and replaced on the next request.
    """

    def __init__(self, size, wait_s, app_name, statement_timeout_ms):
        self.size = size
        self.wait_s = wait_s
        self.slots = threading.BoundedSemaphore(size)
        self.idle = []
        self.lock = threading.Lock()
        self.in_use = 0
        self.dsn_kwargs = {
            "application_name": app_name,
            "connect_timeout": 3,
            "options": "-c statement_timeout=%d" % statement_timeout_ms,
        }

    def get(self):
        if not self.slots.acquire(timeout=self.wait_s):
            raise PoolBusy()
        with self.lock:
            self.in_use += 1
            conn = self.idle.pop() if self.idle else None
        if conn is None or conn.closed:
            try:
                conn = psycopg2.connect(**self.dsn_kwargs)
                conn.autocommit = True
            except Exception:
                self._release()
                raise
        return conn

    def put(self, conn, broken=False):
        if broken or conn.closed:
            try:
                conn.close()
            except Exception:
                pass
        else:
            with self.lock:
                self.idle.append(conn)
        self._release()

    def _release(self):
        with self.lock:
            self.in_use -= 1
        self.slots.release()


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.requests = 0
        self.failures = {}
        self.latencies = []

    def record(self, status, ms):
        with self.lock:
            self.requests += 1
            self.latencies.append(ms)
            if status >= 400:
                self.failures[status] = self.failures.get(status, 0) + 1

    def take(self):
        with self.lock:
            lat = sorted(self.latencies)
            failed = sum(self.failures.values())
            detail = ", ".join("%d: %d" % kv for kv in sorted(self.failures.items()))
            p95 = "%d ms" % lat[max(1, math.ceil(0.95 * len(lat))) - 1] if lat else "- ms"
            line = "%d requests, %d failed%s, p95 %s" % (self.requests, failed, " (%s)" % detail if detail else "", p95)
            self.reset()
            return line


class App:
    def __init__(self):
        self.ds = datasets.get(os.environ.get("DATASET", "orders"))
        self.rows = env_int("ROWS", 2000000)
        self.hot_rows = max(1, min(self.rows, env_int("HOT_ROWS", 20000)))
        try:
            self.hot_share = min(1.0, max(0.0, float(os.environ.get("HOT_SHARE", "0.4"))))
        except ValueError:
            self.hot_share = 0.4
        self.statement_timeout_ms = env_int("STATEMENT_TIMEOUT_MS", 6000)
        self.pool = Pool(env_int("POOL_SIZE", 40), env_int("POOL_WAIT_MS", 2000) / 1000.0,
                         self.ds["app"], self.statement_timeout_ms)
        self.stats = Stats()
        t, col = self.ds["table"], self.ds["column"]
        self.touch_sql = "UPDATE %s SET last_seen_at = now() WHERE id = %%s" % t
        self.lookup_sql = ("SELECT id, %s, status, amount_cents, created_at FROM %s WHERE %s = %%s" % (col, t, col))

    def pick(self):
        if random.random() < self.hot_share:
            row_id = random.randint(self.rows - self.hot_rows + 1, self.rows)
        else:
            row_id = random.randint(1, self.rows)
        return row_id, datasets.key_for_id(self.ds, row_id)

    def parse_key(self, raw):
        if self.ds["kind"] == "bigint":
            return int(raw)
        if not raw or len(raw) > 120:
            raise ValueError("bad key")
        return raw

    def timed(self, cur, sql, args):
        started = time.monotonic()
        try:
            cur.execute(sql, args)
        finally:
            ms = (time.monotonic() - started) * 1000
            if ms >= SLOW_MS:
                log("WARN slow query (%d ms): %s" % (ms, sql.replace("%s", "$1")))
        return ms

    def lookup(self, query):
        """Returns (status, body dict)."""
        param = self.ds["param"]
        raw = parse_qs(query).get(param, [None])[0]
        row_id = None
        if raw is None:
            row_id, key = self.pick()
        else:
            try:
                key = self.parse_key(raw)
            except ValueError:
                return 400, {"error": "bad_request", "message": "invalid %s" % param}
        try:
            conn = self.pool.get()
        except PoolBusy:
            log("ERROR no database connection free after %d ms (%d of %d in use)"
                % (self.pool.wait_s * 1000, self.pool.in_use, self.pool.size))
            return 503, {"error": "busy", "message": "the database is not answering fast enough"}
        except psycopg2.Error as exc:
            log("ERROR cannot connect to the database: %s" % str(exc).strip().splitlines()[0])
            return 503, {"error": "unavailable", "message": "the database is unavailable"}
        broken = False
        try:
            with conn.cursor() as cur:
                if row_id is not None:
                    self.timed(cur, self.touch_sql, (row_id,))
                self.timed(cur, self.lookup_sql, (key,))
                rows = cur.fetchall()
                if row_id is None and rows:
                    newest = max(r[0] for r in rows)
                    self.timed(cur, self.touch_sql, (newest,))
            rows.sort(key=lambda r: r[0], reverse=True)
            items = [{"id": r[0], param: r[1], "status": r[2], "amountCents": r[3], "createdAt": r[4].isoformat()}
                     for r in rows[:20]]
            return 200, {param: key, "count": len(rows), "items": items}
        except psycopg2.errors.QueryCanceled as exc:
            log("ERROR query failed: %s" % str(exc).strip().splitlines()[0])
            return 504, {"error": "timeout", "message": "the database did not answer in time"}
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
            broken = True
            log("ERROR database connection lost: %s" % (str(exc).strip().splitlines() or ["?"])[0])
            return 503, {"error": "unavailable", "message": "the database is unavailable"}
        except psycopg2.Error as exc:
            log("ERROR query failed: %s" % (str(exc).strip().splitlines() or ["?"])[0])
            return 500, {"error": "internal_error", "message": "the lookup failed"}
        finally:
            self.pool.put(conn, broken=broken or conn.closed != 0)

    def healthy(self):
        try:
            conn = psycopg2.connect(application_name=self.ds["app"] + "-health", connect_timeout=2,
                                    options="-c statement_timeout=2000")
        except psycopg2.Error:
            return False
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
                return cur.fetchone() == (1,)
        except psycopg2.Error:
            return False
        finally:
            conn.close()


APP = None


class Lookups(Handler):
    server_version = "lookup-api/2.3"
    protocol_version = "HTTP/1.0"

    def get(self, path, query):
        if path == "/healthz":
            ok = APP.healthy()
            self.reply(200 if ok else 503, "ok\n" if ok else "database unreachable\n")
        elif path == APP.ds["path"]:
            self.reply(*APP.lookup(query))
        elif path == "/":
            self.reply(200, {"service": APP.ds["app"], "endpoints": [APP.ds["path"] + "?" + APP.ds["param"] + "=...", "/healthz"]})
        else:
            self.reply(404, {"error": "not_found"})

    def access(self, path, status, ms):
        if path != "/healthz":
            APP.stats.record(status, ms)
            log("%s %s %d %dms" % (self.command, path, status, ms))


def main():
    global APP
    APP = App()
    port = env_int("PORT", 8080)
    server, stop = serve(Lookups, port, backlog=128, poll=0.2)
    log("INFO %s listening on 0.0.0.0:%d (db %s@%s/%s, pool %d, statement_timeout %d ms)" % (
        APP.ds["app"], port, os.environ.get("PGUSER", "?"), os.environ.get("PGHOST", "?"),
        os.environ.get("PGDATABASE", "?"), APP.pool.size, APP.statement_timeout_ms))
    next_stats = time.monotonic() + STATS_EVERY
    while not stop.wait(1.0):
        if time.monotonic() >= next_stats:
            next_stats += STATS_EVERY
            log("INFO stats: %s, pool %d/%d in use" % (APP.stats.take(), APP.pool.in_use, APP.pool.size))
    log("INFO shutting down")
    close(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
