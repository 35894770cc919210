"""Storefront checkout API (network-partition scenario). Runs as PID 1: `python3 /srv/app/api.py`.

GET /healthz        200 "ok" — always. Like many real health checks it asks nobody else, so the
                    container stays "healthy" while every checkout fails.
GET /api/checkout   builds a cart for a random customer (1-3 items) from three internal
                    services, in this order: accounts (the customer's tier, for the discount),
                    then for each item inventory (stock) and pricing (unit price). 200 JSON with
                    the cart, or 500 {"error": "cart_error"} and an ERROR line with a traceback.
GET /               what this service is and which upstreams it uses.

The bug that hides the incident: get_json() is "best effort". When a call to an internal
service fails (refused, timed out, name not found) it returns {} and mentions the real error
only at DEBUG level, which is off. The caller then trips over the missing field, so a network
failure surfaces as `KeyError: 'unit_cents'` in build_cart — it looks like a code or contract
bug. The only trace of the real cause in the log is the latency of the failed requests (a
dropped packet costs UPSTREAM_TIMEOUT seconds; a refused connection or an unknown name costs
nothing).

Env: PORT (8080), ACCOUNTS_URL, INVENTORY_URL, PRICING_URL (http://name:port),
UPSTREAM_TIMEOUT (seconds, 2), LOG_LEVEL (INFO; DEBUG shows the swallowed errors).
"""

import json
import os
import random
import sys
import time
import traceback
import urllib.request
from http.server import BaseHTTPRequestHandler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import log, serve  # noqa: E402

ACCOUNTS_URL = os.environ.get("ACCOUNTS_URL", "http://accounts:7000")
INVENTORY_URL = os.environ.get("INVENTORY_URL", "http://inventory:7000")
PRICING_URL = os.environ.get("PRICING_URL", "http://pricing:7000")
UPSTREAM_TIMEOUT = float(os.environ.get("UPSTREAM_TIMEOUT", "2"))
DEBUG = os.environ.get("LOG_LEVEL", "INFO").upper() == "DEBUG"

CUSTOMERS = ["c-1042", "c-1177", "c-2093", "c-2210", "c-3051", "c-3388", "c-4120", "c-4702", "c-5119", "c-6034"]
SKUS = ["sku-anorak-m", "sku-boots-42", "sku-beanie", "sku-gloves-l", "sku-tent-2p", "sku-stove",
        "sku-mug-ti", "sku-socks-3", "sku-pack-30l", "sku-lamp-usb", "sku-map-alps", "sku-bottle-1l"]
TIER_DISCOUNT = {"standard": 0, "silver": 5, "gold": 10}

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def debug(text):
    if DEBUG:
        log("DEBUG " + text)


def get_json(base, path):
    """GET a JSON document from an internal service.

    "Best effort", so that one slow service cannot take the storefront down: any failure gives
    an empty document, and the caller decides what a missing value means.
    """
    try:
        with OPENER.open(base + path, timeout=UPSTREAM_TIMEOUT) as resp:
            return json.loads(resp.read(1 << 16))
    except Exception as exc:  # noqa: BLE001 — that is exactly the problem
        debug("upstream %s%s failed: %s" % (base, path, exc))
        return {}


def build_cart(customer, items):
    account = get_json(ACCOUNTS_URL, "/account/%s" % customer)
    discount = TIER_DISCOUNT.get(account["tier"], 0)
    lines = []
    for sku, qty in items:
        stock = get_json(INVENTORY_URL, "/stock/%s" % sku)
        if stock["available"] < qty:
            qty = stock["available"]
        price = get_json(PRICING_URL, "/price/%s" % sku)
        line_cents = price["unit_cents"] * qty
        lines.append({"sku": sku, "qty": qty, "unitCents": price["unit_cents"], "lineCents": line_cents,
                      "warehouse": stock.get("warehouse")})
    subtotal = sum(line["lineCents"] for line in lines)
    total = subtotal - subtotal * discount // 100
    return {"customer": customer, "tier": account["tier"], "lines": lines, "subtotalCents": subtotal,
            "discountPercent": discount, "totalCents": total, "currency": "EUR"}


class Handler(BaseHTTPRequestHandler):
    server_version = "storefront/3.7"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def _send(self, status, body, content_type="application/json"):
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body, separators=(",", ":")) + "\n"
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self):
        started = time.monotonic()
        path = self.path.split("?", 1)[0]
        status = 500
        try:
            if path == "/healthz":
                status = 200
                self._send(200, "ok\n", "text/plain")
            elif path == "/api/checkout":
                status = self._checkout()
            elif path == "/":
                status = 200
                self._send(200, {"service": "storefront", "endpoints": ["/api/checkout", "/healthz"],
                                 "upstreams": {"accounts": ACCOUNTS_URL, "inventory": INVENTORY_URL, "pricing": PRICING_URL}})
            else:
                status = 404
                self._send(404, {"error": "not_found"})
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            log("%s %s %d %dms" % (self.command, path, status, (time.monotonic() - started) * 1000))

    do_HEAD = do_GET

    def _checkout(self):
        customer = random.choice(CUSTOMERS)
        items = [(sku, random.randint(1, 3)) for sku in random.sample(SKUS, random.randint(1, 3))]
        try:
            cart = build_cart(customer, items)
        except Exception:  # noqa: BLE001
            log("ERROR checkout %s: failed to build cart\n%s" % (customer, traceback.format_exc()))
            self._send(500, {"error": "cart_error", "message": "failed to build cart"})
            return 500
        self._send(200, cart)
        return 200


def main():
    port = int(os.environ.get("PORT", "8080"))
    server, stop = serve(Handler, port)
    log("INFO storefront listening on 0.0.0.0:%d (pid %d); upstreams accounts=%s inventory=%s pricing=%s, timeout %gs" % (
        port, os.getpid(), ACCOUNTS_URL, INVENTORY_URL, PRICING_URL, UPSTREAM_TIMEOUT))
    stop.wait()
    log("INFO storefront: shutting down")
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
