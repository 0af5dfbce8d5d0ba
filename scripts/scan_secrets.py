"""Scan what a whole test run logged for secrets: the server log (info level, the
addon at debug) and every xero.log row written. Exits 1 naming the file and line of
each find. Usage: scan_secrets.py SERVER_LOG LOG_ROWS  |  scan_secrets.py --self-test"""

import re
import sys

# Values of the test run's apps and webhooks (tests/common.py, tests/test_webhook.py,
# tests/test_security.py, scripts/demo.sh).
KNOWN = [
    "sandbox-client-secret",
    "sandbox-custom-secret",
    "webhook-key-of-the-demo-app",
    "demo-webhook-key",
    "b-secret",
]
PATTERNS = [
    ("access token (JWT)", re.compile(r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}")),
    ("Bearer credential", re.compile(r"Bearer\s+\S")),
    ("Authorization header", re.compile(r"""["']?Authorization["']?\s*[:=]""")),
    (
        "token or secret value",
        re.compile(
            r"""(refresh_token|access_token|id_token|client_secret|code_verifier|webhook_key)"""
            r"""["']?\s*[:=]\s*["']?(?!\*)[\w.~+/-]{12,}"""
        ),
    ),
]


def findings(lines):
    for number, line in enumerate(lines, 1):
        for known in KNOWN:
            if known in line:
                yield number, f"secret {known!r}", line
        for what, pattern in PATTERNS:
            if pattern.search(line):
                yield number, what, line


def self_test():
    planted = [
        'xero GET ... headers {"Authorization": "Bearer eyJhbGciOiJI.eyJzdWIiOiIx.c2lnbmF0dXJl"}',
        "grant_type=refresh_token&refresh_token=Zm9vYmFyYmF6cXV4cXV1eA&client_id=x",
        "client_secret=sandbox-client-secret",
        'token {"refresh_token": "***", "access_token": "***"}',
    ]
    found = {n for n, _what, _line in findings(planted)}
    assert found == {1, 2, 3}, f"scanner missed or over-matched: {sorted(found)}"


def main(paths):
    bad, scanned = 0, {}
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
        scanned[path] = len(lines)
        for number, what, line in findings(lines):
            bad += 1
            print(f"{path}:{number}: {what}: {line[:300]}")
    summary = ", ".join(f"{n} lines of {p}" for p, n in scanned.items())
    if bad:
        print(f"secret scan: {bad} finding(s) in {summary}")
        return 1
    print(f"secret scan: no token, secret or Authorization header in {summary}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
