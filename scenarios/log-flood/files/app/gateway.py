"""A delivery gateway (PID 1: `python3 /srv/app/gateway.py`).

A small delivery API that plays a mail relay, an SMS gateway, a push service, ... (DEP_NAME /
DEP_LABEL): `POST $API_PATH` with `Authorization: Bearer <token>` and a JSON body answers 202.
What it refuses:

  - a request with a token whose key id is not the active one: 401 ("revoked at rotation");
  - a request to the retired API path ($RETIRED_PATH): 410 Gone, naming the current path;
  - a TLS handshake on its plain-HTTP port: a plain "400 Bad Request" and the connection closed.

It never logs per request: one summary line every 10 s when there was traffic, and one line per
minute of silence, so its own log stays small and readable.

GET /healthz: "ok". GET /stats: JSON with totals and the last 10 s (`accepted10s`,
`rejected10s`).

Env: PORT, API_PATH, RETIRED_PATH, ACTIVE_KEY (key id, e.g. "k6"), ACTIVE_TOKEN_SHA256,
DEP_NAME, DEP_LABEL.
"""

import hashlib
import json
import os
import socket
import sys
import threading
import time
from collections import Counter, deque

from svckit import Handler, Log, close, serve, wait_for

VERSION = "2.8.1"
WINDOW = 10.0

PORT = int(os.environ.get("PORT", "8080"))
API_PATH = os.environ.get("API_PATH", "/v2/messages")
RETIRED_PATH = os.environ.get("RETIRED_PATH", "/v1/messages")
ACTIVE_KEY = os.environ.get("ACTIVE_KEY", "k1")
ACTIVE_SHA = os.environ.get("ACTIVE_TOKEN_SHA256", "")
NAME = os.environ.get("DEP_NAME", "gateway")
LABEL = os.environ.get("DEP_LABEL", "gateway")

_lock = threading.Lock()
_events = deque()          # (time, outcome) for the last WINDOW seconds
_since_report = Counter()  # outcome -> count since the last summary line
_totals = Counter()


log = Log(ms=True)


def record(outcome):
    now = time.time()
    with _lock:
        _events.append((now, outcome))
        _since_report[outcome] += 1
        _totals[outcome] += 1
        while _events and _events[0][0] < now - WINDOW:
            _events.popleft()


REASONS = {
    "401": "401 token revoked or unknown (active key is %s)" % ACTIVE_KEY,
    "410": "410 retired API path %s (current: %s)" % (RETIRED_PATH, API_PATH),
    "404": "404 unknown path",
    "400": "400 bad request",
    "tls": "400 TLS handshake on this plain-HTTP port",
}


def stats():
    now = time.time()
    with _lock:
        recent = Counter(o for t, o in _events if t >= now - WINDOW)
        totals = dict(_totals)
    return {
        "service": NAME,
        "version": VERSION,
        "accepted": totals.get("202", 0),
        "rejected": sum(v for k, v in totals.items() if k != "202"),
        "accepted10s": recent.get("202", 0),
        "rejected10s": sum(v for k, v in recent.items() if k != "202"),
        "rejectedByReason10s": {REASONS.get(k, k): v for k, v in recent.items() if k != "202"},
    }


def reporter():
    quiet_since = time.time()
    while True:
        time.sleep(WINDOW)
        with _lock:
            counts = dict(_since_report)
            _since_report.clear()
        if not counts:
            if time.time() - quiet_since >= 60:
                log("INFO", "no requests in the last %d s" % (time.time() - quiet_since))
                quiet_since = time.time()
            continue
        quiet_since = time.time()
        accepted = counts.pop("202", 0)
        rejected = sum(counts.values())
        detail = "; ".join("%d x %s" % (v, REASONS.get(k, k)) for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
        level = "WARN" if rejected else "INFO"
        log(level, "last %d s: %d accepted, %d rejected%s" % (WINDOW, accepted, rejected, " (%s)" % detail if detail else ""))


class Gateway(Handler):
    server_version = "%s/%s" % (NAME, VERSION)
    protocol_version = "HTTP/1.1"
    timeout = 30
    disable_nagle_algorithm = True  # headers and body leave at once (no 40 ms delayed-ACK stall)

    def handle(self):
        # A TLS client on this plain port sends a handshake record (0x16) and waits for an answer:
        # answer in plain HTTP and hang up, as most servers do, instead of waiting for a newline.
        try:
            first = self.connection.recv(1, socket.MSG_PEEK)
        except OSError:
            return
        if first == b"\x16":
            record("tls")
            try:
                self.connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                                        b"Content-Length: 38\r\n\r\nThis port speaks plain HTTP, not TLS.\n")
            except OSError:
                pass
            self.close_connection = True
            return
        super().handle()

    def send_error(self, code, message=None, explain=None):
        record(str(code) if code != 400 else "400")
        super().send_error(code, message, explain)

    def _json(self, code, obj):
        self.reply(code, json.dumps(obj) + "\n", "application/json")

    def get(self, path, query):
        if path == "/healthz":
            self.reply(200, "ok\n")
        elif path == "/stats":
            self._json(200, stats())
        else:
            self._json(404, {"error": "not_found"})

    def access(self, path, status, ms):
        pass  # no line per request: reporter() sums them up every WINDOW seconds

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(min(length, 65536)) if length else b""
        path = self.path.split("?", 1)[0]
        if path == RETIRED_PATH:
            record("410")
            return self._json(410, {"error": "gone", "message": "API %s was retired; use %s" % (RETIRED_PATH, API_PATH)})
        if path != API_PATH:
            record("404")
            return self._json(404, {"error": "not_found", "message": "no such endpoint: %s" % path})
        auth = self.headers.get("Authorization", "")
        token = auth[7:].strip() if auth.startswith("Bearer ") else ""
        key = token.split(".", 1)[0] if "." in token else "?"
        if not token or hashlib.sha256(token.encode()).hexdigest() != ACTIVE_SHA:
            record("401")
            why = "token key %s was revoked at the last rotation" % key if key != ACTIVE_KEY and key != "?" else "invalid token"
            return self._json(401, {"error": "unauthorized", "message": why})
        try:
            msg = json.loads(raw or b"{}")
        except ValueError:
            record("400")
            return self._json(400, {"error": "bad_request", "message": "body is not JSON"})
        record("202")
        return self._json(202, {"accepted": True, "id": "m-%s" % str(msg.get("id", "?"))[2:]})


def main():
    server, stop = serve(Gateway, PORT, backlog=128)
    log("INFO", "%s %s listening on 0.0.0.0:%d, plain HTTP (no TLS); serving http://%s:%d%s" % (NAME, VERSION, PORT, socket.gethostname(), PORT, API_PATH))
    log("INFO", "API: POST %s with Authorization: Bearer <token>; active token key %s (older keys were revoked at rotation); %s is retired (410)" % (API_PATH, ACTIVE_KEY, RETIRED_PATH))
    threading.Thread(target=reporter, daemon=True).start()
    wait_for(stop)
    log("INFO", "%s: shutting down" % NAME)
    close(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
