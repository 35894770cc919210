"""Shared bits of the ops scripts in /srv/ops (maintenance sessions run by hand).

The scripts run as `python3 /srv/ops/<x>.py` and connect over the local socket. Settings come
from the environment:
  OPS_DB      database        OPS_TABLE    table          OPS_APP    application_name
  OPS_USER    role            OPS_HOURS    (bulk_fix)     OPS_COLUMN (migrate: column to add)
Each script logs to /var/log/ops/<script>.log, and leaves when the server closes its connection
(pg_terminate_backend, a restart) or when its process is killed: either way postgres rolls the
open transaction back and releases every lock it held.
"""

import os
import select
import sys
import time
from datetime import datetime, timezone

import psycopg2

NAME = os.path.splitext(os.path.basename(sys.argv[0]))[0]


def log(message):
    line = "%s %s[%d]: %s\n" % (datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), NAME, os.getpid(), message)
    try:
        os.makedirs("/var/log/ops", exist_ok=True)
        with open("/var/log/ops/%s.log" % NAME, "a") as fh:
            fh.write(line)
    except OSError:
        pass


def setting(name, default=None):
    value = os.environ.get(name, default)
    if value is None:
        log("missing %s" % name)
        sys.exit(2)
    return value


def ident(name):
    """A plain lowercase identifier or exit: these scripts never build SQL from anything else."""
    if not name.replace("_", "").isalnum() or not name[:1].isalpha() or name.lower() != name:
        log("refusing identifier %r" % name)
        sys.exit(2)
    return name


def connect():
    conn = psycopg2.connect(dbname=setting("OPS_DB"), user=setting("OPS_USER", "postgres"),
                            application_name=setting("OPS_APP", NAME))
    conn.autocommit = False
    return conn


def backend_pid(conn):
    return conn.get_backend_pid()  # from the connection's start-up data: no query, no transaction


def run(main):
    """Run the script's main(), logging any failure to the script's log before exiting 1."""
    try:
        main()
    except SystemExit:
        raise
    except Exception as exc:  # the log is the only place anyone would look
        log("failed: %s: %s" % (type(exc).__name__, (str(exc).strip().splitlines() or ["?"])[0]))
        raise SystemExit(1)


def hold(conn, why):
    """Keep the transaction open, doing nothing, until the server closes the connection.

    Waiting on the socket (not polling with queries) keeps the session exactly as a forgotten
    one looks: `idle in transaction`, with state_change frozen at the last statement.
    """
    log("%s; holding the transaction open" % why)
    while True:
        readable, _, _ = select.select([conn.fileno()], [], [], 3600)
        if not readable:
            continue
        # Something arrived: usually the FATAL that pg_terminate_backend sends before closing.
        # A stray asynchronous message (a notice, a parameter change) leaves us holding on.
        try:
            conn.poll()
        except psycopg2.Error as exc:
            log("connection closed by the server: %s" % (str(exc).strip().splitlines() or ["?"])[0])
            return
        if conn.closed:
            log("connection closed")
            return
        time.sleep(1.0)
