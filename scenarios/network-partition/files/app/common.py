"""What the storefront (api.py) and the internal services (service.py) share: one image, one
way to log, serve and drop privileges."""

import os
import pwd
import signal
import sys
import threading
from datetime import datetime, timezone
from http.server import ThreadingHTTPServer

_log_lock = threading.Lock()


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def log(text):
    """One timestamped entry; continuation lines (a traceback) follow it unstamped."""
    stamp = now_iso()
    with _log_lock:
        for i, line in enumerate(text.rstrip("\n").split("\n")):
            sys.stdout.write(("%s %s\n" % (stamp, line)) if i == 0 else (line + "\n"))
        sys.stdout.flush()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def drop_privileges(user="app"):
    """Started as root (so that root in the container keeps its capabilities: with Docker's
    no-new-privileges, `docker exec` of a non-root image gets none, even with -u root), the
    program itself serves as the unprivileged user."""
    if os.getuid() != 0:
        return
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return
    os.setgroups([])
    os.setgid(entry.pw_gid)
    os.setuid(entry.pw_uid)


def serve(handler, port):
    """Binds (as root), drops privileges, serves in a thread; returns (server, stop event)
    with SIGTERM/SIGINT setting the event."""
    server = Server(("0.0.0.0", port), handler)
    drop_privileges()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda s, f: stop.set())
    signal.signal(signal.SIGINT, lambda s, f: stop.set())
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.5}, daemon=True).start()
    return server, stop
