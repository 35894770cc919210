#!/usr/bin/python3
"""The records API (PID 1 of its container).

start-api.sh copies this file to /usr/local/bin/<APP_NAME>-api and execs it, so the process's
name (comm, what `ps`, `pgrep -x` and `lsof` show) is e.g. `orders-api`.

Endpoints (GET only):
  /healthz            200 "ok": cheap, touches no disk.
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

from svckit import Handler, close, log, now_iso, reap_orphans, serve

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


class Records(Handler):
    server_version = "%s/2.3" % NAME

    def clean(self, path):
        return path.rstrip("/") or "/"

    def get(self, path, query):
        if path == "/healthz":
            self.reply(200, "ok\n")
        elif path == "/api/" + APP:
            self.save()
        elif path == "/api/%s/stats" % APP:
            self.reply(200, {"saved": journal.saved, "failed": journal.failed})
        elif path == "/":
            self.reply(200, {"service": NAME, "endpoints": ["/api/" + APP, "/api/%s/stats" % APP, "/healthz"]})
        else:
            self.reply(404, {"error": "not_found"})

    def access(self, path, status, ms):
        if path == "/healthz":
            return
        line = "%s %s %d %dms" % (self.command, path, status, ms)
        log(line)
        if access is not None:
            access.write("%s %s %s\n" % (now_iso(), self.client_address[0], line))

    def save(self):
        try:
            rid = journal.append(new_record())
        except OSError as exc:
            log("ERROR %s %s not saved: [Errno %d] %s: '%s'" % (
                APP[:-1], getattr(exc, "record_id", "?"), exc.errno or 0, exc.strerror or exc,
                os.path.join(DATA_DIR, getattr(exc, "where", ""))))
            self.reply(500, {"error": "internal_error", "message": "could not save the %s" % APP[:-1]})
            return
        self.reply(200, {"id": rid, "status": "saved"})


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


def main():
    global access
    port = int(os.environ.get("PORT", "8080"))
    os.makedirs(JOURNAL_DIR, exist_ok=True)
    access = AccessLog(ACCESS_LOG)
    server, stop = serve(Records, port, poll=0.2)
    wanted = {"trace": False, "reopen": False}

    signal.signal(signal.SIGCHLD, lambda s, f: reap_orphans())
    signal.signal(signal.SIGUSR1, lambda s, f: wanted.__setitem__("trace", True))
    signal.signal(signal.SIGHUP, lambda s, f: wanted.__setitem__("reopen", True))

    log("INFO %s listening on 0.0.0.0:%d (pid %d, data in %s)" % (NAME, port, os.getpid(), DATA_DIR))
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
    close(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
