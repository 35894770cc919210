#!/usr/bin/env python3
"""loadgen.py — simulate the customers of a service.

Usage:
    loadgen.py --url URL [--rps 5] [--timeout 5] [--report SOCKET]

Sends GET requests to URL at a steady rate, forever, and every 10 s prints one summary line:

    traffic: 50 requests, 18 failed (5xx: 18, errors: 0), p95 312 ms

"requests" counts the requests that finished during the window. "failed" is 5xx + 4xx +
transport errors (refused, reset, timeout); 4xx and "skipped" only appear when non-zero. A
request is "skipped" when too many are still in flight (the target is that slow): the client
never sends it, and it is not counted in "requests". p95 covers requests that got an HTTP
response.

With --report, it also sends one JSON line per second to the unix stream socket SOCKET (the
lab's customer signal; reconnecting whenever the socket is away, keeping at most the last
REPORT_BACKLOG seconds meanwhile):

    {"sec":1733450000,"requests":4,"ok":3,"errors":{"5xx":1},"p50Ms":12.5,"p95Ms":40.1}

"sec" is the epoch second in which the requests finished; "errors" counts failures by kind
(5xx, 4xx, timeout, refused, reset, error, and skipped: a request never sent because too many
were still in flight, which counts as a failed request here); p50Ms/p95Ms cover the successful
(2xx/3xx) requests and are null when none succeeded. A second in which nothing finished is
still reported, with requests 0.

It never stops on errors; SIGTERM or SIGINT end it with exit code 0.
"""

import argparse
import json
import math
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

REPORT_EVERY = 10.0
BODY_LIMIT = 1 << 20
REPORT_BACKLOG = 120


def percentile(sorted_values, pct):
    if not sorted_values:
        return None
    return round(sorted_values[max(1, math.ceil(pct / 100.0 * len(sorted_values))) - 1], 1)


def error_kind(exc):
    """A transport failure's kind, in the signal's words."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return "timeout"
    if isinstance(reason, ConnectionRefusedError):
        return "refused"
    if isinstance(reason, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)) or \
            type(reason).__name__ in ("RemoteDisconnected", "IncompleteRead"):
        return "reset"
    return "error"


class Seconds:
    """Per-second buckets of finished requests, keyed by epoch second; shared by worker threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.buckets = {}

    def _bucket(self, sec):
        b = self.buckets.get(sec)
        if b is None:
            b = self.buckets[sec] = {"requests": 0, "ok": 0, "errors": {}, "lat": []}
        return b

    def record(self, status, kind, elapsed_ms, sec=None):
        with self.lock:
            b = self._bucket(int(time.time()) if sec is None else sec)
            b["requests"] += 1
            if status is not None and 200 <= status < 400:
                b["ok"] += 1
                b["lat"].append(elapsed_ms)
                return
            if status is not None:
                kind = "5xx" if status >= 500 else "4xx" if status >= 400 else "error"
            b["errors"][kind] = b["errors"].get(kind, 0) + 1

    def take_before(self, sec, since):
        """The finished seconds in [since, sec) as report dicts (empty seconds included), oldest first."""
        with self.lock:
            out = []
            for s in range(max(since, sec - REPORT_BACKLOG), sec):
                b = self.buckets.pop(s, None) or {"requests": 0, "ok": 0, "errors": {}, "lat": []}
                lat = sorted(b["lat"])
                out.append({"sec": s, "requests": b["requests"], "ok": b["ok"], "errors": b["errors"],
                            "p50Ms": percentile(lat, 50), "p95Ms": percentile(lat, 95)})
            for s in [s for s in self.buckets if s < sec]:
                del self.buckets[s]
            return out


class Reporter(threading.Thread):
    """Sends each finished second to the signal socket; seconds wait (bounded) while it is away."""

    def __init__(self, path, seconds, stop):
        super().__init__(daemon=True)
        self.path, self.seconds, self.stop = path, seconds, stop
        self.sock = None
        self.pending = []
        self.next_sec = int(time.time())

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(2.0)
        try:
            s.connect(self.path)
        except OSError:
            s.close()
            return None
        return s

    def run(self):
        while not self.stop.is_set():
            now = time.time()
            # A quarter second after each second ends: requests finishing on the boundary are in.
            self.stop.wait(max(0.0, math.floor(now) + 1.25 - now))
            sec = int(time.time() - 0.25)
            self.pending.extend(self.seconds.take_before(sec, self.next_sec))
            self.next_sec = max(self.next_sec, sec)
            self.pending = self.pending[-REPORT_BACKLOG:]
            if not self.pending:
                continue
            if self.sock is None:
                self.sock = self.connect()
                if self.sock is None:
                    continue
            data = "".join(json.dumps(b, separators=(",", ":")) + "\n" for b in self.pending).encode()
            try:
                self.sock.sendall(data)
                self.pending = []
            except OSError:
                try:
                    self.sock.close()
                except OSError:
                    pass
                self.sock = None


class Window:
    """Counters for one reporting window; shared by worker threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.requests = 0
        self.s5xx = 0
        self.s4xx = 0
        self.errors = 0
        self.skipped = 0
        self.latencies = []

    def record(self, status, elapsed_ms):
        with self.lock:
            self.requests += 1
            if status is None:
                self.errors += 1
                return
            self.latencies.append(elapsed_ms)
            if status >= 500:
                self.s5xx += 1
            elif status >= 400:
                self.s4xx += 1

    def skip(self):
        with self.lock:
            self.skipped += 1

    def take_summary(self):
        with self.lock:
            lat = sorted(self.latencies)
            failed = self.s5xx + self.s4xx + self.errors
            parts = ["5xx: %d" % self.s5xx]
            if self.s4xx:
                parts.append("4xx: %d" % self.s4xx)
            parts.append("errors: %d" % self.errors)
            if lat:
                p95 = "%d ms" % round(lat[max(1, math.ceil(0.95 * len(lat))) - 1])
            else:
                p95 = "- ms"
            line = "traffic: %d requests, %d failed (%s), p95 %s" % (
                self.requests, failed, ", ".join(parts), p95)
            if self.skipped:
                line += ", skipped %d (too many in flight)" % self.skipped
            self.reset()
            return line


def send(opener, url, timeout, window, slots, seconds):
    started = time.monotonic()
    status = None
    kind = None
    try:
        try:
            with opener.open(url, timeout=timeout) as resp:
                resp.read(BODY_LIMIT)
                status = resp.status
        except urllib.error.HTTPError as exc:
            status = exc.code
            try:
                exc.read(BODY_LIMIT)
            except Exception:
                pass
            finally:
                exc.close()
        except Exception as exc:
            status = None  # refused, reset, timeout, garbage: all count as errors
            kind = error_kind(exc)
        elapsed_ms = (time.monotonic() - started) * 1000.0
        window.record(status, elapsed_ms)
        seconds.record(status, kind, elapsed_ms)
    except Exception:
        pass  # never let a worker thread die loudly
    finally:
        slots.release()


def main(argv=None):
    parser = argparse.ArgumentParser(description="Steady GET traffic with a summary every 10 s.")
    parser.add_argument("--url", required=True)
    parser.add_argument("--rps", type=float, default=5.0, help="requests per second (default 5)")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per request (default 5)")
    parser.add_argument("--report", help="unix socket to send one JSON line per second to")
    args = parser.parse_args(argv)

    parsed = urllib.parse.urlsplit(args.url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        parser.error("--url must be an http(s) URL")
    if not (0 < args.rps <= 1000) or args.timeout <= 0:
        parser.error("--rps must be in (0, 1000] and --timeout > 0")

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    # Enough slots for the configured rate even when every request hits the timeout, capped so a
    # dead target cannot make us pile up threads.
    max_in_flight = int(min(64, max(4, math.ceil(args.rps * args.timeout) + 1)))
    slots = threading.BoundedSemaphore(max_in_flight)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    window = Window()
    seconds = Seconds()
    if args.report:
        Reporter(args.report, seconds, stop).start()

    sys.stdout.write("loadgen: GET %s at %g rps (timeout %gs), summary every %ds\n"
                     % (args.url, args.rps, args.timeout, REPORT_EVERY))
    sys.stdout.flush()

    period = 1.0 / args.rps
    next_send = time.monotonic()
    next_report = next_send + REPORT_EVERY
    while not stop.is_set():
        now = time.monotonic()
        if now >= next_report:
            try:
                sys.stdout.write(window.take_summary() + "\n")
                sys.stdout.flush()
            except Exception:
                pass
            next_report += REPORT_EVERY
            if next_report < now:
                next_report = now + REPORT_EVERY
        if now >= next_send:
            if slots.acquire(blocking=False):
                try:
                    threading.Thread(target=send, args=(opener, args.url, args.timeout, window, slots, seconds),
                                     daemon=True).start()
                except Exception:
                    slots.release()
                    window.skip()
                    seconds.record(None, "skipped", 0.0)
            else:
                window.skip()
                seconds.record(None, "skipped", 0.0)
            next_send += period
            if next_send < now - 1.0:  # we fell far behind (suspended?): don't burst to catch up
                next_send = now + period
            continue
        stop.wait(min(next_send, next_report) - now)
    return 0


if __name__ == "__main__":
    sys.exit(main())
