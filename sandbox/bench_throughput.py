"""Measure simple GET throughput of the sandbox with spec validation on.

    python -m sandbox.bench_throughput [--seconds 5] [--threads 8] [--path /Currencies]

Prints ``sandbox_get_rps: N`` (plus the same for validation off with --compare).
"""

import argparse
import http.client
import threading
import time
from urllib.parse import urlparse

from sandbox import Sandbox
from sandbox.seed_gen import DEMO_TENANT

LIMITS = {"min_limit": 10**9, "day_limit": 10**9, "concurrent_limit": 10**6}


def hammer(url, token, path, seconds, threads, unique=False):
    parsed = urlparse(url)
    headers = {
        "Authorization": f"Bearer {token}",
        "xero-tenant-id": DEMO_TENANT,
        "Accept": "application/json",
    }
    counts, errors = [0] * threads, [0] * threads
    deadline = time.perf_counter() + seconds

    def worker(i):
        n = 0
        while time.perf_counter() < deadline:
            conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
            target = "/api.xro/2.0" + path
            if unique:  # a different query each time: no validation verdict is reused
                n += 1
                target += f"?order=Code&where=Code%21%3D%22T{i}x{n}%22"
            try:
                conn.request("GET", target, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status == 200:
                    counts[i] += 1
                else:
                    errors[i] += 1
            except OSError:
                errors[i] += 1
            finally:
                conn.close()

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    return sum(counts) / elapsed, sum(errors)


def measure(validate, args):
    with Sandbox(validate=validate, **LIMITS) as sb:
        token = sb.tokens()["access_token"]
        hammer(sb.url, token, args.path, 0.5, args.threads)  # warm up
        rps, errors = hammer(sb.url, token, args.path, args.seconds, args.threads, args.unique)
        violations = len(sb.violations())
    return rps, errors, violations


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--path", default="/Currencies")
    parser.add_argument(
        "--unique",
        action="store_true",
        help="vary the query string so every request is validated afresh",
    )
    parser.add_argument("--compare", action="store_true", help="also measure with validation off")
    args = parser.parse_args()
    rps, errors, violations = measure(True, args)
    print(f"sandbox_get_rps: {rps:.0f}")
    print(f"errors: {errors} violations: {violations} path: {args.path}")
    if args.compare:
        rps_off, _, _ = measure(False, args)
        print(f"sandbox_get_rps_no_validation: {rps_off:.0f}")


if __name__ == "__main__":
    main()
