"""Notification worker (PID 1: `python3 /srv/app/worker.py --config FILE`).

It takes events (a steady trickle of order events, about EVENTS_PER_SECOND) into an
in-memory queue and delivers each one to its dependency (the `gateway` service: a mail relay, an
SMS gateway, ... depending on the run) with `POST <api_path>` and a bearer token.

When a delivery fails, the dispatcher retries the same notification after retry_delay_ms and
logs one WARN line per attempt. The error itself is logged in full for the first failure of a
kind (and again every FULL_ERROR_EVERY seconds).

Configuration: a flat `key = value` file (see --help). It is re-read when it changes (checked
every second: mtime, size and inode, so `sed -i`, `docker cp` and editors all count) and at once
on SIGHUP. A file that does not parse is refused and the previous configuration kept.

HTTP on $PORT (default 8080): GET /healthz (always "ok": like many health checks it knows
nothing about deliveries), GET /status (JSON: queue, counters, last error, config), and
GET /notifications/on-time, what the customers' side asks: 200 while the oldest notification
still waiting is younger than LATE_AFTER_S, 503 (with how late it is) once one waits longer.

Env: PORT, WORKER_NAME (the program's name in logs), DEP_PREFIX (the config keys' prefix, e.g.
"relay"), DEP_LABEL (e.g. "mail relay"), EVENT_KINDS (comma separated), EVENTS_PER_SECOND.
"""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import ssl
import sys
import threading
import time
from collections import deque
from datetime import datetime, timezone

from config import Config, ConfigError
from svckit import Handler, Log, serve, wait_for

VERSION = "3.4.2"
RETRY_FLOOR = 0.010        # the dispatcher's poll tick: with retry_delay_ms = 0 it retries every tick
FULL_ERROR_EVERY = 180.0   # seconds between full repeats of an unchanged error
QUEUE_LIMIT = 20000
LATE_AFTER_S = 5.0         # a notification waiting longer than this is late for its customer
CUSTOMERS = ["c-1042", "c-1177", "c-2093", "c-2210", "c-3051", "c-3388", "c-4120", "c-4702", "c-5310", "c-5871"]

log = Log(ms=True)


def usage_text(name, prefix, label):
    p = prefix
    return f"""usage: worker.py --config FILE

{name} {VERSION}: delivers customer notifications through the {label}.

The config file has one `key = value` per line; `#` starts a comment. Keys:
  {p}_host         host name of the {label}
  {p}_port         its TCP port
  {p}_tls          yes: speak TLS to it; no: plain HTTP
  {p}_api_path     the delivery endpoint (POST)
  {p}_token_file   file holding the API token (one line)
  {p}_timeout_ms   per-request timeout
  retry_delay_ms   pause before a failed delivery is retried (0: retry at once)

The file is re-read whenever it changes (checked every second), and at once on SIGHUP
(`kill -HUP <pid>`). A file that does not parse is refused: the previous configuration stays.
A restart is never needed to change the configuration.

Status: GET /status on $PORT (JSON); GET /healthz.
"""


class DeliveryError(Exception):
    def __init__(self, kind, detail):
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


class Worker:
    def __init__(self, args):
        self.name = os.environ.get("WORKER_NAME", "worker")
        self.prefix = os.environ.get("DEP_PREFIX", "gateway")
        self.label = os.environ.get("DEP_LABEL", "gateway")
        self.kinds = [k for k in os.environ.get("EVENT_KINDS", "order-confirmation,shipping-update").split(",") if k]
        self.rate = float(os.environ.get("EVENTS_PER_SECOND", "2"))
        self.config = Config(args.config, self.prefix)
        self.config_sig = None
        self.config_loaded_at = None
        self.reload_requested = threading.Event()
        self.lock = threading.Lock()
        self.queue = deque()
        self.wakeup = threading.Condition(self.lock)
        self.seq = 0
        self.delivered = 0
        self.failed_attempts = 0
        self.consecutive_failures = 0
        self.failing_since = None
        self.last_delivery_at = None
        self.last_error = None
        self.conn = None
        self.ssl_context = None
        self.token = None
        self.started = time.time()

    # Config -------------------------------------------------------------------------------------
    def file_sig(self):
        try:
            st = os.stat(self.config.path)
            return (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            return None

    def reload(self, why):
        old = dict(self.config.values)
        sig = self.file_sig()
        try:
            self.config.load()
        except ConfigError as exc:
            self.config.values = old
            self.config_sig = sig
            log("ERROR", "config: %s; keeping the previous configuration" % exc)
            return
        self.config_sig = sig
        self.config_loaded_at = time.time()
        changes = ["%s %s -> %s" % (k, old.get(k, "(unset)"), v) for k, v in sorted(self.config.values.items()) if old.get(k) != v]
        changes += ["%s %s -> (unset)" % (k, v) for k, v in sorted(old.items()) if k not in self.config.values]
        log("INFO", "config %s reloaded (%s): %s" % (self.config.path, why, "; ".join(changes) if changes else "no changes"))
        self.reset_connection()
        self.token = None
        with self.lock:
            # A new configuration gets a fresh start: its first error is logged in full.
            self.last_error = None
            self.wakeup.notify_all()

    def watch_config(self):
        while True:
            time.sleep(1.0)
            sig = self.file_sig()
            if sig is not None and sig != self.config_sig:
                time.sleep(0.2)  # let a writer finish (docker cp extracts a tar, editors write twice)
                self.reload_requested.set()
                with self.lock:
                    self.wakeup.notify_all()

    # Events -------------------------------------------------------------------------------------
    def enqueue(self, kind, customer):
        with self.lock:
            self.seq += 1
            note = {"id": "n-%06d" % self.seq, "kind": kind, "to": customer, "at": time.time()}
            if len(self.queue) >= QUEUE_LIMIT:
                self.queue.popleft()
            self.queue.append(note)
            depth = len(self.queue)
            self.wakeup.notify_all()
        return note, depth

    def produce(self):
        """The upstream: order events arrive at a steady rate; each becomes one notification."""
        while True:
            time.sleep(random.expovariate(self.rate) if self.rate > 0 else 3600)
            note, depth = self.enqueue(random.choice(self.kinds), random.choice(CUSTOMERS))
            log("INFO", "events: %s %s for %s queued (%d waiting)" % (note["id"], note["kind"], note["to"], depth))

    # Delivery -----------------------------------------------------------------------------------
    def reset_connection(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except OSError:
                pass
        self.conn = None

    def read_token(self):
        try:
            with open(self.config.token_file, "r", encoding="utf-8") as fh:
                token = fh.read().strip()
        except OSError as exc:
            raise DeliveryError("token-file", "cannot read %s: %s" % (self.config.token_file, exc.strerror or exc))
        if not token:
            raise DeliveryError("token-file", "%s is empty" % self.config.token_file)
        return token

    def deliver(self, note):
        cfg = self.config
        if self.token is None:
            self.token = self.read_token()
        if self.conn is None:
            if cfg.tls:
                if self.ssl_context is None:  # loading the CA bundle is expensive: once per process
                    self.ssl_context = ssl.create_default_context()
                self.conn = http.client.HTTPSConnection(cfg.host, cfg.port, timeout=cfg.timeout, context=self.ssl_context)
            else:
                self.conn = http.client.HTTPConnection(cfg.host, cfg.port, timeout=cfg.timeout)
        body = json.dumps({"id": note["id"], "template": note["kind"], "to": note["to"]}).encode()
        try:
            self.conn.request("POST", cfg.api_path, body=body, headers={
                "Content-Type": "application/json",
                "Authorization": "Bearer " + self.token,
                "User-Agent": "%s/%s" % (self.name, VERSION),
            })
            resp = self.conn.getresponse()
            payload = resp.read(2048)
        except ssl.SSLError as exc:
            self.reset_connection()
            raise DeliveryError("tls", str(exc))
        except socket.gaierror as exc:
            self.reset_connection()
            raise DeliveryError("dns", "cannot resolve %s: %s" % (cfg.host, exc))
        except (OSError, http.client.HTTPException) as exc:
            self.reset_connection()
            raise DeliveryError(type(exc).__name__, str(exc) or type(exc).__name__)
        except Exception as exc:  # noqa: BLE001 - whatever it is, it is a failed delivery
            self.reset_connection()
            raise DeliveryError(type(exc).__name__, "%s: %s" % (type(exc).__name__, exc))
        if resp.getheader("Connection", "").lower() == "close":
            self.reset_connection()
        if 200 <= resp.status < 300:
            return
        text = payload.decode("utf-8", "replace").strip().replace("\n", " ")[:300]
        raise DeliveryError("http-%d" % resp.status, "HTTP %d %s: %s" % (resp.status, resp.reason, text))

    def dispatch(self):
        last_full = 0.0
        while True:
            if self.reload_requested.is_set():
                self.reload_requested.clear()
                self.reload("file changed" if self.file_sig() != self.config_sig else "SIGHUP")
            with self.lock:
                if not self.queue:
                    self.wakeup.wait(0.5)
                    continue
                note = self.queue[0]
            started = time.monotonic()
            try:
                self.deliver(note)
            except DeliveryError as exc:
                now = time.time()
                with self.lock:
                    self.failed_attempts += 1
                    self.consecutive_failures += 1
                    attempts = self.consecutive_failures
                    depth = len(self.queue)
                    if self.failing_since is None:
                        self.failing_since = now
                    new_kind = self.last_error is None or self.last_error["kind"] != exc.kind
                    self.last_error = {"kind": exc.kind, "detail": exc.detail, "at": now}
                if new_kind:
                    last_full = now
                    log("ERROR", "dispatch: cannot deliver %s to the %s at %s: %s -- further failures are logged as retries only (in full every %d minutes)"
                        % (note["id"], self.label, self.config.url(), exc.detail, FULL_ERROR_EVERY // 60))
                elif now - last_full >= FULL_ERROR_EVERY:
                    last_full = now
                    log("ERROR", "dispatch: still failing since %s (%d attempts): %s at %s: %s"
                        % (datetime.fromtimestamp(self.failing_since, timezone.utc).strftime("%H:%M:%S"), attempts,
                           self.label, self.config.url(), exc.detail))
                log("WARN", "dispatch: %s not delivered, retrying (attempt %d, %d queued)" % (note["id"], attempts, depth))
                # No backoff: the configured delay (0 by default) or the poll tick, whichever is longer.
                time.sleep(max(self.config.retry_delay, RETRY_FLOOR - (time.monotonic() - started), 0.001))
                continue
            ms = (time.monotonic() - started) * 1000
            with self.lock:
                self.queue.popleft()
                self.delivered += 1
                self.last_delivery_at = time.time()
                depth = len(self.queue)
                recovered = self.consecutive_failures
                since = self.failing_since
                self.consecutive_failures = 0
                self.failing_since = None
                self.last_error = None
            if recovered:
                log("INFO", "dispatch: the %s accepts deliveries again after %d failed attempts over %ds; %d queued"
                    % (self.label, recovered, time.time() - since, depth))
            log("INFO", "dispatch: delivered %s (%s) to %s in %d ms" % (note["id"], note["kind"], note["to"], ms))

    # Status -------------------------------------------------------------------------------------
    def oldest_waiting_seconds(self):
        with self.lock:
            return time.time() - self.queue[0]["at"] if self.queue else 0.0

    def status(self):
        with self.lock:
            oldest = self.queue[0]["at"] if self.queue else None
            return {
                "service": self.name,
                "version": VERSION,
                "dependency": self.label,
                "config": self.config.path,
                "configLoadedAt": iso(self.config_loaded_at),
                "url": self.config.url() if self.config.values else None,
                "queued": len(self.queue),
                "oldestQueuedSeconds": round(time.time() - oldest, 1) if oldest else 0,
                "delivered": self.delivered,
                "failedAttempts": self.failed_attempts,
                "consecutiveFailures": self.consecutive_failures,
                "lastDeliveryAt": iso(self.last_delivery_at),
                "lastError": self.last_error["detail"] if self.last_error else None,
                "logLines": log.count,
                "uptimeSeconds": int(time.time() - self.started),
            }


def iso(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if t else None


class StatusPage(Handler):
    worker = None  # set by main()

    def get(self, path, query):
        if path == "/healthz":
            self.reply(200, "ok\n")
        elif path == "/status":
            self.reply(200, json.dumps(self.worker.status(), indent=1) + "\n", "application/json")
        elif path == "/notifications/on-time":
            waiting = self.worker.oldest_waiting_seconds()
            late = waiting > LATE_AFTER_S
            self.reply(503 if late else 200, {"onTime": not late, "oldestWaitingSeconds": round(waiting, 1)})
        else:
            self.reply(404, {"error": "not_found"})

    def access(self, path, status, ms):
        pass  # the status page is for tools: no line per request


def main():
    name = os.environ.get("WORKER_NAME", "worker")
    prefix = os.environ.get("DEP_PREFIX", "gateway")
    label = os.environ.get("DEP_LABEL", "gateway")
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--config")
    parser.add_argument("-h", "--help", action="store_true")
    args = parser.parse_args()
    if args.help or not args.config:
        sys.stdout.write(usage_text(name, prefix, label))
        return 0 if args.help else 2

    port = int(os.environ.get("PORT", "8080"))
    worker = Worker(args)
    StatusPage.worker = worker
    StatusPage.server_version = "%s/%s" % (name, VERSION)
    server, stop = serve(StatusPage, port, backlog=5)

    def on_hup(signum, frame):
        worker.reload_requested.set()

    signal.signal(signal.SIGHUP, on_hup)

    # The configuration is rendered by the deployment just after the container starts: wait for it.
    while worker.file_sig() is None:
        if stop.wait(0.5):
            return 0
    time.sleep(0.2)
    log("INFO", "%s %s starting (pid %d): delivers customer notifications through the %s" % (name, VERSION, os.getpid(), label))
    try:
        worker.config.load()
    except ConfigError as exc:
        log("ERROR", "config: %s" % exc)
        return 1
    worker.config_sig = worker.file_sig()
    worker.config_loaded_at = time.time()
    log("INFO", "config %s loaded: %s (the file is re-read when it changes; SIGHUP reloads at once)" % (worker.config.path, worker.config.summary()))
    log("INFO", "status page on :%d/status" % port)
    # The outbox: notifications left from before the deployment.
    for _ in range(random.randint(8, 16)):
        worker.enqueue(random.choice(worker.kinds), random.choice(CUSTOMERS))
    log("INFO", "events: consuming order events (about %g a second); %d notifications waiting from before the deployment" % (worker.rate, len(worker.queue)))
    for target, tname in ((worker.watch_config, "config-watch"), (worker.produce, "events"), (worker.dispatch, "dispatch")):
        threading.Thread(target=target, name=tname, daemon=True).start()
    wait_for(stop)
    log("INFO", "%s: shutting down" % name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
