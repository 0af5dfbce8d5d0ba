"""Export benchmark: 2,000 posted vendor bills (3 lines each, 500 suppliers not yet in
Xero), then 1,000 approved purchase orders, through the export crons."""

import os
import time

from common import DEMO_TENANT, Meter, figure, note, profiled

from odoo import SUPERUSER_ID, Command, api, fields

BILLS = int(os.environ.get("XC_BENCH_BILLS", 2000))
POS = int(os.environ.get("XC_BENCH_POS", 1000))
SUPPLIERS = int(os.environ.get("XC_BENCH_SUPPLIERS", 500))


def setup_master_data(env, sandbox, connection, suppliers=SUPPLIERS):
    """Accounts, taxes and a product linked as the import wizard links them."""
    company = env.company
    company.write(
        {
            "xero_export_purchase_order": True,
            "xero_export_vendor_bill": True,
            "xero_document_status": "SUBMITTED",
        }
    )
    accounts = {a["Code"]: a["AccountID"] for a in sandbox.records(DEMO_TENANT, "Accounts")}
    items = {i["Code"]: i["ItemID"] for i in sandbox.records(DEMO_TENANT, "Items")}
    Link = env["xero.link"]
    expense = env["account.account"].search(
        [("company_ids", "in", company.id), ("account_type", "=", "expense")], limit=1
    )
    Link._set(connection, expense, "account", accounts["300"], xero_code="300")
    tax = env["account.tax"].create(
        {"name": "Bench Purchase 15%", "amount": 15, "type_tax_use": "purchase"}
    )
    Link._set(connection, tax, "tax", "INPUT", xero_code="INPUT")
    product = env["product.product"].create(
        {
            "name": "A4 Copier Paper (box)",
            "type": "consu",
            "standard_price": 24.5,
            "property_account_expense_id": expense.id,
            "supplier_taxes_id": [Command.set(tax.ids)],
        }
    )
    Link._set(connection, product, "item", items["PAPER-A4"], xero_code="PAPER-A4")
    suppliers = env["res.partner"].create(
        [{"name": f"Bench Supplier {i:04d} Ltd", "is_company": True} for i in range(suppliers)]
    )
    return expense, tax, product, suppliers


def make_bills(registry, expense, tax, suppliers, count=BILLS, batch=100):
    today = fields.Date.today()
    for start in range(0, count, batch):
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            vals = []
            for i in range(start, min(count, start + batch)):
                vals.append(
                    {
                        "move_type": "in_invoice",
                        "partner_id": suppliers[i % len(suppliers)],
                        "invoice_date": today,
                        "ref": f"SUP-{i:05d}",
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "name": f"Line {n}",
                                    "quantity": n + 1,
                                    "price_unit": 10.0 * (n + 1),
                                    "account_id": expense,
                                    "tax_ids": [Command.set([tax])],
                                }
                            )
                            for n in range(3)
                        ],
                    }
                )
            env["account.move"].create(vals).action_post()


def make_pos(registry, product, suppliers, count=POS, batch=100):
    for start in range(0, count, batch):
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            vals = [
                {
                    "partner_id": suppliers[i % len(suppliers)],
                    "order_line": [
                        Command.create({"product_id": product, "product_qty": n + 1})
                        for n in range(3)
                    ],
                }
                for i in range(start, min(count, start + batch))
            ]
            env["purchase.order"].create(vals).button_confirm()


def run_cron(registry, model):
    """Run the export cron the way the cron worker does until nothing is left."""
    done, runs = 0, 0
    while True:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            n = env[model]._cron_xero_export()
            left = env[model].search_count([("xero_state", "=", "queued")])
        done += n
        runs += 1
        if not left:
            return done
        if not n:
            time.sleep(0.5)  # postponed (rate limit): the cron would run again later
        if runs > 1000:
            raise RuntimeError(f"{model}: export does not finish ({left} queued)")


def states(registry, model):
    with registry.cursor() as cr:
        cr.execute(f"SELECT xero_state, count(*) FROM {model.replace('.', '_')} GROUP BY 1")
        return dict(cr.fetchall())


def bench(registry, sandbox, waits, connection_id):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        connection = env["xero.connection"].browse(connection_id)
        expense, tax, product, suppliers = setup_master_data(env, sandbox, connection)
        ids = (expense.id, tax.id, product.id, suppliers.ids)
    expense, tax, product, suppliers = ids
    t0 = time.monotonic()
    make_bills(registry, expense, tax, suppliers)
    note(f"{BILLS} bills posted in {time.monotonic() - t0:.0f} s")
    with Meter(sandbox, waits) as m:
        profiled(run_cron, registry, "account.move")
    st = states(registry, "account.move")
    note(f"bills: {st}; {len(m.calls)} calls, wall {m.wall:.1f} s, waited {m.waited:.1f} s")
    sent = st.get("sent", 0)
    figure("export_bills_sent", sent)
    figure("export_bills_calls", len(m.accepted_calls))
    figure("export_bills_docs_per_call", sent / max(1, len(m.accepted_calls)))
    figure("export_bills_queries_per_doc", m.queries / max(1, sent))
    figure("export_bills_cpu_ms_per_doc", m.cpu * 1000 / max(1, sent))
    figure("export_bills_docs_per_minute", sent * 60 / m.xero_seconds)
    refused = m.refused

    t0 = time.monotonic()
    make_pos(registry, product, suppliers)
    note(f"{POS} purchase orders approved in {time.monotonic() - t0:.0f} s")
    with Meter(sandbox, waits) as m:
        run_cron(registry, "purchase.order")
    st = states(registry, "purchase.order")
    note(f"POs: {st}; {len(m.calls)} calls, wall {m.wall:.1f} s, waited {m.waited:.1f} s")
    sent = st.get("sent", 0)
    figure("export_pos_sent", sent)
    figure("export_pos_calls", len(m.accepted_calls))
    figure("export_pos_docs_per_call", sent / max(1, len(m.accepted_calls)))
    figure("export_pos_queries_per_doc", m.queries / max(1, sent))
    figure("export_pos_cpu_ms_per_doc", m.cpu * 1000 / max(1, sent))
    figure("export_pos_docs_per_minute", sent * 60 / m.xero_seconds)
    return refused + m.refused
