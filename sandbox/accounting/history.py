"""History and notes: GET/PUT/POST /{Endpoint}/{Guid}/History."""

from .base import envelope, items_from_body, json_response, not_found, validation_error

ENDPOINTS = {
    "Invoices": "Invoices",
    "PurchaseOrders": "PurchaseOrders",
    "CreditNotes": "CreditNotes",
    "Contacts": "Contacts",
    "Payments": "Payments",
    "Items": "Items",
}
MAX_DETAILS = 250


def _document(ctx, endpoint, doc_id):
    coll = ENDPOINTS.get(endpoint)
    if coll is None or doc_id not in ctx.org.coll(coll):
        raise not_found()
    return doc_id


def get_history(ctx, endpoint, doc_id):
    _document(ctx, endpoint, doc_id)
    rows = [dict(r) for r in ctx.org.history.get(doc_id, [])]
    return json_response(200, envelope(ctx, "HistoryRecords", rows))


def add_history(ctx, endpoint, doc_id):
    _document(ctx, endpoint, doc_id)
    items = items_from_body(ctx, "HistoryRecords")
    if not items:
        raise validation_error(["At least one history record must be specified"])
    out = []
    for element in items:
        details = (element.get("Details") or "").strip()
        if not details:
            raise validation_error(["The Details of a history record must be specified"], element)
        if len(details) > MAX_DETAILS:
            raise validation_error(
                [(f"The Details of a history record must be {MAX_DETAILS} characters or fewer")],
                element,
            )
    for element in items:
        row = {
            "Details": element["Details"].strip(),
            "DateUTC": ctx.stamp(),
            "User": "System Generated",
            "Changes": "Note",
        }
        ctx.org.history.setdefault(doc_id, []).append(row)
        out.append(dict(row))
    return json_response(200, envelope(ctx, "HistoryRecords", out))


ROUTES = [
    (
        (
            "/<any(Invoices,PurchaseOrders,CreditNotes,Contacts,Payments,Items):endpoint>"
            "/<doc_id>/History"
        ),
        ["GET"],
        get_history,
    ),
    (
        (
            "/<any(Invoices,PurchaseOrders,CreditNotes,Contacts,Payments,Items):endpoint>"
            "/<doc_id>/History"
        ),
        ["PUT", "POST"],
        add_history,
    ),
]
