"""TrackingCategories and their Options: list, get, create category, add options.
Xero allows at most two active tracking categories per organisation."""

import uuid

from .base import envelope, json_response, not_found, validation_error
from .query import compile_where, order_records

MAX_ACTIVE = 2


def _rows(ctx, categories, include):
    out = []
    for cat in categories:
        if cat["Status"] != "ACTIVE" and not include:
            continue
        row = dict(cat)
        row["Options"] = [
            dict(o) for o in cat.get("Options", []) if include or o.get("Status") == "ACTIVE"
        ]
        out.append(row)
    return out


def get_tracking_categories(ctx):
    include = ctx.args.get("includeArchived", "").lower() == "true"
    records = list(ctx.org.coll("TrackingCategories").values())
    if ctx.args.get("where"):
        pred = compile_where(ctx.args["where"])
        records = [r for r in records if pred(r)]
    records = order_records(records, ctx.args.get("order"), ("Name",))
    return json_response(200, envelope(ctx, "TrackingCategories", _rows(ctx, records, include)))


def get_tracking_category(ctx, category_id):
    cat = ctx.org.coll("TrackingCategories").get(category_id)
    if cat is None:
        raise not_found()
    return json_response(200, envelope(ctx, "TrackingCategories", _rows(ctx, [cat], True)))


def put_tracking_category(ctx):
    element = ctx.body if isinstance(ctx.body, dict) else {}
    name = (element.get("Name") or "").strip()
    cats = ctx.org.coll("TrackingCategories")
    errors = []
    if not name:
        errors.append("Tracking category name must be specified")
    elif any(c["Name"].lower() == name.lower() and c["Status"] != "DELETED" for c in cats.values()):
        errors.append(f"The tracking category name '{name}' is already in use")
    if sum(1 for c in cats.values() if c["Status"] == "ACTIVE") >= MAX_ACTIVE:
        errors.append("You can only have 2 active tracking categories")
    if errors:
        raise validation_error(errors, element)
    cat = {"TrackingCategoryID": str(uuid.uuid4()), "Name": name, "Status": "ACTIVE", "Options": []}
    cats[cat["TrackingCategoryID"]] = cat
    return json_response(200, envelope(ctx, "TrackingCategories", _rows(ctx, [cat], True)))


def put_options(ctx, category_id):
    cat = ctx.org.coll("TrackingCategories").get(category_id)
    if cat is None:
        raise not_found()
    body = ctx.body if isinstance(ctx.body, dict) else {}
    items = body.get("Options") or ([body] if body.get("Name") else [])
    if not items:
        raise validation_error(["At least one tracking option must be specified"])
    created = []
    for element in items:
        name = (element.get("Name") or "").strip()
        if not name:
            raise validation_error(["Tracking option name must be specified"], element)
        if any(o["Name"].lower() == name.lower() for o in cat["Options"]):
            raise validation_error(
                [f"The tracking option name '{name}' is already in use"], element
            )
        option = {
            "TrackingOptionID": str(uuid.uuid4()),
            "Name": name,
            "Status": "ACTIVE",
            "TrackingCategoryID": category_id,
        }
        cat["Options"].append(option)
        created.append(dict(option))
    return json_response(200, envelope(ctx, "Options", created))


ROUTES = [
    ("/TrackingCategories", ["GET"], get_tracking_categories),
    ("/TrackingCategories", ["PUT"], put_tracking_category),
    ("/TrackingCategories/<category_id>", ["GET"], get_tracking_category),
    ("/TrackingCategories/<category_id>/Options", ["PUT"], put_options),
]
