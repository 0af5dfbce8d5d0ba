"""One Odoo export worker for the chaos run: runs the bills export cron, as Odoo's cron
worker would, until nothing is left to send. The chaos driver kills it with SIGKILL."""

import sys
import time

from common import install_limiter, start_odoo

from odoo import SUPERUSER_ID, api


def main(db):
    registry = start_odoo(db)
    install_limiter()
    idle_since = None
    while True:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            done = env["account.move"]._cron_xero_export()
            left = env["account.move"].search_count([("xero_state", "=", "queued")])
        print(f"worker: sent {done}, {left} queued", flush=True)
        if not left:
            return 0
        if done:
            idle_since = None
            continue
        # Postponed (rate limit, Xero failing, a dead worker's lease): the cron would be
        # triggered again at the retry time.
        idle_since = idle_since or time.monotonic()
        if time.monotonic() - idle_since > 300:
            print("worker: gave up waiting", flush=True)
            return 1
        time.sleep(1)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
