"""One separate process calling Xero through the database's shared rate budget, as an
Odoo worker does. Used by test_rate_budget.py (not a test module itself).

Usage: rate_budget_worker.py ODOO_CONF DB SANDBOX_URL TENANT TOKEN_JSON THREADS CALLS
         TIME_SCALE EPOCH [memory]
Prints one line: "done <calls> postponed <times the budget said wait> <why>".
With "memory", the budget is this process's own (as before it was shared).
"""

import json
import sys
import threading
import time


def main(conf, db, url, tenant, token_json, threads, calls, time_scale, epoch, mode="pg"):
    import odoo
    from odoo.tools import config

    config.parse_config(["-c", conf, "--log-level=warn"])
    odoo.modules.module.initialize_sys_path()
    from odoo.addons.xero_connector.models.xero_rate_budget import PgBudgetStore
    from odoo.addons.xero_connector.xero import (
        MemoryTokenStore,
        RateLimiter,
        ScaledClock,
        XeroClient,
        XeroRateLimited,
    )

    clock = ScaledClock(float(time_scale), epoch=float(epoch))
    store = PgBudgetStore(db) if mode == "pg" else None
    limiter = RateLimiter(store, clock=clock.now, sleep=clock.sleep, max_sleep=30)
    token = json.loads(token_json)
    done, postponed, problems = [0], [0], set()
    lock = threading.Lock()

    def run():
        client = XeroClient(
            tenant, MemoryTokenStore(token), "sandbox-client-id", api_url=url, limiter=limiter
        )
        for _ in range(int(calls)):
            while True:
                try:
                    client.get_currencies()
                    break
                except XeroRateLimited as exc:  # a cron would reschedule: wait, try again
                    with lock:
                        postponed[0] += 1
                        problems.add(exc.problem)
                    clock.sleep(max(0.0, exc.retry_at.timestamp() - clock.now()))
            with lock:
                done[0] += 1

    workers = [threading.Thread(target=run) for _ in range(int(threads))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(f"done {done[0]} postponed {postponed[0]} {sorted(problems)}", flush=True)
    time.sleep(0.05)


if __name__ == "__main__":
    main(*sys.argv[1:])
