"""Copy this run's database into the container's writable layer; print what it copied.

overlay2 copies a file up from the image the first time it is opened for writing, and Postgres
opens every relation file read-write, even to read it. Opening the files of the user databases
(base/<oid> with oid >= 16384, FirstNormalObjectId) for append copies them now, in one go, while
nothing waits; the catalogs and the other data sets in the image stay shared.

Usage: copy_up.py PGDATA
"""

import os
import sys
import time

FIRST_NORMAL_OID = 16384


def main():
    base = os.path.join(sys.argv[1], "base")
    started = time.monotonic()
    files = size = 0
    for entry in os.listdir(base):
        if not entry.isdigit() or int(entry) < FIRST_NORMAL_OID:
            continue
        for root, _, names in os.walk(os.path.join(base, entry)):
            for name in names:
                path = os.path.join(root, name)
                with open(path, "ab"):
                    pass
                files += 1
                size += os.path.getsize(path)
    print("copied up %d files, %d MB in %.1f s" % (files, size >> 20, time.monotonic() - started))


if __name__ == "__main__":
    main()
