"""Payments and statuses benchmark: bills Odoo sent to Xero, approved and paid there, read
back by the payments sync cron (changes since the last run, pages of 1,000).

- status: 5,000 exported bills approved in Xero, their status refreshed in Odoo;
- 2k: 2,000 of them paid in full in Xero, the payments pulled;
- 20k: 2,000 others paid in ten parts each (20,000 payments), pulled, with the peak
  memory growth of the process.

Needs bills sent to Xero: those of the export phase when it ran, else made and exported
here (same bills, same export cron). Run alone with ``make bench ARGS=payments``."""

import os
import threading
import time
from decimal import Decimal

from common import DEMO_TENANT, Meter, figure, note, profiled

from odoo import SUPERUSER_ID, api

PAYMENTS = int(os.environ.get("XC_BENCH_PAYMENTS", 2000))
PAYMENTS_20K = int(os.environ.get("XC_BENCH_PAYMENTS_20K", 20000))
STATUS_DOCS = int(os.environ.get("XC_BENCH_STATUS_DOCS", 5000))
PARTS = 10  # payments per bill in the 20k run


class PeakRss:
    """Peak resident memory of this process over a block, sampled, above its start."""

    def __init__(self, every=0.05):
        self.every = every
        self.page = os.sysconf("SC_PAGE_SIZE")

    def rss(self):
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * self.page

    def _watch(self):
        while not self.stop.wait(self.every):
            self.peak = max(self.peak, self.rss())

    def __enter__(self):
        self.start = self.peak = self.rss()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.peak = max(self.peak, self.rss())

    @property
    def growth_mb(self):
        return (self.peak - self.start) / 2**20


def sent_bills(registry, connection_id):
    """[(xero_id, amount_total)] of the bills Odoo sent to Xero, oldest first."""
    with registry.cursor() as cr:
        cr.execute(
            """SELECT xero_id, amount_total FROM account_move
                WHERE xero_state = 'sent' AND move_type = 'in_invoice'
                  AND xero_connection_id = %s
                ORDER BY id""",
            [connection_id],
        )
        return cr.fetchall()


def ensure_bills(registry, sandbox, waits, connection_id, count):
    """At least ``count`` bills sent to Xero (awaiting approval there)."""
    missing = count - len(sent_bills(registry, connection_id))
    if missing <= 0:
        return
    import export_docs

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        tax = env["account.tax"].search([("name", "=", "Bench Purchase 15%")], limit=1)
        if tax:  # the export phase ran: its accounts, taxes and suppliers are linked
            expense = env["account.account"].browse(
                env["xero.link"].search([("xero_code", "=", "300")], limit=1).res_id
            )
            suppliers = env["res.partner"].search([("name", "=like", "Bench Supplier %")])
        else:
            connection = env["xero.connection"].browse(connection_id)
            expense, tax, _product, suppliers = export_docs.setup_master_data(
                env, sandbox, connection, suppliers=200
            )
        ids = (expense.id, tax.id, suppliers.ids)
    t0 = time.monotonic()
    export_docs.make_bills(registry, *ids, count=missing)
    note(f"{missing} bills posted in {time.monotonic() - t0:.0f} s")
    t0 = time.monotonic()
    export_docs.run_cron(registry, "account.move")
    note(f"... and sent to Xero in {time.monotonic() - t0:.0f} s")


def run_sync(registry):
    runs = 0
    while True:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            sync = env["xero.payment.sync"]
            connection = env["xero.connection"].search([("state", "=", "connected")], limit=1)
            more = sync._xero_sync_connection(connection)
        runs += 1
        if not more:
            return runs
        if runs > 200:
            raise RuntimeError("payments sync does not finish")


def pulled_payments(registry):
    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM account_payment WHERE xero_origin = 'xero'")
        return cr.fetchone()[0]


def paid_bills(registry, xero_ids):
    with registry.cursor() as cr:
        cr.execute(
            "SELECT count(*) FROM account_move WHERE xero_id IN %s AND payment_state = 'paid'",
            [tuple(xero_ids)],
        )
        return cr.fetchone()[0]


def payment_calls(calls):
    return [c for c in calls if c["path"].endswith("/Payments") and c["status"] != 429]


def pay(sandbox, rows):
    for start in range(0, len(rows), 1000):
        answers = sandbox.pay_many(DEMO_TENANT, rows[start : start + 1000])
        refused = [a for a in answers if "errors" in a]
        if refused:
            raise RuntimeError(f"the sandbox refused payments: {refused[:3]}")
    sandbox.advance(5)  # as approvals above: not all in the cursor's last second


class SqlShapes:
    """XC_BENCH_SQL=1: count the queries of a block by shape (literals removed) and
    print the most frequent to stderr."""

    def __enter__(self):
        import collections
        import re

        from odoo import sql_db

        self.counts = collections.Counter()
        self.enabled = bool(os.environ.get("XC_BENCH_SQL"))
        if not self.enabled:
            return self
        literal = re.compile(r"'[^']*'|\b\d+\b|%s")
        original = self.original = sql_db.Cursor.execute
        counts = self.counts

        def execute(cur, query, params=None, log_exceptions=True):
            text = query.code if hasattr(query, "code") else str(query)
            counts[literal.sub("?", " ".join(text.split()))[:160]] += 1
            return original(cur, query, params, log_exceptions)

        sql_db.Cursor.execute = execute
        return self

    def __exit__(self, *exc):
        if not self.enabled:
            return
        from odoo import sql_db

        sql_db.Cursor.execute = self.original
        for shape, count in self.counts.most_common(40):
            note(f"{count:7d}  {shape}")


def measure_sync(registry, sandbox, waits):
    before = pulled_payments(registry)
    with PeakRss() as rss, Meter(sandbox, waits) as m, SqlShapes():
        runs = profiled(run_sync, registry)
    paths = {}
    for call in m.accepted_calls:
        name = call["path"].rsplit("/", 1)[-1]
        paths[name] = paths.get(name, 0) + 1
    note(f"calls: {paths}")
    return m, rss, runs, pulled_payments(registry) - before


def bench(registry, sandbox, waits, connection_id):
    refused = 0
    ensure_bills(registry, sandbox, waits, connection_id, STATUS_DOCS)
    bills = sent_bills(registry, connection_id)
    # The first run reads what Xero holds already and sets the cursors.
    with Meter(sandbox, waits) as m:
        run_sync(registry)
    refused += m.refused
    note(f"first sync: {len(m.calls)} calls, wall {m.wall:.1f} s")

    # Statuses: the bills approved in Xero.
    status_ids = [xero_id for xero_id, _total in bills[:STATUS_DOCS]]
    for start in range(0, len(status_ids), 500):
        rows = [{"InvoiceID": x, "Status": "AUTHORISED"} for x in status_ids[start : start + 500]]
        sandbox.put_records(DEMO_TENANT, "Invoices", rows)
    # People take more than a second to approve 5,000 bills: the cursor's one-second
    # margin would otherwise read all of them again in the next run.
    sandbox.advance(5)
    m, _rss, _runs, _n = measure_sync(registry, sandbox, waits)
    with registry.cursor() as cr:
        cr.execute(
            "SELECT count(*) FROM account_move WHERE xero_id IN %s AND xero_status = 'AUTHORISED'",
            [tuple(status_ids)],
        )
        approved = cr.fetchone()[0]
    note(f"statuses: {approved} approved in Odoo, {len(m.calls)} calls, wall {m.wall:.1f} s")
    figure("status_refresh_5k_docs", approved)
    figure("status_refresh_5k_calls", len(m.accepted_calls))
    figure("status_refresh_5k_seconds", m.xero_seconds * 5000 / max(1, approved))
    figure("status_refresh_cpu_ms_per_doc", m.cpu * 1000 / max(1, approved))
    refused += m.refused

    # 2,000 payments: bills paid in full in Xero.
    paid = bills[:PAYMENTS]
    pay(sandbox, [{"InvoiceID": x, "AccountCode": "090"} for x, _total in paid])
    m, _rss, runs, pulled = measure_sync(registry, sandbox, waits)
    settled = paid_bills(registry, [x for x, _t in paid])
    note(
        f"payments: {pulled} pulled ({settled} bills paid), {len(m.calls)} calls in {runs} "
        f"runs, wall {m.wall:.1f} s, CPU {m.cpu:.1f} s, {m.queries} queries"
    )
    figure("payments_pulled", pulled)
    figure("payments_sync_2k_seconds", m.xero_seconds * 2000 / max(1, pulled))
    figure("payments_queries_per_payment", m.queries / max(1, pulled))
    figure("payments_cpu_ms_per_payment", m.cpu * 1000 / max(1, pulled))
    figure("payments_sync_calls", len(payment_calls(m.calls)))
    figure("payments_sync_all_calls", len(m.accepted_calls))
    refused += m.refused

    # 20,000 payments: other bills paid in ten parts each.
    if PAYMENTS_20K:
        count = PAYMENTS_20K // PARTS
        split = bills[PAYMENTS : PAYMENTS + count]
        rows = []
        for xero_id, total in split:
            part = (Decimal(str(total)) / PARTS).quantize(Decimal("0.01"))
            last = Decimal(str(total)) - part * (PARTS - 1)
            rows.extend(
                {"InvoiceID": xero_id, "AccountCode": "090", "Amount": float(amount)}
                for amount in [part] * (PARTS - 1) + [last]
            )
        pay(sandbox, rows)
        m, rss, runs, pulled = measure_sync(registry, sandbox, waits)
        settled = paid_bills(registry, [x for x, _t in split])
        note(
            f"payments 20k: {pulled} pulled ({settled} bills paid), {len(m.calls)} calls in "
            f"{runs} runs, wall {m.wall:.1f} s, CPU {m.cpu:.1f} s, {m.queries} queries, "
            f"RSS {rss.start / 2**20:.0f} MB -> peak {rss.peak / 2**20:.0f} MB"
        )
        figure("payments_20k_pulled", pulled)
        figure("payments_20k_seconds", m.xero_seconds * 20000 / max(1, pulled))
        figure("payments_20k_peak_rss_mb", rss.growth_mb)
        figure("payments_20k_cpu_ms_per_payment", m.cpu * 1000 / max(1, pulled))
        figure("payments_20k_queries_per_payment", m.queries / max(1, pulled))
        figure("payments_20k_calls", len(payment_calls(m.calls)))
        refused += m.refused
    return refused
