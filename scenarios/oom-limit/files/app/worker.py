#!/usr/bin/python3
"""render-worker: renders documents (invoices, statements, ...) from a queue, one batch at a time.

Installed as /usr/local/bin/render-worker (so `ps` and `top` show "render-worker") and started
by the supervisor, which hands it the queue profile on stdin.

Per batch:
  1. re-read /etc/render-worker/worker.conf (caches on/off; a cache switched off is emptied);
  2. load the batch's rows and render them: the working set grows with the rows, and all of it
     is freed when the batch is done (batch memory is per batch, by design);
  3. keep what the caches keep (templates, fonts, images, ...: each cache has an entry limit);
  4. acknowledge the batch. A batch that was not acknowledged (the worker died) is delivered
     again to the next worker.

Log lines (stdout): "batch <id> <kind>: <rows> rows" when a batch starts, "batch <id> <kind>
done in <s>: ... container memory peak <n> MiB, after <n> MiB" when it ends, and "caches: ..."
every 5 batches. Memory figures are the container's, counted like `docker stats` does.
State for tools: /run/render-worker/status.json (rewritten after every batch).
"""

import json
import os
import random
import sys
import time
from collections import OrderedDict

from svckit import MIB, PAGE, Log, mib, read_json, read_memory, resident, return_frees_to_the_os, write_json

VERSION = "2.14.1"
RUN = "/run/render-worker"
STATUS = RUN + "/status.json"
QUEUE = RUN + "/queue.json"
CONF = "/etc/render-worker/worker.conf"
STEPS = 8

log = Log(prefix="render-worker: ")


def used_now():
    used, _ = read_memory()
    return used or 0


class Cache:
    """An LRU cache of rendered assets. max_entries 0 means no limit."""

    def __init__(self, spec):
        self.name = spec["name"]
        self.entry_bytes = int(spec["entryKb"]) * 1024
        self.per_batch = int(spec["perBatch"])
        self.max_entries = int(spec["max"])
        self.keys = int(spec.get("keys", 0))  # distinct assets in use (0: a new key every batch)
        self.enabled = True
        self.entries = OrderedDict()

    def key_for(self, batch_id, i):
        if self.keys:
            return "%s-%d" % (self.name, (batch_id * self.per_batch + i) % self.keys)
        return "%s-%d-%d" % (self.name, batch_id, i)

    def use(self, batch_id):
        if not self.enabled:
            return
        for i in range(self.per_batch):
            key = self.key_for(batch_id, i)
            if key in self.entries:
                self.entries.move_to_end(key)
                continue
            self.entries[key] = resident(self.entry_bytes)
            while self.max_entries and len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)

    def size(self):
        return len(self.entries) * self.entry_bytes

    def drop(self):
        n, size = len(self.entries), self.size()
        self.entries.clear()
        return n, size

    def describe(self):
        if not self.enabled:
            return "%s off" % self.name
        return "%s %d entries %.1f MiB" % (self.name, len(self.entries), mib(self.size()))


def read_config():
    conf = {}
    try:
        with open(CONF) as fh:
            for raw in fh:
                line = raw.split("#", 1)[0].strip()
                if "=" in line:
                    key, _, value = line.partition("=")
                    conf[key.strip()] = value.strip().lower()
    except OSError:
        return None
    return conf


def apply_config(caches, state):
    conf = read_config()
    if conf is None:
        if not state.get("confWarned"):
            log("WARN cannot read %s: keeping the current settings" % CONF)
            state["confWarned"] = True
        return False
    state["confWarned"] = False
    changed = False
    for cache in caches:
        value = conf.get(cache.name)
        if value is None:
            continue
        want = value in ("on", "true", "yes", "1")
        if want == cache.enabled:
            continue
        changed = True
        cache.enabled = want
        if want:
            log("config: %s switched on" % cache.name)
        else:
            n, size = cache.drop()
            log("config: %s switched off: dropped %d entries (%.1f MiB)" % (cache.name, n, mib(size)))
    return changed


def batch_plan(profile, batch_id, base):
    order = profile["order"]
    spec = order[(batch_id - profile["firstBatch"]) % len(order)]
    rnd = random.Random(batch_id)  # the same batch has the same size on every delivery
    lo, hi = spec["peakMb"]
    target = rnd.uniform(lo, hi) * MIB
    work = max(4 * MIB, int(target - base)) // PAGE * PAGE
    rows = int(target / (spec["rowKb"] * 1024))
    return spec["kind"], rows, work


def main():
    return_frees_to_the_os(128 * 1024)
    profile = json.loads(sys.stdin.readline())
    caches = [Cache(spec) for spec in profile["caches"]]
    interval = float(profile.get("interval", 2.5))
    started = time.time()
    base = used_now()
    conf_state = {}
    apply_config(caches, conf_state)
    queue = read_json(QUEUE, {"next": profile["firstBatch"], "attempts": 0})
    log("render-worker %s starting (pid %d): queue %s, config %s (re-read before every batch)"
        % (VERSION, os.getpid(), profile["queue"], CONF))
    log("caches: " + ", ".join(c.describe() for c in caches))
    if queue.get("attempts"):
        log("resuming at batch b-%d: not acknowledged, delivered again" % queue["next"])

    status = {"pid": os.getpid(), "version": VERSION, "startedAt": started, "batchesDone": 0,
              "inFlight": None, "recent": [], "caches": {}}
    done = 0
    while True:
        t0 = time.time()
        if apply_config(caches, conf_state):
            log("caches: " + ", ".join(c.describe() for c in caches))
        batch_id = int(queue["next"])
        attempts = int(queue.get("attempts", 0)) + 1
        queue = {"next": batch_id, "attempts": attempts}
        write_json(QUEUE, queue)
        kind, rows, work = batch_plan(profile, batch_id, base)
        status["inFlight"] = {"id": "b-%d" % batch_id, "kind": kind, "rows": rows, "since": t0}
        write_json(STATUS, status)
        log("batch b-%d %s: %d rows%s" % (batch_id, kind, rows, "" if attempts == 1 else " (delivery %d)" % attempts))

        peak = used_now()
        pages = []
        step = max(PAGE, work // STEPS // PAGE * PAGE)
        for _ in range(STEPS):
            pages.append(resident(step))
            peak = max(peak, used_now())
            time.sleep(0.1)
        for cache in caches:
            cache.use(batch_id)
        peak = max(peak, used_now())
        time.sleep(0.2)
        del pages
        after = used_now()
        took = time.time() - t0

        done += 1
        queue = {"next": batch_id + 1, "attempts": 0}
        write_json(QUEUE, queue)
        log("batch b-%d %s done in %.1f s: %d rows, container memory peak %.0f MiB, after %.0f MiB"
            % (batch_id, kind, took, rows, mib(peak), mib(after)))
        status["batchesDone"] = done
        status["inFlight"] = None
        status["recent"] = (status["recent"] + [{"id": "b-%d" % batch_id, "kind": kind, "rows": rows,
                                                "peakMb": round(mib(peak), 1), "afterMb": round(mib(after), 1),
                                                "at": time.time()}])[-10:]
        status["caches"] = {c.name: {"enabled": c.enabled, "entries": len(c.entries),
                                     "mb": round(mib(c.size()), 1)} for c in caches}
        write_json(STATUS, status)
        if done % 5 == 0:
            log("caches: " + ", ".join(c.describe() for c in caches))
        time.sleep(max(0.2, interval - (time.time() - t0)))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
