"""An internal service of the storefront: inventory, pricing or accounts, chosen by ROLE. Runs as PID 1: `python3 /srv/app/service.py`.

GET /healthz                200 "ok"
inventory: GET /stock/<sku>      {"sku", "available", "warehouse"}
pricing:   GET /price/<sku>      {"sku", "unit_cents", "currency"}
accounts:  GET /account/<id>     {"id", "status", "tier"}

No access log line per request (the storefront calls these several times per checkout);
instead one summary every 10 s, which keeps a quiet service visible from the outside:

  2024-05-01T12:00:10Z pricing: 27 requests in the last 10 s (27 ok) from 172.20.0.4
  2024-05-01T12:03:40Z pricing: 0 requests in the last 10 s (last request 52 s ago)

Env: ROLE (inventory | pricing | accounts), PORT (default 7000).
"""

import hashlib
import os
import sys
import threading
import time

from svckit import Handler, close, log, serve

ROLE = os.environ.get("ROLE", "inventory")
SUMMARY_EVERY = 10.0
WAREHOUSES = ["ams-1", "fra-2", "dub-1"]
TIERS = ["standard", "standard", "standard", "silver", "gold"]


def stable(key, modulo):
    """A number from the key that stays the same across requests (a stand-in for a database)."""
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) % modulo


def answer(kind, key):
    if ROLE == "inventory" and kind == "stock":
        return {"sku": key, "available": 5 + stable(key, 240), "warehouse": WAREHOUSES[stable(key + "w", 3)]}
    if ROLE == "pricing" and kind == "price":
        return {"sku": key, "unit_cents": 299 + stable(key, 9700), "currency": "EUR"}
    if ROLE == "accounts" and kind == "account":
        return {"id": key, "status": "active", "tier": TIERS[stable(key, len(TIERS))]}
    return None


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.ok = 0
        self.clients = set()
        self.last = None

    def record(self, ok, client):
        with self.lock:
            self.requests += 1
            self.ok += 1 if ok else 0
            self.clients.add(client)
            self.last = time.monotonic()

    def take(self):
        with self.lock:
            requests, ok, clients, last = self.requests, self.ok, sorted(self.clients), self.last
            self.requests, self.ok, self.clients = 0, 0, set()
        if requests:
            return "%s: %d requests in the last %d s (%d ok) from %s" % (
                ROLE, requests, SUMMARY_EVERY, ok, ", ".join(clients))
        if last is None:
            return "%s: 0 requests in the last %d s (none since start)" % (ROLE, SUMMARY_EVERY)
        return "%s: 0 requests in the last %d s (last request %d s ago)" % (
            ROLE, SUMMARY_EVERY, time.monotonic() - last)


STATS = Stats()


class Service(Handler):
    server_version = "%s/2.3" % ROLE

    def get(self, path, query):
        if path == "/healthz":
            self.reply(200, "ok\n")
            return
        parts = [p for p in path.split("/") if p]
        body = answer(parts[0], parts[1]) if len(parts) == 2 else None
        if body is None:
            self.reply(404, {"error": "not_found", "service": ROLE})
        else:
            self.reply(200, body)
        STATS.record(body is not None, self.client_address[0])

    def access(self, path, status, ms):
        pass  # no line per request: Stats prints a summary every SUMMARY_EVERY seconds


def main():
    port = int(os.environ.get("PORT", "7000"))
    server, stop = serve(Service, port, user="app")
    log("INFO %s listening on 0.0.0.0:%d (pid %d)" % (ROLE, port, os.getpid()))
    next_summary = time.monotonic() + SUMMARY_EVERY
    while not stop.wait(max(0.0, next_summary - time.monotonic())):
        log(STATS.take())
        next_summary += SUMMARY_EVERY
    log("INFO %s: shutting down" % ROLE)
    close(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
