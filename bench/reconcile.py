"""Reconciliation benchmark: a month of 10,000 vendor bills in Odoo and in Xero (1% of
them edited in Xero, 1% in Xero only, 1% in Odoo only), reconciled by one run."""

import copy
import os
import time
import uuid
from datetime import timedelta

from common import DEMO_TENANT, Meter, figure, note, profiled

from odoo import SUPERUSER_ID, Command, api, fields

DOCS = int(os.environ.get("XC_BENCH_RECON_DOCS", 10000))
PUT_CHUNK = 1000


def bench_day():
    """A day two months back: the period holds this phase's documents only."""
    return fields.Date.today().replace(day=1) - timedelta(days=45)


def period():
    day = bench_day()
    start = day.replace(day=1)
    return start, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def make_bills(registry, expense, tax, suppliers, count, batch=500):
    today = bench_day()
    for start in range(0, count, batch):
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            vals = [
                {
                    "move_type": "in_invoice",
                    "partner_id": suppliers[i % len(suppliers)],
                    "invoice_date": today,
                    "ref": f"REC-{i:05d}",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Paper",
                                "quantity": 1,
                                "price_unit": 100.0,
                                "account_id": expense,
                                "tax_ids": [Command.set([tax])],
                            }
                        )
                    ],
                }
                for i in range(start, min(count, start + batch))
            ]
            env["account.move"].create(vals).action_post()


def template_bill(registry, connection_id):
    """One bill as the sandbox stores it, created through the API."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        connection = env["xero.connection"].browse(connection_id)
        bill = env["account.move"].search(
            [("move_type", "=", "in_invoice"), ("ref", "=like", "REC-%")], limit=1
        )
        contact = env["xero.link"]._xero_ids(connection, bill.partner_id, "contact")
        payload = {
            "Type": "ACCPAY",
            "Status": "AUTHORISED",
            "Date": str(bill.invoice_date),
            "InvoiceNumber": "TEMPLATE",
            "Contact": {"ContactID": contact.get(bill.partner_id.id)}
            if contact
            else {"Name": bill.partner_id.name},
            "LineItems": [
                {
                    "Description": "Paper",
                    "Quantity": 1,
                    "UnitAmount": 100,
                    "AccountCode": "300",
                    "TaxType": "INPUT",
                }
            ],
        }
        result = connection._client().send_batch("invoices", [("template", payload)])[0]
        if not result.ok:
            raise RuntimeError(f"template bill refused: {result.errors}")
        return result.xero_id


def mirror_in_xero(registry, sandbox, connection_id, template_id):
    """Every Odoo bill but the last 1% in Xero (same totals), linked by its Xero id; 1%
    of them edited in Xero; 1% more in Xero only."""
    stored = next(
        r for r in sandbox.records(DEMO_TENANT, "Invoices") if r["InvoiceID"] == template_id
    )
    with registry.cursor() as cr:
        cr.execute(
            "SELECT id FROM account_move WHERE move_type = 'in_invoice' AND state = 'posted' "
            "AND ref LIKE 'REC-%%' ORDER BY id"
        )
        ids = [row[0] for row in cr.fetchall()]
    odoo_only = max(1, len(ids) // 100)
    sent = ids[: len(ids) - odoo_only]
    rows, links = [], []
    for n, move_id in enumerate(sent):
        xero_id = str(uuid.uuid4())
        row = copy.deepcopy(stored)
        row.update(InvoiceID=xero_id, InvoiceNumber=f"REC-{n:05d}")
        if n % 100 == 7:  # edited in Xero after it was sent
            row.update(Total=126.5, TotalTax=16.5, AmountDue=126.5)
        rows.append(row)
        links.append((xero_id, move_id))
    for n in range(odoo_only):  # created in Xero
        row = copy.deepcopy(stored)
        row.update(InvoiceID=str(uuid.uuid4()), InvoiceNumber=f"XERO-{n:05d}")
        rows.append(row)
    for start in range(0, len(rows), PUT_CHUNK):
        sandbox.put_records(DEMO_TENANT, "Invoices", rows[start : start + PUT_CHUNK])
    sandbox.put_records(DEMO_TENANT, "Invoices", [{"InvoiceID": template_id, "Status": "DELETED"}])
    with registry.cursor() as cr:
        cr.execute("CREATE TEMP TABLE bench_links (xero_id varchar, move_id int)")
        cr.executemany("INSERT INTO bench_links VALUES (%s, %s)", links)
        cr.execute(
            """UPDATE account_move m
                  SET xero_id = l.xero_id, xero_state = 'sent', xero_status = 'AUTHORISED',
                      xero_connection_id = %s
                 FROM bench_links l WHERE l.move_id = m.id""",
            [connection_id],
        )
        cr.execute(
            "UPDATE account_move SET xero_state = 'not_sent' WHERE move_type = 'in_invoice' "
            "AND xero_id IS NULL AND ref LIKE 'REC-%%'"
        )
    return len(sent), odoo_only


def bench(registry, sandbox, waits, connection_id):
    from export_docs import setup_master_data

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        connection = env["xero.connection"].browse(connection_id)
        expense, tax, _product, suppliers = setup_master_data(env, sandbox, connection, 50)
        env.company.xero_vendor_bill_mode = "manual"
        ids = (expense.id, tax.id, suppliers.ids)
    expense, tax, suppliers = ids
    t0 = time.monotonic()
    make_bills(registry, expense, tax, suppliers, DOCS)
    note(f"{DOCS} bills posted in {time.monotonic() - t0:.0f} s")
    template_id = template_bill(registry, connection_id)
    sent, odoo_only = mirror_in_xero(registry, sandbox, connection_id, template_id)
    note(f"{sent} bills mirrored in Xero, {odoo_only} in Odoo only")
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        start, end = period()
        run_id = env["xero.reconciliation"].create({"date_from": start, "date_to": end}).id
    with Meter(sandbox, waits) as m, registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        run = env["xero.reconciliation"].browse(run_id)
        profiled(run._run)
        result = (
            run.state,
            run.match_count,
            run.differ_count,
            run.odoo_only_count,
            run.xero_only_count,
            run.error_message,
        )
    note(
        f"reconciliation: {result}; {len(m.calls)} calls, wall {m.wall:.1f} s, "
        f"waited {m.waited:.1f} s, {m.queries} queries"
    )
    figure("reconcile_10k_docs_seconds", m.xero_seconds * 10000 / max(1, DOCS))
    figure("reconcile_10k_docs_cpu_seconds", m.cpu * 10000 / max(1, DOCS))
    figure("reconcile_10k_docs_queries", m.queries * 10000 / max(1, DOCS))
    figure("reconcile_10k_docs_calls", len(m.accepted_calls))
    figure("reconcile_results_equal_different_odoo_xero", "/".join(map(str, result[1:5])))
    return m.refused
