"""A small HTML page at / listing organisations and documents, with an Approve button
on drafts and documents awaiting approval and a Pay button on approved unpaid ones (they
post to the control API)."""

import html

from werkzeug.wrappers import Response

STYLE = (
    "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}"
    "td,th{border:1px solid #ccc;padding:4px 8px}.PAID{color:green}.VOIDED,.DELETED"
    "{color:#999}"
)


def _row(tenant_id, doc, kind, number_key, id_key):
    esc = html.escape
    button = ""
    if kind == "Invoices" and doc.get("Status") == "AUTHORISED" and doc.get("AmountDue", 0) > 0:
        button = (
            f'<form method="post" action="/_sandbox/orgs/{tenant_id}/pay">'
            f'<input type="hidden" name="InvoiceID" value="{doc[id_key]}">'
            '<input type="hidden" name="AccountCode" value="090">'
            f'<button type="submit">Pay {doc.get("AmountDue")}</button></form>'
        )
    if doc.get("Status") in ("DRAFT", "SUBMITTED") and kind in (
        "Invoices",
        "CreditNotes",
        "PurchaseOrders",
    ):
        button = (
            f'<form method="post" action="/_sandbox/orgs/{tenant_id}/approve">'
            f'<input type="hidden" name="Collection" value="{kind}">'
            f'<input type="hidden" name="ID" value="{doc[id_key]}">'
            '<button type="submit">Approve</button></form>'
        )
    return (
        f"<tr><td>{esc(kind)}</td><td>{esc(str(doc.get('Type', '')))}</td>"
        f"<td>{esc(str(doc.get(number_key) or ''))}</td>"
        f"<td>{esc(doc.get('Contact', {}).get('Name', ''))}</td>"
        f'<td class="{esc(doc.get("Status", ""))}">{esc(doc.get("Status", ""))}</td>'
        f"<td>{doc.get('Total', '')}</td><td>{doc.get('AmountDue', '')}</td>"
        f"<td>{button}</td></tr>"
    )


def handle(server, request):
    parts = [
        (
            f"<!doctype html><html><head><title>Xero Sandbox</title><style>{STYLE}</style>"
            "</head><body><h1>Xero Sandbox</h1>"
        )
    ]
    with server.state.lock:
        for org in server.state.orgs.values():
            parts.append(
                f"<h2>{html.escape(org.name)}</h2><p>Tenant <code>{org.tenant_id}"
                f"</code> &middot; {len(org.coll('Contacts'))} contacts &middot; "
                f"{len(org.coll('Accounts'))} accounts</p>"
            )
            parts.append(
                "<table><tr><th>Document</th><th>Type</th><th>Number</th>"
                "<th>Contact</th><th>Status</th><th>Total</th><th>Due</th><th></th>"
                "</tr>"
            )
            for kind, number_key, id_key in (
                ("Invoices", "InvoiceNumber", "InvoiceID"),
                ("CreditNotes", "CreditNoteNumber", "CreditNoteID"),
                ("PurchaseOrders", "PurchaseOrderNumber", "PurchaseOrderID"),
            ):
                for doc in org.coll(kind).values():
                    parts.append(_row(org.tenant_id, doc, kind, number_key, id_key))
            parts.append("</table>")
    parts.append("</body></html>")
    return Response("".join(parts), mimetype="text/html")
