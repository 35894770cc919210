#!/usr/bin/env python3
"""reconcile.py — a month-end check that froze the table for writers (table lock, idle in tx).

Takes LOCK TABLE ... IN SHARE MODE "so the totals cannot move while we compare them", sums the
table, and then waits for the comparison upload that never finishes. SHARE mode lets readers in
but blocks every INSERT/UPDATE/DELETE (and CREATE INDEX CONCURRENTLY) until the transaction ends.
"""

import opslib


def main():
    conn = opslib.connect()
    table = opslib.ident(opslib.setting("OPS_TABLE"))
    pid = opslib.backend_pid(conn)
    with conn.cursor() as cur:
        cur.execute("LOCK TABLE %s IN SHARE MODE" % table)
        cur.execute("SELECT count(*), sum(amount_cents) FROM %s" % table)
        count, total = cur.fetchone()
    opslib.hold(conn, "backend %d: %s rows, total %s; waiting for the ledger comparison upload" % (pid, count, total))


opslib.run(main)
