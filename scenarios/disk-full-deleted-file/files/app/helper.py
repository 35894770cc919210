#!/usr/bin/python3
"""A helper process that runs beside the API in its container.

start-helper.sh copies this file to /usr/local/bin/<name> and execs it, so the process's
name is <name> (`ps`, `pgrep -x`, `lsof` show it) and `ps aux` shows
`/usr/bin/python3 /usr/local/bin/<name>`. What it does comes from its environment (set by
`docker exec -e`):

  HELPER_ROLE=idle    wakes every 15 s, looks at the volume's free space, holds no file
  HELPER_ROLE=tail    keeps DATA_DIR/log/access.log open for reading and follows it, as a log
                      shipper does (reopens it when it is replaced)
  HELPER_ROLE=trace   writes a verbose trace to HELPER_FILE at descriptor HELPER_FD (tracelog.py:
                      fast until the volume is full, then a trickle)

SIGHUP reopens the trace file (the postrotate signal); SIGTERM/SIGINT end the process.
"""

import os
import signal
import sys
import threading
import time

sys.path.insert(0, "/srv/app")
from svckit import wait_for  # noqa: E402
from tracelog import TraceLog  # noqa: E402


def idle(data_dir, stop):
    while not stop.wait(15.0):
        try:
            os.statvfs(data_dir)
        except OSError:
            pass


def tail(data_dir, stop):
    path = os.path.join(data_dir, "log", "access.log")
    fh, ino = None, None
    while not stop.wait(1.0):
        try:
            st = os.stat(path)
        except OSError:
            continue
        if fh is None or st.st_ino != ino:
            if fh is not None:
                fh.close()
            fh = open(path, "rb")
            fh.seek(0, os.SEEK_END)
            ino = st.st_ino
        while fh.read(65536):
            pass


def main():
    role = os.environ.get("HELPER_ROLE", "idle")
    data_dir = os.environ.get("DATA_DIR", "/var/lib/app")
    name = os.path.basename(sys.argv[0])
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda s, f: stop.set())
    signal.signal(signal.SIGINT, lambda s, f: stop.set())
    trace = None
    if role == "trace":
        trace = TraceLog(os.environ["HELPER_FILE"], int(os.environ.get("HELPER_FD", "9")), name.replace("-", "_")).start()
        signal.signal(signal.SIGHUP, lambda s, f: trace.reopen())
        wait_for(stop)
    else:
        signal.signal(signal.SIGHUP, lambda s, f: None)
        (tail if role == "tail" else idle)(data_dir, stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
