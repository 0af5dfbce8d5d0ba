"""Point the demo company at the local Xero sandbox (run inside `odoo-bin shell`).

Each `make demo` starts a fresh sandbox, so the company starts "not connected": the
person connects it through the sandbox's consent page, as with a real Xero.
"""

import os

SANDBOX_URL = os.environ["XC_SANDBOX_URL"]
ODOO_URL = os.environ["XC_ODOO_URL"]
WEBHOOK_KEY = os.environ["XC_WEBHOOK_KEY"]

env = env  # noqa: F821 - provided by odoo-bin shell
company = env.ref("base.main_company")
# Only a system administrator may let connections use a Xero Endpoint other than Xero
# itself (here: the local sandbox).
env["ir.config_parameter"].sudo().set_param("xero_connector.sandbox_mode", "1")
connection = env["xero.connection"]._get_or_create_for_company(company)
connection.write(
    {
        "client_id": "sandbox-client-id",
        "client_secret": "sandbox-client-secret",
        "endpoint_url": SANDBOX_URL,
        "webhook_key": WEBHOOK_KEY,
        "state": "draft",
        "state_reason": False,
        "token_data": False,
        "tenant_id": False,
        "tenant_name": False,
    }
)
# The sandbox starts empty of this company's traces at every `make demo`: forget the
# links, Xero ids and sync marks of the previous run so that nothing points into it.
cr = env.cr
cr.execute("DELETE FROM xero_link WHERE connection_id = %s", [connection.id])
cr.execute("DELETE FROM xero_sync_state WHERE connection_id = %s", [connection.id])
cr.execute("DELETE FROM xero_bank_account WHERE connection_id = %s", [connection.id])
for table in ("account_move", "purchase_order"):
    cr.execute(
        f"""UPDATE {table}
               SET xero_state = 'not_sent', xero_id = NULL, xero_number = NULL,
                   xero_status = NULL, xero_error = NULL, xero_warning = NULL,
                   xero_pending_key = NULL, xero_retry_at = NULL, xero_attempt_at = NULL,
                   xero_connection_id = NULL
             WHERE xero_connection_id = %s OR xero_state <> 'not_sent'""",
        [connection.id],
    )
cr.execute("UPDATE account_move_line SET xero_line_id = NULL WHERE xero_line_id IS NOT NULL")
cr.execute("UPDATE purchase_order_line SET xero_line_id = NULL WHERE xero_line_id IS NOT NULL")
cr.execute(
    "UPDATE account_payment SET xero_payment_id = NULL, xero_push_state = 'not_sent'"
    " WHERE xero_payment_id IS NOT NULL"
)
env.invalidate_all()

company.write(
    {
        "xero_export_purchase_order": True,
        "xero_export_vendor_bill": True,
        "xero_document_status": "SUBMITTED",
        "xero_purchase_account_code": "429",  # General Expenses in the demo chart
    }
)

params = env["ir.config_parameter"].sudo()
params.set_param("web.base.url", ODOO_URL)
params.set_param("web.base.url.freeze", "True")

# A bill that cannot go to Xero as it is: its tax exists only in Odoo. The error
# banner says so; changing the tax and resending fixes it.
Tax = env["account.tax"].with_company(company)
TaxGroup = env["account.tax.group"].with_company(company)
levy_group = TaxGroup.search(
    [("name", "=", "Eco levy 3%"), ("company_id", "=", company.id)], limit=1
) or TaxGroup.create({"name": "Eco levy 3%", "company_id": company.id})
levy = Tax.search([("name", "=", "Eco levy 3% (Odoo only)")], limit=1) or Tax.create(
    {"name": "Eco levy 3% (Odoo only)", "amount": 3, "type_tax_use": "purchase"}
)
levy.tax_group_id = levy_group  # its own group, not "Tax 15%"
Move = env["account.move"].with_company(company)
# Draft bills to post in step 3 of the demo (Odoo's demo data has none to post).
purchase_tax = company.account_purchase_tax_id
for ref, partner, lines in (
    ("DEMO-BILL-1", "base.res_partner_1", [("Office chairs", 4, 89.0), ("Desk lamps", 6, 24.5)]),
    ("DEMO-BILL-2", "base.res_partner_2", [("Printer toner", 3, 46.2)]),
):
    if not Move.search([("ref", "=", ref)], limit=1):
        Move.create(
            {
                "move_type": "in_invoice",
                "partner_id": env.ref(partner).id,
                "ref": ref,
                "invoice_date": env.cr.now().date(),
                "invoice_line_ids": [
                    (
                        0,
                        0,
                        {
                            "name": name,
                            "quantity": qty,
                            "price_unit": price,
                            "tax_ids": [(6, 0, purchase_tax.ids)],
                        },
                    )
                    for name, qty, price in lines
                ],
            }
        )
if not Move.search([("ref", "=", "DEMO-TAX-NOT-IN-XERO")], limit=1):
    Move.create(
        {
            "move_type": "in_invoice",
            "partner_id": env.ref("base.res_partner_12").id,
            "ref": "DEMO-TAX-NOT-IN-XERO",
            "invoice_date": env.cr.now().date(),
            "invoice_line_ids": [
                (
                    0,
                    0,
                    {
                        "name": "Recycled paper (tax only known to Odoo)",
                        "quantity": 10,
                        "price_unit": 12.5,
                        "tax_ids": [(6, 0, levy.ids)],
                    },
                )
            ],
        }
    )
env.cr.commit()
print("demo setup done")
