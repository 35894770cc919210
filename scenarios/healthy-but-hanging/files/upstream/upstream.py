#!/usr/bin/python3
"""One of the quote API's dependencies: catalog (prices), stock (units on hand) or rates
(EUR -> USD). The service's name is this file's name without "-svc" (the image installs copies
as /srv/upstream/catalog-svc, stock-svc and rates-svc, so `ps` and `pgrep -x` show which one).

GET /v1/<name>            the whole table: {"table": {"SKU-1000": value, ...}}
GET /v1/<name>?sku=SKU-x  one value: {"sku": ..., "value": ...}
GET /healthz              "ok"

Each answer takes 3-12 ms. One access line per request on stdout. Env: PORT (default 9000).
It is started and restarted by /srv/upstream/supervise.sh (PID 1 of its container).
"""

import os
import random
import sys
import time
import urllib.parse

from svckit import Handler, close, log, serve, wait_for

NAME = os.path.basename(sys.argv[0]).replace("-svc", "").replace(".py", "")
SKUS = ["SKU-%04d" % n for n in range(1000, 1060)]
_rng = random.Random(NAME)
if NAME == "catalog":
    TABLE = {s: round(_rng.uniform(4.0, 180.0), 2) for s in SKUS}
elif NAME == "stock":
    TABLE = {s: _rng.randint(0, 400) for s in SKUS}
else:  # rates: one rate, the same for every SKU (the API multiplies the price by it)
    TABLE = {s: 1.0862 for s in SKUS}


class Upstream(Handler):
    server_version = "%s-svc/1.7" % NAME

    def get(self, path, query):
        if path == "/healthz":
            self.reply(200, {"status": "ok"})
        elif path == "/v1/%s" % NAME:
            time.sleep(random.uniform(0.003, 0.012))
            sku = urllib.parse.parse_qs(query).get("sku", [None])[0]
            if sku is None:
                self.reply(200, {"table": TABLE})
            elif sku in TABLE:
                self.reply(200, {"sku": sku, "value": TABLE[sku]})
            else:
                self.reply(404, {"error": "unknown_sku"})
        else:
            self.reply(404, {"error": "not_found"})

    def access(self, path, status, ms):
        log("GET %s %d %dms" % (self.path, status, ms))


def main():
    port = int(os.environ.get("PORT", "9000"))
    server, stop = serve(Upstream, port)
    log("INFO %s-svc listening on 0.0.0.0:%d (pid %d)" % (NAME, port, os.getpid()))
    wait_for(stop)
    close(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
