"""Request context, Xero-shaped responses and the batch write helper shared by handlers."""

import json
import uuid

from werkzeug.wrappers import Response

from ..xdates import ms_date

VALIDATION_MESSAGE = "A validation exception occurred"


class XeroError(Exception):
    """Raised by handlers to answer with a Xero-style error document."""

    def __init__(self, status, body, content_type="application/json"):
        super().__init__(str(body))
        self.status = status
        self.body = body
        self.content_type = content_type


def not_found():
    return XeroError(404, "The resource you're looking for cannot be found", "text/plain")


def validation_error(messages, element=None):
    element = dict(element or {})
    element["ValidationErrors"] = [{"Message": m} for m in messages]
    return XeroError(
        400,
        {
            "ErrorNumber": 10,
            "Type": "ValidationException",
            "Message": VALIDATION_MESSAGE,
            "Elements": [element],
        },
    )


def bad_request(message, number=14, kind="PostDataInvalidException"):
    return XeroError(400, {"ErrorNumber": number, "Type": kind, "Message": message})


def json_response(status, obj, headers=None):
    resp = Response(
        json.dumps(obj), status=status, mimetype="application/json", headers=headers or {}
    )
    resp.sandbox_body = obj
    return resp


class Ctx:
    """Everything a handler needs: parsed request, organisation, clock and event sink."""

    def __init__(self, server, request, org, token=None):
        self.server = server
        self.state = server.state
        self.clock = server.clock
        self.request = request
        self.args = request.args if request is not None else {}
        self.org = org
        self.token = token
        self.events = []
        self._body = None
        self.now = server.clock.now()

    @property
    def body(self):
        if self._body is None and self.request is None:
            self._body = {}
        if self._body is None:
            raw = self.request.get_data(cache=True)
            if not raw:
                self._body = {}
            else:
                try:
                    self._body = json.loads(raw)
                except ValueError:
                    raise bad_request("Invalid JSON in request body") from None
        return self._body

    @property
    def summarize(self):
        return str(self.args.get("summarizeErrors", "true")).lower() != "false"

    @property
    def unitdp(self):
        return 4 if self.args.get("unitdp") == "4" else 2

    def stamp(self):
        return ms_date(self.now)

    def emit(self, category, event_type, resource_id, resource_path, data=None):
        self.events.append(
            {
                "tenant_id": self.org.tenant_id,
                "category": category,
                "type": event_type,
                "resource_id": resource_id,
                "path": resource_path,
                "data": data,
            }
        )


def envelope(ctx, key, items, pagination=None, extra=None):
    body = {
        "Id": str(uuid.uuid4()),
        "Status": "OK",
        "ProviderName": "Xero Sandbox",
        "DateTimeUTC": ctx.stamp(),
    }
    if pagination is not None:
        body["pagination"] = pagination
    if extra:
        body.update(extra)
    body[key] = items
    return body


def items_from_body(ctx, key):
    body = ctx.body
    if isinstance(body, dict) and key in body:
        items = body[key]
    elif isinstance(body, dict) and body:
        items = [body]
    elif isinstance(body, list):
        items = body
    else:
        items = []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise bad_request(f"The request body must contain a list of {key}")
    return items


def run_batch(ctx, key, items, save_one, id_field, render):
    """Apply ``save_one`` to each element the way Xero does.

    ``save_one(ctx, element)`` returns ``(record, errors)``: errors is a list of messages
    (the element is then skipped; nothing of it is stored). Valid elements are stored even
    when others fail. With summarizeErrors=false the answer is 200 with per-element
    status; otherwise a failure anywhere gives 400 ValidationException listing the failed
    elements (the stored ones are not returned, as in Xero).
    """
    results, failed = [], []
    for element in items:
        record, errors = save_one(ctx, element)
        if errors:
            echo = dict(element)
            echo["HasErrors"] = True
            echo["StatusAttributeString"] = "ERROR"
            echo["ValidationErrors"] = [{"Message": m} for m in errors]
            if key == "Contacts":
                echo.pop("HasErrors")
                echo["HasValidationErrors"] = True
            results.append(echo)
            failed.append(echo)
        else:
            out = render(ctx, record)
            out["StatusAttributeString"] = "OK"
            results.append(out)
    if failed and ctx.summarize:
        elements = []
        for echo in failed:
            element = {
                k: v
                for k, v in echo.items()
                if k not in ("HasErrors", "StatusAttributeString", "HasValidationErrors")
            }
            elements.append(element)
        raise XeroError(
            400,
            {
                "ErrorNumber": 10,
                "Type": "ValidationException",
                "Message": VALIDATION_MESSAGE,
                "Elements": elements,
            },
        )
    return json_response(200, envelope(ctx, key, results))
