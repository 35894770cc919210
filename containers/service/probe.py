#!/usr/bin/env python3
"""probe.py — send N sequential GET requests and print one JSON line of results.

Usage:
    probe.py --url URL --count N [--stop-on-failure] [--timeout 5] [--interval 0]

Output (one line on stdout):
    {"requests":N,"ok":n,"failed":n,"statuses":{"200":n,"500":n},"errors":n,
     "consecutiveOk":n,"p50Ms":..,"p95Ms":..,"firstFailure":"..."}

- ok        responses with a 2xx or 3xx status
- failed    everything else: 4xx/5xx responses plus transport errors
- errors    transport errors only (refused, reset, timeout, ...): no HTTP status at all
- statuses  count per HTTP status code (string keys)
- consecutiveOk  the longest run of successive ok requests
- p50Ms/p95Ms    latency percentiles (nearest rank, ms) over requests that got an HTTP
                 response; null when none did
- firstFailure   a short description of the first failure, or null

The exit code is 0 whenever the probe could run, whatever the results: the caller interprets
the JSON. Only bad arguments exit non-zero (2). With --stop-on-failure the probe stops at the
first failure, so "requests" may be smaller than --count.
"""

import argparse
import json
import math
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

BODY_LIMIT = 1 << 20  # read at most 1 MiB of each body


def build_opener():
    # Ignore *_proxy variables: the probe always talks straight to the target.
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


def percentile(sorted_values, pct):
    if not sorted_values:
        return None
    rank = max(1, math.ceil(pct / 100.0 * len(sorted_values)))
    return round(sorted_values[rank - 1], 1)


def describe_error(exc):
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        if isinstance(reason, socket.timeout):
            return "timeout"
        return str(reason)
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timeout"
    return "%s: %s" % (type(exc).__name__, exc)


def one_request(opener, url, timeout):
    """Return (status or None, elapsed_ms, error text or None)."""
    started = time.monotonic()
    try:
        with opener.open(url, timeout=timeout) as resp:
            resp.read(BODY_LIMIT)
            status = resp.status
        return status, (time.monotonic() - started) * 1000.0, None
    except urllib.error.HTTPError as exc:
        try:
            exc.read(BODY_LIMIT)
        except Exception:
            pass
        finally:
            exc.close()
        return exc.code, (time.monotonic() - started) * 1000.0, None
    except Exception as exc:  # refused, reset, timeout, bad status line, ...
        return None, (time.monotonic() - started) * 1000.0, describe_error(exc)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send N sequential GET requests, print one JSON line.")
    parser.add_argument("--url", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--stop-on-failure", action="store_true")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per request (default 5)")
    parser.add_argument("--interval", type=float, default=0.0, help="seconds between requests (default 0)")
    args = parser.parse_args(argv)

    parsed = urllib.parse.urlsplit(args.url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        parser.error("--url must be an http(s) URL")
    if args.count < 1:
        parser.error("--count must be at least 1")
    if args.timeout <= 0 or args.interval < 0:
        parser.error("--timeout must be > 0 and --interval >= 0")

    opener = build_opener()
    statuses = {}
    latencies = []
    ok = failed = errors = 0
    run = longest_run = 0
    first_failure = None
    sent = 0

    for i in range(1, args.count + 1):
        if i > 1 and args.interval > 0:
            time.sleep(args.interval)
        status, elapsed_ms, error = one_request(opener, args.url, args.timeout)
        sent += 1
        if status is not None:
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            latencies.append(elapsed_ms)
        success = status is not None and 200 <= status < 400
        if success:
            ok += 1
            run += 1
            longest_run = max(longest_run, run)
            continue
        failed += 1
        run = 0
        if status is None:
            errors += 1
            what = error
        else:
            what = "HTTP %d" % status
        if first_failure is None:
            first_failure = "request %d: %s" % (i, what)
        if args.stop_on_failure:
            break

    latencies.sort()
    result = {
        "requests": sent,
        "ok": ok,
        "failed": failed,
        "statuses": dict(sorted(statuses.items())),
        "errors": errors,
        "consecutiveOk": longest_run,
        "p50Ms": percentile(latencies, 50),
        "p95Ms": percentile(latencies, 95),
        "firstFailure": first_failure,
    }
    sys.stdout.write(json.dumps(result, separators=(",", ":")) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
