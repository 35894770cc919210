#!/usr/bin/env python3
"""migrate.py — a schema migration without a lock_timeout (the head of the lock queue).

ALTER TABLE ... ADD COLUMN is instant once it holds its ACCESS EXCLUSIVE lock, but it must wait
for every transaction already using the table — here a stalled report (export_report.py). While
it waits, it sits at the head of the table's lock queue, and every later query on the table, even
a plain SELECT, queues behind it. When the report's session ends, the migration runs, commits and
exits; if its own session is terminated, it gives up.
"""

import opslib


def main():
    conn = opslib.connect()
    table = opslib.ident(opslib.setting("OPS_TABLE"))
    column = opslib.ident(opslib.setting("OPS_COLUMN"))
    pid = opslib.backend_pid(conn)
    opslib.log("backend %d: ALTER TABLE %s ADD COLUMN %s text (no lock_timeout)" % (pid, table, column))
    with conn.cursor() as cur:
        cur.execute("ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s text" % (table, column))
    conn.commit()
    opslib.log("migration applied")


opslib.run(main)
