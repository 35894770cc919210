#!/usr/bin/python3
"""The records API of the disk-full-deleted-file scenario (PID 1 of the `api` container).

start-api.sh copies this file to /usr/local/bin/<APP_NAME>-api and execs it, so the process's
name (comm, what `ps`, `pgrep -x` and `lsof` show) is e.g. `orders-api`.

Endpoints (GET only, like the lab's loadgen and probe):
  /healthz            200 "ok": cheap, touches no disk. The container stays "healthy" while
                      every write fails, as many real health checks would.
  /api/<records>      saves one new record: appends a JSON line to the day's journal on the
                      data volume (DATA_DIR/journal/<day>.jsonl) and one line to the access log
                      (DATA_DIR/log/access.log); 200 {"id": ..., "status": "saved"}. If the
                      journal append fails (ENOSPC: "No space left on device") the partial
                      line is cut off again (ftruncate to the old size: the journal never holds
                      half a record), an ERROR is logged and the answer is 500.
  /api/<records>/stats  counts of saved and failed records since start.

Signals:
  SIGUSR1  turn the DEBUG trace on: read "<path> <fd>" from /run/<name>.debug (then delete that
           file) and write a verbose trace to <path>, at descriptor <fd> (see tracelog.py).
  SIGHUP   reopen the log files (access log and, if on, the trace): what a log rotation's
           postrotate step is meant to send. Without it a rotated-away file stays open.
  SIGTERM  stop.

Env: PORT (8080), APP_NAME ("orders"), DATA_DIR (/var/lib/<APP_NAME>).
"""

import errno
import json
import os
import random
import signal
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, "/srv/app")
from tracelog import TraceLog  # noqa: E402

APP = os.environ.get("APP_NAME", "orders")
NAME = os.path.basename(sys.argv[0]) if not sys.argv[0].endswith(".py") else APP + "-api"
DATA_DIR = os.environ.get("DATA_DIR", "/var/lib/" + APP)
JOURNAL_DIR = os.path.join(DATA_DIR, "journal")
LOG_DIR = os.path.join(DATA_DIR, "log")
ACCESS_LOG = os.path.join(LOG_DIR, "access.log")
CONTROL = "/run/%s.debug" % NAME
PREFIX = {"orders": "ord", "bookings": "bkg", "invoices": "inv", "tickets": "tkt", "shipments": "shp"}.get(APP, "rec")

_log_lock = threading.Lock()


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def log(line):
    with _log_lock:
        sys.stdout.write("%s %s\n" % (now_iso(), line))
        sys.stdout.flush()


class Journal:
    """Append-only JSON lines, one file per UTC day, the current one kept open."""

    def __init__(self, directory):
        self.dir = directory
        self.lock = threading.Lock()
        self.day = None
        self.fd = None
        self.saved = 0
        self.failed = 0
        self.seq = int(time.time()) % 100000 * 10

    def _file_for_today(self):
        day = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        if day != self.day or self.fd is None:
            if self.fd is not None:
                os.close(self.fd)
            os.makedirs(self.dir, exist_ok=True)
            self.fd = os.open(os.path.join(self.dir, day + ".jsonl"),
                              os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)
            self.day = day
        return self.fd

    def append(self, record):
        """Append one record or raise OSError; a failed append leaves no partial line."""
        with self.lock:
            self.seq += 1
            record["id"] = "%s-%07d" % (PREFIX, self.seq)
            data = (json.dumps(record, separators=(",", ":")) + "\n").encode()
            fd = None
            try:
                fd = self._file_for_today()
                size = os.fstat(fd).st_size
                try:
                    written = os.write(fd, data)
                    if written != len(data):
                        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                except OSError:
                    os.ftruncate(fd, size)
                    raise
            except OSError as exc:
                self.failed += 1
                exc.record_id = record["id"]
                exc.where = os.path.join("journal", (self.day or "?") + ".jsonl")
                raise
            self.saved += 1
            return record["id"]


class AccessLog:
    """One line per request on the data volume; best effort (a failed line is dropped)."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.fd = None
        self.reopen()

    def reopen(self):
        with self.lock:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            fresh = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)
            if self.fd is None:
                self.fd = fresh
            else:
                os.dup2(fresh, self.fd, inheritable=False)
                os.close(fresh)

    def write(self, line):
        with self.lock:
            try:
                os.write(self.fd, line.encode())
            except OSError:
                pass


journal = Journal(JOURNAL_DIR)
access = None
trace = None

CUSTOMERS = ["c-1042", "c-1177", "c-2093", "c-2210", "c-3051", "c-3388", "c-4120", "c-4702"]


def new_record():
    return {
        "at": now_iso(),
        "customer": random.choice(CUSTOMERS),
        "items": random.randint(1, 6),
        "totalCents": random.randint(499, 25999),
    }


class Handler(BaseHTTPRequestHandler):
    server_version = "%s/2.3" % NAME
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def _send(self, status, body, content_type):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _json(self, status, obj):
        self._send(status, json.dumps(obj, separators=(",", ":")) + "\n", "application/json")

    def do_GET(self):
        started = time.monotonic()
        path = self.path.split("?", 1)[0].rstrip("/") or "/"
        status = 500
        try:
            if path == "/healthz":
                status = 200
                self._send(200, "ok\n", "text/plain")
            elif path == "/api/" + APP:
                status = self._save()
            elif path == "/api/%s/stats" % APP:
                status = 200
                self._json(200, {"saved": journal.saved, "failed": journal.failed})
            elif path == "/":
                status = 200
                self._json(200, {"service": NAME, "endpoints": ["/api/" + APP, "/api/%s/stats" % APP, "/healthz"]})
            else:
                status = 404
                self._json(404, {"error": "not_found"})
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            ms = (time.monotonic() - started) * 1000
            line = "%s %s %d %dms" % (self.command, path, status, ms)
            if path != "/healthz":
                log(line)
                if access is not None:
                    access.write("%s %s %s\n" % (now_iso(), self.client_address[0], line))

    do_HEAD = do_GET

    def _save(self):
        try:
            rid = journal.append(new_record())
        except OSError as exc:
            log("ERROR %s %s not saved: [Errno %d] %s: '%s'" % (
                APP[:-1], getattr(exc, "record_id", "?"), exc.errno or 0, exc.strerror or exc,
                os.path.join(DATA_DIR, getattr(exc, "where", ""))))
            self._json(500, {"error": "internal_error", "message": "could not save the %s" % APP[:-1]})
            return 500
        self._json(200, {"id": rid, "status": "saved"})
        return 200


def reap_orphans():
    """As PID 1, wait for orphans re-parented to us (a `sh -c 'x &'` through docker exec)."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def start_trace():
    """SIGUSR1: turn the DEBUG trace on, as the control file says."""
    global trace
    try:
        with open(CONTROL) as fh:
            path, fd = fh.read().split()[:2]
        os.unlink(CONTROL)
    except (OSError, ValueError):
        return
    if trace is None:
        trace = TraceLog(path, int(fd), APP).start()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def main():
    global access
    port = int(os.environ.get("PORT", "8080"))
    os.makedirs(JOURNAL_DIR, exist_ok=True)
    access = AccessLog(ACCESS_LOG)
    server = Server(("0.0.0.0", port), Handler)
    stop = threading.Event()
    wanted = {"trace": False, "reopen": False}

    signal.signal(signal.SIGTERM, lambda s, f: stop.set())
    signal.signal(signal.SIGINT, lambda s, f: stop.set())
    signal.signal(signal.SIGCHLD, lambda s, f: reap_orphans())
    signal.signal(signal.SIGUSR1, lambda s, f: wanted.__setitem__("trace", True))
    signal.signal(signal.SIGHUP, lambda s, f: wanted.__setitem__("reopen", True))

    log("INFO %s listening on 0.0.0.0:%d (pid %d, data in %s)" % (NAME, port, os.getpid(), DATA_DIR))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="http", daemon=True).start()
    while not stop.wait(0.5):
        reap_orphans()
        if wanted["trace"]:
            wanted["trace"] = False
            start_trace()
        if wanted["reopen"]:
            wanted["reopen"] = False
            access.reopen()
            if trace is not None:
                trace.reopen()
            log("INFO %s: log files reopened (SIGHUP)" % NAME)
    log("INFO %s: shutting down" % NAME)
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
