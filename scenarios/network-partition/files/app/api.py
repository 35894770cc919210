"""Storefront checkout API. Runs as PID 1: `python3 /srv/app/api.py`.

GET /healthz        200 "ok" — always.
GET /api/checkout   builds a cart for a random customer (1-3 items) from three internal
                    services, in this order: accounts (the customer's tier, for the discount),
                    then for each item inventory (stock) and pricing (unit price). 200 JSON with
                    the cart, or 500 {"error": "cart_error"} and an ERROR line with a traceback.
GET /               what this service is and which upstreams it uses.

Calls to the internal services are best effort (get_json): a failed call gives an empty
document, and the error is logged at DEBUG level.

Env: PORT (8080), ACCOUNTS_URL, INVENTORY_URL, PRICING_URL (http://name:port),
UPSTREAM_TIMEOUT (seconds, 4), LOG_LEVEL (INFO; DEBUG also logs failed upstream calls).
"""

import json
import os
import random
import sys
import traceback
import urllib.request

from svckit import Handler, close, log, serve, wait_for

ACCOUNTS_URL = os.environ.get("ACCOUNTS_URL", "http://accounts:7000")
INVENTORY_URL = os.environ.get("INVENTORY_URL", "http://inventory:7000")
PRICING_URL = os.environ.get("PRICING_URL", "http://pricing:7000")
UPSTREAM_TIMEOUT = float(os.environ.get("UPSTREAM_TIMEOUT", "4"))
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
    except Exception as exc:  # noqa: BLE001 (best effort, see above)
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


class Storefront(Handler):
    server_version = "storefront/3.7"

    routes = {"/api/checkout": "checkout", "/": "index"}

    def index(self, query):
        self.reply(200, {"service": "storefront", "endpoints": ["/api/checkout", "/healthz"],
                         "upstreams": {"accounts": ACCOUNTS_URL, "inventory": INVENTORY_URL, "pricing": PRICING_URL}})

    def checkout(self, query):
        customer = random.choice(CUSTOMERS)
        items = [(sku, random.randint(1, 3)) for sku in random.sample(SKUS, random.randint(1, 3))]
        try:
            cart = build_cart(customer, items)
        except Exception:  # noqa: BLE001
            log("ERROR checkout %s: failed to build cart\n%s" % (customer, traceback.format_exc()))
            self.reply(500, {"error": "cart_error", "message": "failed to build cart"})
            return
        self.reply(200, cart)


def main():
    port = int(os.environ.get("PORT", "8080"))
    server, stop = serve(Storefront, port, user="app")
    log("INFO storefront listening on 0.0.0.0:%d (pid %d); upstreams accounts=%s inventory=%s pricing=%s, timeout %gs" % (
        port, os.getpid(), ACCOUNTS_URL, INVENTORY_URL, PRICING_URL, UPSTREAM_TIMEOUT))
    wait_for(stop)
    log("INFO storefront: shutting down")
    close(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
