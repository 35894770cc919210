"""Print this run's ALTER ROLE statements for `postgres --single` (start-db.sh).

One statement per line: single-user mode ends a statement at a newline. The image's roles have
no password until this runs. Env: APP_PASSWORD, REPORT_PASSWORD.
"""

import os


def quote_literal(text):
    return "'" + text.replace("'", "''") + "'"


for role, var in (("app", "APP_PASSWORD"), ("reporting", "REPORT_PASSWORD")):
    password = os.environ.get(var, "")
    if not password or "\n" in password:
        raise SystemExit("%s must be set, on one line" % var)
    print("ALTER ROLE %s PASSWORD %s;" % (role, quote_literal(password)))
