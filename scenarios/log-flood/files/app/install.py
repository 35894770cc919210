"""install.py <base64 JSON> — the deployment step that writes the worker's files.

Writes the worker's configuration and its token files, as config management would just after the
container started. The JSON is a list of {"path", "content", "mode" (octal string), "ageDays"};
files are written to a temporary name and renamed, so the worker never reads half a file, and
their mtime is set `ageDays` in the past (the token files look rotated months ago).
"""

import base64
import json
import os
import sys
import time


def main():
    files = json.loads(base64.b64decode(sys.argv[1]).decode("utf-8"))
    # Tokens first, the config last: the worker starts as soon as its config appears.
    for spec in sorted(files, key=lambda f: f["path"].endswith(".conf")):
        path = spec["path"]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = "%s.tmp-%d" % (path, os.getpid())
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(spec["content"])
        os.chmod(tmp, int(spec.get("mode", "644"), 8))
        age = float(spec.get("ageDays", 0)) * 86400
        if age:
            t = time.time() - age
            os.utime(tmp, (t, t))
        os.rename(tmp, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
