"""Print the SQL that creates a data set's roles, database and data (build-datasets.sh, at
image build time, pipes it into psql).

Env: DATASET (see /srv/common/datasets.py: the tables, and the big table's row count).
The roles get no password: every run sets its own at start (start-db.sh, set_passwords.py).

Generation is quick (and the image build stays short) because
  - CREATE TABLE AS writes through a small ring buffer straight into the new relation and, with
    wal_level=minimal, writes no WAL for it;
  - the primary key and the created_at index are built once, after the load;
  - VACUUM (FREEZE, ANALYZE) sets hint bits and the visibility map now, so the first lookups do
    not dirty every page of the table, and gives the planner real statistics.
The lookup column deliberately gets NO index: that is the scenario's missing index.
"""

import os
import sys

sys.path.insert(0, "/srv/common")
sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import datasets  # noqa: E402


def quote_literal(text):
    return "'" + text.replace("'", "''") + "'"


def main():
    ds = datasets.get(os.environ.get("DATASET", "orders"))
    rows = ds["rows"]
    t, col, db = ds["table"], ds["column"], ds["database"]
    statuses = "ARRAY[%s]" % ", ".join(quote_literal(s) for s in ds["statuses"])
    side = ds["side"]
    out = []
    w = out.append
    w("\\set ON_ERROR_STOP on")
    w("CREATE ROLE app LOGIN;")
    w("CREATE ROLE reporting LOGIN;")
    w("CREATE DATABASE %s OWNER app;" % db)
    w("\\connect %s" % db)
    w("BEGIN;")
    w("CREATE TABLE %s AS SELECT" % t)
    w("  g::bigint AS id,")
    w("  %s AS %s," % (datasets.key_sql(ds, "g"), col))
    # Two seconds apart, the newest row just now: "the last few hours" is the newest few thousand.
    w("  (now() - (%d - g) * interval '2 seconds')::timestamptz AS created_at," % rows)
    w("  (%s)[1 + (g * 31) %% %d] AS status," % (statuses, len(ds["statuses"])))
    w("  (100 + (g::bigint * 7919) % 50000)::integer AS amount_cents,")
    w("  md5(g::text) AS %s," % ds["detail"])
    w("  NULL::timestamptz AS last_seen_at")
    w("FROM generate_series(1, %d) AS g;" % rows)
    w("COMMIT;")
    w("ALTER TABLE %s ALTER COLUMN id SET NOT NULL, ALTER COLUMN %s SET NOT NULL, ALTER COLUMN created_at SET NOT NULL;" % (t, col))
    w("ALTER TABLE %s ADD CONSTRAINT %s_pkey PRIMARY KEY (id);" % (t, t))
    w("CREATE INDEX %s_created_at_idx ON %s (created_at);" % (t, t))
    w("CREATE SEQUENCE %s_id_seq OWNED BY %s.id START %d;" % (t, t, rows + 1))
    w("ALTER TABLE %s ALTER COLUMN id SET DEFAULT nextval('%s_id_seq');" % (t, t))
    # A small, properly indexed neighbour: the database is not one table, and not every table is slow.
    w("CREATE TABLE %s (id integer PRIMARY KEY, code text NOT NULL UNIQUE, name text NOT NULL, created_at timestamptz NOT NULL);" % side["table"])
    w("INSERT INTO %s SELECT i, %s || lpad(i::text, %d, '0'), initcap(md5(i::text)), now() - i * interval '1 hour' FROM generate_series(1, %d) AS i;"
      % (side["table"], quote_literal(side["prefix"]), side["width"], side["rows"]))
    for table in (t, side["table"]):
        w("ALTER TABLE %s OWNER TO app;" % table)
    w("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reporting;")
    w("VACUUM (FREEZE, ANALYZE) %s;" % t)
    w("VACUUM (FREEZE, ANALYZE) %s;" % side["table"])
    # The row counts as loaded, for the scenario's "no data lost" goal (build-datasets.sh keeps them).
    w("\\pset tuples_only on")
    w("\\pset format unaligned")
    w("\\o %s" % os.environ.get("COUNTS_FILE", "/tmp/sickbay-counts"))
    w("SELECT 'rows_main=' || count(*) FROM %s;" % t)
    w("SELECT 'rows_side=' || count(*) FROM %s;" % side["table"])
    w("\\o")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
