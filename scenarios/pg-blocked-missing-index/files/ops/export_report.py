#!/usr/bin/env python3
"""export_report.py — a report extract that stalled mid-transaction (snapshot + share lock).

Opens a REPEATABLE READ transaction for a consistent extract, runs its aggregate over the last
day, and then hangs on the upload while the transaction stays open. Alone it hurts nobody (readers do not block
readers) — until a migration asks for an ACCESS EXCLUSIVE lock on the same table (migrate.py).
"""

import opslib


def main():
    conn = opslib.connect()
    conn.set_session(isolation_level="REPEATABLE READ")  # BEGIN ISOLATION LEVEL REPEATABLE READ
    table = opslib.ident(opslib.setting("OPS_TABLE"))
    pid = opslib.backend_pid(conn)
    with conn.cursor() as cur:
        cur.execute("SELECT status, count(*), sum(amount_cents) FROM %s WHERE created_at >= (SELECT max(created_at) FROM %s) - interval '1 day' "
                    "GROUP BY status ORDER BY status" % (table, table))
        groups = len(cur.fetchall())
    opslib.hold(conn, "backend %d: extracted %d groups; uploading the extract" % (pid, groups))


opslib.run(main)
