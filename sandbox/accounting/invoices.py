"""/Invoices: list and filters, get one, PUT create, POST update-or-create, POST by id."""

from . import documents as docs
from .base import envelope, items_from_body, json_response, not_found, run_batch
from .query import compile_where, csv_param, modified_since, order_records, paginate

KIND = docs.INVOICE


def _render(ctx, record):
    return docs.render(ctx, KIND, record)


def list_documents(ctx, kind, where_ok=True):
    records = list(ctx.org.coll(kind.coll).values())
    args = ctx.args
    records = modified_since(records, ctx.request.headers.get("If-Modified-Since"))
    ids = csv_param(args, "IDs")
    if ids:
        wanted = {i.lower() for i in ids}
        records = [r for r in records if r[kind.id].lower() in wanted]
    numbers = csv_param(args, "InvoiceNumbers")
    if numbers:
        records = [r for r in records if r.get(kind.number) in numbers]
    contact_ids = csv_param(args, "ContactIDs")
    if contact_ids:
        wanted = {i.lower() for i in contact_ids}
        records = [r for r in records if r["Contact"]["ContactID"].lower() in wanted]
    statuses = csv_param(args, "Statuses")
    if statuses:
        records = [r for r in records if r["Status"] in statuses]
    if args.get("includeArchived", "").lower() != "true" and not statuses:
        records = [r for r in records if r["Status"] != "DELETED"]
    term = (args.get("searchTerm") or "").lower()
    if term:
        records = [
            r
            for r in records
            if term in (r.get(kind.number) or "").lower()
            or term in (r.get("Reference") or "").lower()
            or term in r["Contact"].get("Name", "").lower()
        ]
    if where_ok and args.get("where"):
        pred = compile_where(args["where"])
        records = [r for r in records if pred(r)]
    return order_records(records, args.get("order"), ("UpdatedDateUTC", kind.id))


def get_invoices(ctx):
    records = list_documents(ctx, KIND)
    paged = ctx.args.get("page") is not None or bool(ctx.args.get("Statuses"))
    if paged and ctx.args.get("page") is None:
        args = dict(ctx.args)
        args["page"] = "1"
    else:
        args = ctx.args
    records, pagination = paginate(records, args)
    summary = ctx.args.get("summaryOnly", "").lower() == "true"
    out = [
        docs.render(ctx, KIND, r, with_lines=pagination is not None and not summary)
        for r in records
    ]
    return json_response(200, envelope(ctx, "Invoices", out, pagination))


def get_invoice(ctx, invoice_id):
    record = ctx.org.coll("Invoices").get(invoice_id)
    if record is None:
        match = [
            r for r in ctx.org.coll("Invoices").values() if r.get("InvoiceNumber") == invoice_id
        ]
        if not match:
            raise not_found()
        record = match[0]
    return json_response(200, envelope(ctx, "Invoices", [_render(ctx, record)]))


def put_invoices(ctx):
    items = items_from_body(ctx, "Invoices")
    return run_batch(
        ctx, "Invoices", items, lambda c, e: docs.save(c, KIND, e, "create"), KIND.id, _render
    )


def post_invoices(ctx):
    items = items_from_body(ctx, "Invoices")
    return run_batch(
        ctx, "Invoices", items, lambda c, e: docs.save(c, KIND, e, "upsert"), KIND.id, _render
    )


def post_invoice(ctx, invoice_id):
    return update_one(ctx, KIND, "Invoices", invoice_id, _render)


def update_one(ctx, kind, key, doc_id, render):
    if doc_id not in ctx.org.coll(kind.coll):
        raise not_found()
    items = items_from_body(ctx, key)
    for item in items:
        item[kind.id] = doc_id
    return run_batch(
        ctx, key, items[:1], lambda c, e: docs.save(c, kind, e, "update"), kind.id, render
    )


ROUTES = [
    ("/Invoices", ["GET"], get_invoices),
    ("/Invoices", ["PUT"], put_invoices),
    ("/Invoices", ["POST"], post_invoices),
    ("/Invoices/<invoice_id>", ["GET"], get_invoice),
    ("/Invoices/<invoice_id>", ["POST"], post_invoice),
]
