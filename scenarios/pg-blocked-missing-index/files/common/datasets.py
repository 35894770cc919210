"""The data sets of the pg-blocked-missing-index scenario: one is picked per run (DATASET env).

Shared by the db container (db/gen_sql.py builds the data from it) and the app container
(app/api.py runs its lookups against it). scenarios/pg-blocked-missing-index/scenario.ts keeps a
mirror of the names (database, table, column, ...) for its goal checks; the integration test
compares the two (`python3 /srv/common/datasets.py` prints this table as JSON).

Each data set's big table has a fixed row count ("rows", 2.2-2.8 M): the image holds every data
set ready to run (db/build-datasets.sh), so a run's seed picks a data set, not a size.

Every row's lookup key is a pure function of its id, the same in SQL (key_sql) and in Python
(key_for_id), so the app can ask for real keys without reading the table first:
  text keys    prefix || lpad(((id * mul) % distinct)::text, width, '0') || suffix
  bigint keys  base + (id * mul) % distinct
`mul` is prime and shares no factor with `distinct`, so keys spread evenly over the table (a
customer's orders are scattered, not clustered): without an index every lookup reads all of it.
"""

import json
import sys

DATASETS = {
    "orders": {
        "database": "shop",
        "table": "orders",
        "rows": 2480000,
        "column": "customer_ref",
        "kind": "text", "prefix": "CUS-", "suffix": "", "width": 7, "distinct": 250000, "mul": 7919,
        "statuses": ["new", "paid", "paid", "packed", "shipped", "shipped", "delivered", "refunded"],
        "detail": "shipping_note",
        "side": {"table": "customers", "rows": 40000, "prefix": "CUS-", "width": 7},
        "app": "orders-api", "path": "/api/orders", "param": "customer_ref",
        "newColumn": "gift_message",
    },
    "shipments": {
        "database": "logistics",
        "table": "shipments",
        "rows": 2310000,
        "column": "tracking_code",
        # distinct far above the row count: every tracking code is unique (id -> code is injective)
        "kind": "text", "prefix": "TRK", "suffix": "", "width": 10, "distinct": 10000000000, "mul": 2654435761,
        "statuses": ["label_created", "picked_up", "in_transit", "in_transit", "out_for_delivery", "delivered", "delivered", "returned"],
        "detail": "route_hash",
        "side": {"table": "carriers", "rows": 2000, "prefix": "CAR-", "width": 4},
        "app": "tracking-api", "path": "/api/shipments", "param": "tracking_code",
        "newColumn": "signed_by",
    },
    "invoices": {
        "database": "billing",
        "table": "invoices",
        "rows": 2720000,
        "column": "account_id",
        "kind": "bigint", "base": 1000000, "distinct": 300000, "mul": 104729,
        "statuses": ["draft", "open", "open", "paid", "paid", "paid", "overdue", "void"],
        "detail": "line_digest",
        "side": {"table": "accounts", "rows": 30000, "prefix": "ACC-", "width": 6},
        "app": "billing-api", "path": "/api/invoices", "param": "account_id",
        "newColumn": "dunning_level",
    },
    "tickets": {
        "database": "support",
        "table": "tickets",
        "rows": 2240000,
        "column": "requester_email",
        "kind": "text", "prefix": "user", "suffix": "@example.net", "width": 6, "distinct": 200000, "mul": 15485863,
        "statuses": ["new", "open", "open", "pending", "on_hold", "solved", "solved", "closed"],
        "detail": "body_digest",
        "side": {"table": "agents", "rows": 1500, "prefix": "AGT-", "width": 4},
        "app": "helpdesk-api", "path": "/api/tickets", "param": "requester_email",
        "newColumn": "csat_score",
    },
    "payments": {
        "database": "payments",
        "table": "payments",
        "rows": 2590000,
        "column": "merchant_ref",
        "kind": "text", "prefix": "MRC-", "suffix": "", "width": 6, "distinct": 90000, "mul": 999983,
        "statuses": ["authorized", "captured", "captured", "captured", "settled", "settled", "refunded", "failed"],
        "detail": "card_fingerprint",
        "side": {"table": "merchants", "rows": 9000, "prefix": "MRC-", "width": 6},
        "app": "payments-api", "path": "/api/payments", "param": "merchant_ref",
        "newColumn": "risk_score",
    },
}


def get(name):
    try:
        return DATASETS[name]
    except KeyError:
        raise SystemExit("unknown DATASET %r (known: %s)" % (name, ", ".join(sorted(DATASETS))))


def key_for_id(ds, row_id):
    """The lookup key of the row with this id (the Python twin of key_sql)."""
    n = (row_id * ds["mul"]) % ds["distinct"]
    if ds["kind"] == "bigint":
        return ds["base"] + n
    return "%s%0*d%s" % (ds["prefix"], ds["width"], n, ds["suffix"])


def key_sql(ds, id_expr):
    """The lookup key of row `id_expr` as a SQL expression (the SQL twin of key_for_id)."""
    n = "((%s)::bigint * %d) %% %d" % (id_expr, ds["mul"], ds["distinct"])
    if ds["kind"] == "bigint":
        return "(%d + %s)::bigint" % (ds["base"], n)
    expr = "'%s' || lpad((%s)::text, %d, '0')" % (ds["prefix"], n, ds["width"])
    if ds["suffix"]:
        expr += " || '%s'" % ds["suffix"]
    return "(%s)::text" % expr


if __name__ == "__main__":
    json.dump(DATASETS, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")
