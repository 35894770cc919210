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

import json
import os
import random
import signal
import sys
import threading
import time
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NAME = os.path.basename(sys.argv[0]).replace("-svc", "").replace(".py", "")
SKUS = ["SKU-%04d" % n for n in range(1000, 1060)]
_rng = random.Random(NAME)
if NAME == "catalog":
    TABLE = {s: round(_rng.uniform(4.0, 180.0), 2) for s in SKUS}
elif NAME == "stock":
    TABLE = {s: _rng.randint(0, 400) for s in SKUS}
else:  # rates: one rate, the same for every SKU (the API multiplies the price by it)
    TABLE = {s: 1.0862 for s in SKUS}

_log_lock = threading.Lock()


def log(line):
    with _log_lock:
        sys.stdout.write("%s %s\n" % (datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), line))
        sys.stdout.flush()


class Handler(BaseHTTPRequestHandler):
    server_version = "%s-svc/1.7" % NAME
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        started = time.monotonic()
        url = urllib.parse.urlsplit(self.path)
        status, body = 404, {"error": "not_found"}
        if url.path == "/healthz":
            status, body = 200, {"status": "ok"}
        elif url.path == "/v1/%s" % NAME:
            time.sleep(random.uniform(0.003, 0.012))
            sku = urllib.parse.parse_qs(url.query).get("sku", [None])[0]
            if sku is None:
                status, body = 200, {"table": TABLE}
            elif sku in TABLE:
                status, body = 200, {"sku": sku, "value": TABLE[sku]}
            else:
                status, body = 404, {"error": "unknown_sku"}
        data = (json.dumps(body, separators=(",", ":")) + "\n").encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        log("GET %s %d %dms" % (self.path, status, (time.monotonic() - started) * 1000))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def main():
    port = int(os.environ.get("PORT", "9000"))
    server = Server(("0.0.0.0", port), Handler)
    signal.signal(signal.SIGTERM, lambda s, f: threading.Thread(target=server.shutdown).start())
    log("INFO %s-svc listening on 0.0.0.0:%d (pid %d)" % (NAME, port, os.getpid()))
    server.serve_forever(poll_interval=0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
