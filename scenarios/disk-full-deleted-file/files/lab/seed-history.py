#!/usr/bin/python3
"""seed-history.py DATA_DIR MIB DAYS [LOGNAME] — the lab's stand-in for the volume's past.

Writes DAYS journal files (DATA_DIR/journal/<day>.jsonl, the days before today, about MIB in
all) of records shaped like the API's, an old compressed access log and, if LOGNAME is given,
an old rotated generation of that log (LOGNAME.2.gz). Run once by the scenario's fault, before
the incident; it is the "real data" that `du` finds.
"""

import gzip
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

CUSTOMERS = ["c-1042", "c-1177", "c-2093", "c-2210", "c-3051", "c-3388", "c-4120", "c-4702"]


def main():
    data_dir, mib, days = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    logname = sys.argv[4] if len(sys.argv) > 4 else ""
    app = os.path.basename(data_dir.rstrip("/"))
    prefix = {"orders": "ord", "bookings": "bkg", "invoices": "inv", "tickets": "tkt", "shipments": "shp"}.get(app, "rec")
    journal = os.path.join(data_dir, "journal")
    logs = os.path.join(data_dir, "log")
    os.makedirs(journal, exist_ok=True)
    os.makedirs(logs, exist_ok=True)
    today = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    per_day = int(mib * 1024 * 1024 / days)
    seq = random.randint(100000, 400000)
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        path = os.path.join(journal, day.strftime("%Y-%m-%d") + ".jsonl")
        lines, size = [], 0
        while size < per_day * random.uniform(0.85, 1.15):
            seq += 1
            at = day + timedelta(seconds=random.randint(0, 86399))
            line = json.dumps({
                "at": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "customer": random.choice(CUSTOMERS),
                "items": random.randint(1, 6), "totalCents": random.randint(499, 25999),
                "id": "%s-%07d" % (prefix, seq),
            }, separators=(",", ":")) + "\n"
            lines.append(line)
            size += len(line)
        with open(path, "w") as fh:
            fh.writelines(lines)
        os.utime(path, (day.timestamp() + 86399, day.timestamp() + 86399))
    with gzip.open(os.path.join(logs, "access.log.1.gz"), "wt") as fh:
        for i in range(4000):
            fh.write("%s 172.18.0.3 GET /api/%s 200 %dms\n" % ((today - timedelta(seconds=i * 20)).strftime("%Y-%m-%dT%H:%M:%SZ"), app, random.randint(2, 15)))
    if logname:
        with gzip.open(os.path.join(logs, logname + ".2.gz"), "wt") as fh:
            for i in range(2000):
                fh.write("%s INFO %s: heartbeat %d\n" % ((today - timedelta(days=1, seconds=i * 30)).strftime("%Y-%m-%dT%H:%M:%SZ"), app, i))


if __name__ == "__main__":
    main()
