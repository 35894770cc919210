#!/usr/bin/env python3
"""bulk_fix.py — a one-off data fix that was never confirmed (row locks, `idle in transaction`).

Puts every row of the last OPS_HOURS hours of data (counted back from the newest row) on hold, then waits for an operator to check
the result and commit. Nobody does: the transaction stays open and keeps a row lock on each of
those rows — the newest ones, which are exactly the rows customers look up most. Every
application UPDATE of such a row queues behind it; CREATE INDEX CONCURRENTLY waits for it too.
"""

import opslib


def main():
    conn = opslib.connect()
    table = opslib.ident(opslib.setting("OPS_TABLE"))
    hours = int(opslib.setting("OPS_HOURS", "12"))
    pid = opslib.backend_pid(conn)
    with conn.cursor() as cur:
        cur.execute("UPDATE %s SET status = 'review' WHERE created_at >= (SELECT max(created_at) FROM %s) - make_interval(hours => %%s)" % (table, table), (hours,))
        updated = cur.rowcount
    opslib.hold(conn, "backend %d: %d rows set to 'review'; waiting for an operator to confirm before COMMIT" % (pid, updated))


opslib.run(main)
