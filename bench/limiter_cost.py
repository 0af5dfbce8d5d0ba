"""What the shared rate budget costs per Xero call: the time spent taking a call from
the PostgreSQL budget and giving it back with Xero's headers, and the SQL statements
(round trips) it takes. No HTTP: only the limiter, on a clock that moves 1.5 s per call
(Xero's pace), so that it never has to wait."""

import time
import uuid

import psycopg2
import psycopg2.extensions
from common import figure

CALLS = 500
HEADERS = {"X-MinLimit-Remaining": "50", "X-DayLimit-Remaining": "4000"}


class CountingCursor(psycopg2.extensions.cursor):
    statements = 0

    def execute(self, query, vars=None):
        CountingCursor.statements += 1
        return super().execute(query, vars)


def bench(registry):
    from odoo.addons.xero_connector.models.xero_rate_budget import PgBudgetStore
    from odoo.addons.xero_connector.xero import MemoryBudgetStore, RateLimiter

    clock = {"now": time.time()}

    def connect(store):
        cnx = store._odoo_connect()
        cnx.cursor_factory = CountingCursor
        return cnx

    pg = PgBudgetStore(registry.db_name)
    pg._connect = lambda: connect(pg)
    try:
        for name, store in (("limiter", pg), ("limiter_memory", MemoryBudgetStore())):
            limiter = RateLimiter(store, clock=lambda: clock["now"], sleep=_never)
            tenant = f"bench-{uuid.uuid4()}"
            with limiter.slot(tenant) as call:  # first call creates the row
                call.observe(HEADERS)
            CountingCursor.statements = 0
            start = time.perf_counter()
            for _ in range(CALLS):
                clock["now"] += 1.5
                with limiter.slot(tenant) as call:
                    call.observe(HEADERS)
            elapsed = time.perf_counter() - start
            figure(f"{name}_cost_ms_per_call", elapsed * 1000 / CALLS)
            if store is pg:
                figure(f"{name}_queries_per_call", CountingCursor.statements / CALLS)
                store.reset(tenant)
    finally:
        pg.close()
    return 0


def _never(seconds):
    raise AssertionError(f"the limiter waited {seconds:.2f}s at Xero's own pace")
