"""/PurchaseOrders: filters Status, DateFrom, DateTo, page, pageSize (no ``where``)."""

from ..xdates import parse_date
from . import documents as docs
from .base import bad_request, envelope, items_from_body, json_response, not_found, run_batch
from .invoices import update_one
from .query import modified_since, order_records, paginate

KIND = docs.PURCHASE_ORDER
STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED", "BILLED", "DELETED")


def _render(ctx, record):
    return docs.render(ctx, KIND, record)


def get_purchase_orders(ctx):
    args = ctx.args
    records = list(ctx.org.coll("PurchaseOrders").values())
    records = modified_since(records, ctx.request.headers.get("If-Modified-Since"))
    status = args.get("Status")
    if status:
        if status not in STATUSES:
            raise bad_request(f"Status '{status}' is not a valid purchase order status")
        records = [r for r in records if r["Status"] == status]
    else:
        records = [r for r in records if r["Status"] != "DELETED"]
    try:
        start, end = parse_date(args.get("DateFrom")), parse_date(args.get("DateTo"))
    except ValueError as exc:
        raise bad_request(str(exc)) from None
    if start or end:
        records = [r for r in records if docs.in_date_range(r, "Date", start, end)]
    records = order_records(records, args.get("order"), ("UpdatedDateUTC", KIND.id))
    records, pagination = paginate(records, args)
    out = [_render(ctx, r) for r in records]
    return json_response(200, envelope(ctx, "PurchaseOrders", out, pagination))


def get_purchase_order(ctx, purchase_order_id):
    """GET /PurchaseOrders/{PurchaseOrderID} or /PurchaseOrders/{PurchaseOrderNumber}."""
    record = ctx.org.coll("PurchaseOrders").get(purchase_order_id) or next(
        (
            r
            for r in ctx.org.coll("PurchaseOrders").values()
            if r.get("PurchaseOrderNumber") == purchase_order_id
        ),
        None,
    )
    if record is None:
        raise not_found()
    return json_response(200, envelope(ctx, "PurchaseOrders", [_render(ctx, record)]))


def put_purchase_orders(ctx):
    return run_batch(
        ctx,
        "PurchaseOrders",
        items_from_body(ctx, "PurchaseOrders"),
        lambda c, e: docs.save(c, KIND, e, "create"),
        KIND.id,
        _render,
    )


def post_purchase_orders(ctx):
    return run_batch(
        ctx,
        "PurchaseOrders",
        items_from_body(ctx, "PurchaseOrders"),
        lambda c, e: docs.save(c, KIND, e, "upsert"),
        KIND.id,
        _render,
    )


def post_purchase_order(ctx, purchase_order_id):
    return update_one(ctx, KIND, "PurchaseOrders", purchase_order_id, _render)


ROUTES = [
    ("/PurchaseOrders", ["GET"], get_purchase_orders),
    ("/PurchaseOrders", ["PUT"], put_purchase_orders),
    ("/PurchaseOrders", ["POST"], post_purchase_orders),
    ("/PurchaseOrders/<purchase_order_id>", ["GET"], get_purchase_order),
    ("/PurchaseOrders/<purchase_order_id>", ["POST"], post_purchase_order),
]
