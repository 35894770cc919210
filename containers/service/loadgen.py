#!/usr/bin/env python3
"""loadgen.py — simulate the customers of a service.

Usage:
    loadgen.py --url URL [--rps 5] [--timeout 5]

Sends GET requests to URL at a steady rate, forever, and every 10 s prints one summary line:

    traffic: 50 requests, 18 failed (5xx: 18, errors: 0), p95 312 ms

"requests" counts the requests that finished during the window. "failed" is 5xx + 4xx +
transport errors (refused, reset, timeout); 4xx and "skipped" only appear when non-zero. A
request is "skipped" when too many are still in flight (the target is that slow): the client
never sends it, and it is not counted in "requests". p95 covers requests that got an HTTP
response.

It never stops on errors; SIGTERM or SIGINT end it with exit code 0.
"""

import argparse
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


def send(opener, url, timeout, window, slots):
    started = time.monotonic()
    status = None
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
        except Exception:
            status = None  # refused, reset, timeout, garbage: all count as errors
        window.record(status, (time.monotonic() - started) * 1000.0)
    except Exception:
        pass  # never let a worker thread die loudly
    finally:
        slots.release()


def main(argv=None):
    parser = argparse.ArgumentParser(description="Steady GET traffic with a summary every 10 s.")
    parser.add_argument("--url", required=True)
    parser.add_argument("--rps", type=float, default=5.0, help="requests per second (default 5)")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per request (default 5)")
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
                    threading.Thread(target=send, args=(opener, args.url, args.timeout, window, slots),
                                     daemon=True).start()
                except Exception:
                    slots.release()
                    window.skip()
            else:
                window.skip()
            next_send += period
            if next_send < now - 1.0:  # we fell far behind (suspended?): don't burst to catch up
                next_send = now + period
            continue
        stop.wait(min(next_send, next_report) - now)
    return 0


if __name__ == "__main__":
    sys.exit(main())
