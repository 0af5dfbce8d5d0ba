"""Payments benchmark: 2,000 payments made in Xero on bills Odoo sent there, pulled
into Odoo by the payments sync cron (changes since the last run, paged)."""

import os

from common import DEMO_TENANT, Meter, figure, note, profiled

from odoo import SUPERUSER_ID, api

PAYMENTS = int(os.environ.get("XC_BENCH_PAYMENTS", 2000))


def pay_in_xero(sandbox, registry, count):
    """Approve ``count`` bills Odoo sent and pay each in full in the sandbox."""
    with registry.cursor() as cr:
        cr.execute(
            """SELECT xero_id FROM account_move
                WHERE xero_state = 'sent' AND move_type = 'in_invoice'
                ORDER BY id LIMIT %s""",
            [count],
        )
        ids = [row[0] for row in cr.fetchall()]
    for start in range(0, len(ids), 500):
        rows = [{"InvoiceID": xid, "Status": "AUTHORISED"} for xid in ids[start : start + 500]]
        sandbox.put_records(DEMO_TENANT, "Invoices", rows)
    for xero_id in ids:
        sandbox.pay(DEMO_TENANT, xero_id, account_code="090")
    return len(ids)


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


def bench(registry, sandbox, waits, connection_id):
    paid = pay_in_xero(sandbox, registry, PAYMENTS)
    note(f"{paid} bills paid in the sandbox")
    with Meter(sandbox, waits) as m:
        profiled(run_sync, registry)
    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM account_payment WHERE xero_payment_id IS NOT NULL")
        pulled = cr.fetchone()[0]
    note(f"payments: {pulled} pulled, {len(m.calls)} calls, wall {m.wall:.1f} s")
    figure("payments_pulled", pulled)
    figure("payments_sync_2k_seconds", m.xero_seconds * 2000 / max(1, pulled))
    figure("payments_sync_calls", len(m.accepted_calls))
    figure("payments_sync_queries_per_payment", m.queries / max(1, pulled))
    figure("payments_sync_cpu_ms_per_payment", m.cpu * 1000 / max(1, pulled))
    return m.refused
