"""The sandbox control API under /_sandbox/ (JSON, no auth): clock, faults, calls, state,
limits, apps, webhooks and spec violations."""

import json
from datetime import UTC, datetime

from werkzeug.wrappers import Response

from .accounting import payments_pay
from .store import COLLECTIONS, ID_FIELDS


def _json(obj, status=200):
    return Response(json.dumps(obj, default=str), status=status, mimetype="application/json")


def _body(request):
    raw = request.get_data(cache=True)
    return json.loads(raw) if raw else {}


def clock(server, request):
    if request.method == "POST":
        body = _body(request)
        if "advance" in body:
            server.clock.advance(float(body["advance"]))
        if "set" in body:
            server.clock.set(body["set"])
        if "time_scale" in body:
            server.clock.set_scale(body["time_scale"])
    return _json(server.clock.to_json())


def faults(server, request):
    if request.method == "POST":
        body = _body(request)
        specs = body if isinstance(body, list) else [body]
        added = [server.faults.add(spec) for spec in specs]
        return _json({"added": added, "faults": server.faults.to_json()})
    if request.method == "DELETE":
        server.faults.clear()
    return _json(server.faults.to_json())


def calls(server, request):
    since = int(request.args.get("since", 0))
    with server.calls_lock:
        rows = [c for c in server.calls if c["seq"] > since]
    return _json(rows)


def orgs(server, request):
    with server.state.lock:
        rows = [
            {
                "tenant_id": o.tenant_id,
                "name": o.name,
                "base_currency": o.info.get("BaseCurrency"),
                "counts": {c: len(o.coll(c)) for c in COLLECTIONS},
            }
            for o in server.state.orgs.values()
        ]
    return _json(rows)


def org_collection(server, request, tenant_id, collection):
    org = server.state.org(tenant_id)
    if org is None:
        return _json({"error": f"unknown tenant {tenant_id}"}, 404)
    if collection == "Organisation":
        if request.method == "POST":  # e.g. another country for a test
            with server.state.lock:
                org.info.update(_body(request))
        return _json(org.info)
    if collection == "History":
        return _json(org.history)
    if collection == "Attachments":
        return _json(
            {doc: [a["meta"] for a in files.values()] for doc, files in org.attachments.items()}
        )
    if collection not in ID_FIELDS:
        return _json({"error": f"unknown collection {collection}"}, 404)
    with server.state.lock:
        if request.method == "POST":
            body = _body(request)
            rows = body if isinstance(body, list) else body.get(collection, [body])
            key = ID_FIELDS[collection]
            out = []
            for row in rows:
                current = org.coll(collection).get(row.get(key))
                merged = dict(current or {}, **row)
                if key not in merged:
                    return _json({"error": f"{key} is required"}, 400)
                merged["UpdatedDateUTC"] = _stamp(server)
                org.coll(collection)[merged[key]] = merged
                out.append(merged)
            return _json(out)
        return _json(list(org.coll(collection).values()))


def _stamp(server):
    from .xdates import ms_date

    return ms_date(server.clock.now())


def pay(server, request, tenant_id):
    body = _body(request) if request.mimetype == "application/json" else dict(request.form)
    org = server.state.org(tenant_id)
    if org is None:
        return _json({"error": f"unknown tenant {tenant_id}"}, 404)
    if isinstance(body, list):  # many payments at once (benchmarks): one answer each
        answers = []
        for row in body:
            result, errors = payments_pay(server, org, row)
            answers.append({"errors": errors} if errors else result)
        return _json(answers)
    result, errors = payments_pay(server, org, body)
    if request.mimetype != "application/json" and request.form:
        return Response(status=303, headers={"Location": "/"})
    if errors:
        return _json({"errors": errors}, 400)
    return _json(result)


APPROVABLE = {
    "Invoices": ("InvoiceID", "INVOICE"),
    "CreditNotes": ("CreditNoteID", "CREDITNOTE"),
    "PurchaseOrders": ("PurchaseOrderID", None),
}


def approve(server, request, tenant_id):
    """Approve a draft or awaiting-approval document as a Xero user would (HTML page and
    tests): it becomes AUTHORISED, and Xero's webhook tells the app."""
    from .accounting.base import Ctx

    form = request.mimetype != "application/json"
    body = dict(request.form) if form else _body(request)
    org = server.state.org(tenant_id)
    collection = body.get("Collection", "Invoices")
    if org is None or collection not in APPROVABLE:
        return _json({"error": "unknown organisation or collection"}, 404)
    key, category = APPROVABLE[collection]
    ctx = Ctx(server, None, org)
    with server.state.lock:
        doc = org.coll(collection).get(body.get("ID"))
        if doc is None or doc.get("Status") not in ("DRAFT", "SUBMITTED"):
            return _json(
                {"error": "only a draft or awaiting-approval document can be approved"}, 400
            )
        doc["Status"] = "AUTHORISED"
        doc["UpdatedDateUTC"] = _stamp(server)
        if category:
            ctx.emit(category, "UPDATE", doc[key], collection)
    server.webhooks.enqueue(ctx.events)
    if form:
        return Response(status=303, headers={"Location": "/"})
    return _json(doc)


def violations(server, request):
    if request.method == "DELETE":
        server.contract.violations.clear()
    return _json(list(server.contract.violations))


def reset(server, request):
    body = _body(request)
    server.reset(body.get("seed", "demo"))
    return _json({"ok": True, "seed": server.state.seed})


def apps(server, request):
    if request.method == "POST":
        body = _body(request)
        if not body.get("client_id"):
            return _json({"error": "client_id is required"}, 400)
        app = {
            "client_id": body["client_id"],
            "client_secret": body.get("client_secret", ""),
            "name": body.get("name", body["client_id"]),
            "kind": body.get("kind", "standard"),
            # the day the app was created at developer.xero.com (default: today)
            "created": body.get("created") or datetime.now(UTC).date().isoformat(),
        }
        if body.get("scopes"):
            app["scopes"] = body["scopes"]
        if app["kind"] == "custom":
            app["tenant_id"] = body.get("tenant_id") or next(iter(server.state.orgs))
        with server.state.lock:
            server.state.apps[app["client_id"]] = app
        return _json(app)
    return _json(list(server.state.apps.values()))


def limits(server, request):
    if request.method == "POST":
        body = _body(request)
        server.limits.configure(
            body.get("min_limit"),
            body.get("day_limit"),
            body.get("concurrent_limit"),
            body.get("app_min_limit"),
        )
        if body.get("reset"):
            server.limits.reset()
    return _json(server.limits.to_json())


def webhooks(server, request):
    if request.method == "POST":
        body = _body(request)
        server.webhooks.configure(body.get("url"), body.get("key"))
    return _json(server.webhooks.to_json())


def webhooks_intent(server, request):
    body = _body(request)
    return _json(server.webhooks.intent_to_receive(body.get("url"), body.get("key")))


def attachment_limit(server, request):
    if request.method == "POST":
        server.attachment_limit = int(_body(request)["max_bytes"])
    return _json({"max_bytes": server.attachment_limit})


def idempotency(server, request):
    """DELETE: forget every stored Idempotency-Key, as Xero does after its (undocumented)
    retention: a later call with the same key is processed again."""
    with server.idem_lock:
        if request.method == "DELETE":
            server.state.idempotency.clear()
        count = len(server.state.idempotency)
    return _json({"keys": count})


ROUTES = [
    ("/_sandbox/clock", ["GET", "POST"], clock),
    ("/_sandbox/faults", ["GET", "POST", "DELETE"], faults),
    ("/_sandbox/calls", ["GET"], calls),
    ("/_sandbox/orgs", ["GET"], orgs),
    ("/_sandbox/orgs/<tenant_id>/pay", ["POST"], pay),
    ("/_sandbox/orgs/<tenant_id>/approve", ["POST"], approve),
    ("/_sandbox/orgs/<tenant_id>/<collection>", ["GET", "POST"], org_collection),
    ("/_sandbox/violations", ["GET", "DELETE"], violations),
    ("/_sandbox/reset", ["POST"], reset),
    ("/_sandbox/apps", ["GET", "POST"], apps),
    ("/_sandbox/limits", ["GET", "POST"], limits),
    ("/_sandbox/webhooks", ["GET", "POST"], webhooks),
    ("/_sandbox/webhooks/intent", ["POST"], webhooks_intent),
    ("/_sandbox/attachments/limit", ["GET", "POST"], attachment_limit),
    ("/_sandbox/idempotency", ["GET", "DELETE"], idempotency),
]
