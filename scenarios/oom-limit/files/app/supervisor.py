#!/usr/bin/python3
"""render-worker supervisor: PID 1 of the container.

Starts the render worker (/usr/local/bin/render-worker) as its only child and starts it again,
after two seconds, whenever it ends: a crash of the worker never takes the container down.
It logs each exit ("worker (pid N) exited: killed by signal 9 ...") and keeps its state in
/run/render-worker/supervisor.json (restarts, last exit, OOM kills it noticed).

The queue the worker drains is assigned once, after start, by the platform
(/srv/render-worker/assign-queue); until then the supervisor waits.

HTTP on $PORT (default 8080), what the customers' side asks: GET /documents/on-time answers 200
while documents come out on time (the worker is running and acknowledged a batch in the last
LATE_AFTER_S seconds) and 503, with why, otherwise. No log line per request.
"""

import base64
import json
import os
import signal
import subprocess
import sys
import threading
import time
import zlib

from svckit import Handler, Log, Server, oom_kills, read_json, write_json

RUN = "/run/render-worker"
FIFO = RUN + "/assign"
STATE = RUN + "/supervisor.json"
STATUS = RUN + "/status.json"
CONF = "/etc/render-worker/worker.conf"
ASSIGNMENT = "/var/lib/render-worker/assignment"  # kept across container restarts
WORKER = "/usr/local/bin/render-worker"
BACKOFF_S = 2.0
# A batch every 2.5 s when healthy; a host busy with other sessions slows batches down, so only a
# wait well past that is late. A kill shows at once: the worker is not running for the 2 s back-off.
LATE_AFTER_S = 10.0

state = {
    "pid": os.getpid(),
    "startedAt": time.time(),
    "queue": None,
    "workerPid": None,
    "workerStartedAt": None,
    "restarts": 0,
    "oomKills": 0,
    "lastOomAt": None,
    "lastExit": None,
}
stopping = False


log = Log(prefix="supervisor: ")


def on_term(signum, frame):
    global stopping
    stopping = True


last_ack = {"at": None}


def last_acknowledged():
    """When the worker last acknowledged a batch (epoch seconds; None: never). The worker's
    status file starts empty with each new worker, so the latest time seen is kept here."""
    status = read_json(STATUS, {})
    recent = status.get("recent") if isinstance(status, dict) else None
    if isinstance(recent, list) and recent and isinstance(recent[-1], dict):
        at = recent[-1].get("at")
        if isinstance(at, (int, float)) and (last_ack["at"] is None or at > last_ack["at"]):
            last_ack["at"] = at
    return last_ack["at"]


class DocumentsPage(Handler):
    def get(self, path, query):
        if path != "/documents/on-time":
            return super().get(path, query)
        at = last_acknowledged()
        since = None if at is None else round(time.time() - at, 1)
        if state["workerPid"] is None:
            self.reply(503, {"onTime": False, "why": "the render worker is not running", "lastBatchSecondsAgo": since})
        elif since is None or since > LATE_AFTER_S:
            self.reply(503, {"onTime": False, "why": "no batch finished recently", "lastBatchSecondsAgo": since})
        else:
            self.reply(200, {"onTime": True, "lastBatchSecondsAgo": since})

    def access(self, path, status, ms):
        pass  # asked several times a second: no line per request


def serve_documents():
    # Not svckit.serve(): it installs its own SIGTERM handler, and PID 1 here keeps on_term.
    server = Server(("0.0.0.0", int(os.environ.get("PORT", "8080"))), DocumentsPage, 16)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.5}, name="http", daemon=True).start()


def reap_others(worker_pid):
    """Reap orphans that docker exec left to PID 1; report the worker's own exit if it came."""
    status = None
    while True:
        try:
            pid, st = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return status
        if pid == 0:
            return status
        if pid == worker_pid:
            status = st


def saved_assignment():
    try:
        with open(ASSIGNMENT, "rb") as fh:
            line = zlib.decompress(base64.b64decode(fh.read())).decode()
        return line, json.loads(line)
    except (OSError, ValueError, zlib.error):
        return None, None


def save_assignment(line):
    os.makedirs(os.path.dirname(ASSIGNMENT), exist_ok=True)
    with open(ASSIGNMENT, "wb") as fh:
        fh.write(base64.b64encode(zlib.compress(line.encode())))


def wait_for_queue():
    line, profile = saved_assignment()
    if profile is not None:
        return line, profile
    if not os.path.exists(FIFO):
        os.mkfifo(FIFO, 0o600)
    log("waiting for a queue to be assigned")
    while not stopping:
        with open(FIFO, "r") as fh:  # blocks until the platform writes
            line = fh.readline().strip()
        try:
            profile = json.loads(line)
            if isinstance(profile, dict) and profile.get("queue"):
                save_assignment(line)
                return line, profile
        except ValueError:
            pass
        log("ignored an invalid queue assignment")
    return None, None


def write_default_config(profile):
    if os.path.exists(CONF):
        return
    os.makedirs(os.path.dirname(CONF), exist_ok=True)
    lines = [
        "# render-worker configuration.",
        "# The worker re-reads this file before every batch: no restart needed.",
        "# Runbook: /srv/render-worker/RUNBOOK.md",
        "",
        "queue = %s" % profile["queue"],
        "concurrency = 1",
        "",
        "# Caches (on/off). Turning one off drops its entries at the next batch.",
    ]
    for cache in profile["caches"]:
        lines.append("%s = on" % cache["name"])
    with open(CONF, "w") as fh:
        fh.write("\n".join(lines) + "\n")


def batches_of(pid):
    status = read_json(STATUS, {})
    try:
        return int(status.get("batchesDone", 0)) if status.get("pid") == pid else 0
    except (AttributeError, TypeError, ValueError):
        return 0


def main():
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    os.makedirs(RUN, exist_ok=True)
    write_json(STATE, state)
    serve_documents()
    log("render-worker supervisor 1.3 (pid %d)" % os.getpid())
    line, profile = wait_for_queue()
    if profile is None:
        return 0
    state["queue"] = profile["queue"]
    write_default_config(profile)
    log("queue %s assigned; starting the worker" % profile["queue"])
    if not os.path.exists(FIFO):
        os.mkfifo(FIFO, 0o600)  # the health check looks for it

    while not stopping:
        kills_before = oom_kills()
        started = time.time()
        child = subprocess.Popen([WORKER], stdin=subprocess.PIPE, close_fds=True)
        try:
            child.stdin.write((line + "\n").encode())
            child.stdin.close()
        except OSError:
            pass
        state.update(workerPid=child.pid, workerStartedAt=started)
        write_json(STATE, state)

        status = None
        while status is None and not stopping:
            time.sleep(0.25)
            status = reap_others(child.pid)
        if stopping:
            try:
                child.terminate()
                child.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                child.kill()
            break

        lived = time.time() - started
        batches = batches_of(child.pid)
        kills_after = oom_kills()
        oom = kills_before is not None and kills_after is not None and kills_after > kills_before
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            how = "killed by signal %d" % sig
        else:
            how = "exited with status %d" % os.WEXITSTATUS(status)
        if oom:
            state["oomKills"] += 1
            state["lastOomAt"] = time.time()
        state["restarts"] += 1
        state["lastExit"] = {"pid": child.pid, "how": how, "at": time.time(), "seconds": round(lived, 1),
                             "batches": batches, "oom": oom}
        state.update(workerPid=None, workerStartedAt=None)
        write_json(STATE, state)
        log("worker (pid %d) exited: %s after %.0f s and %d batch%s; restarting in %.0f s (restart %d)"
            % (child.pid, how, lived, batches, "" if batches == 1 else "es", BACKOFF_S, state["restarts"]))
        deadline = time.time() + BACKOFF_S
        while time.time() < deadline and not stopping:
            time.sleep(0.25)
            reap_others(-1)
    log("stopping")
    return 0


if __name__ == "__main__":
    sys.exit(main())
