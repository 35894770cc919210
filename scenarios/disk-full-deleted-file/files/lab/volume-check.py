#!/usr/bin/python3
"""volume-check.py record|verify DATA_DIR MANIFEST — the lab's data-integrity baseline.

record: for each journal file (DATA_DIR/journal/*.jsonl), its size and the SHA-256 of its
        content, into MANIFEST (kept outside the data volume, in the container's own layer).
verify: each recorded file must still exist and start with exactly the recorded bytes (journals
        are append-only: records saved later may follow). Prints one JSON line:
        {"files": n, "intact": n, "missing": [...], "changed": [...], "bytes": n}

Used by the scenario's fault (record, once the volume is full) and by its goal (verify). The
learner's fix must not cost a single record the API had confirmed.
"""

import glob
import hashlib
import json
import os
import sys


def digest(path, limit=None):
    h = hashlib.sha256()
    left = limit
    with open(path, "rb") as fh:
        while True:
            want = 1 << 20 if left is None else min(1 << 20, left)
            if want == 0:
                break
            block = fh.read(want)
            if not block:
                break
            h.update(block)
            if left is not None:
                left -= len(block)
    return h.hexdigest()


def main():
    mode, data_dir, manifest = sys.argv[1], sys.argv[2], sys.argv[3]
    if mode == "record":
        files = {}
        for path in sorted(glob.glob(os.path.join(data_dir, "journal", "*.jsonl"))):
            size = os.path.getsize(path)
            files[os.path.basename(path)] = {"size": size, "sha256": digest(path, size)}
        os.makedirs(os.path.dirname(manifest), exist_ok=True)
        with open(manifest, "w") as fh:
            json.dump({"dataDir": data_dir, "files": files}, fh)
        print(json.dumps({"files": len(files), "bytes": sum(f["size"] for f in files.values())}))
        return 0
    with open(manifest) as fh:
        files = json.load(fh)["files"]
    missing, changed, total = [], [], 0
    for name, want in sorted(files.items()):
        path = os.path.join(data_dir, "journal", name)
        try:
            size = os.path.getsize(path)
        except OSError:
            missing.append(name)
            continue
        if size < want["size"] or digest(path, want["size"]) != want["sha256"]:
            changed.append(name)
            continue
        total += want["size"]
    print(json.dumps({"files": len(files), "intact": len(files) - len(missing) - len(changed),
                      "missing": missing, "changed": changed, "bytes": total}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
