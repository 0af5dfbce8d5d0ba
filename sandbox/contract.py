"""Validation of every request and response against Xero's official OpenAPI spec.

The spec folder is ``$XERO_OPENAPI_DIR`` or ``<repo root>/../shared/xero-openapi``. It is
parsed and compiled once; the spec's own validation is switched off (it has known defects).
Requests that violate the spec are refused with 400; responses that violate it are recorded
as violations and logged.
"""

import logging
import os
import re
import threading
import warnings
from pathlib import Path

from openapi_core.datatypes import RequestParameters

log = logging.getLogger("sandbox.contract")

ACCOUNTING_PREFIX = "/api.xro/2.0"
XERO_HOST = "https://api.xero.com"


def spec_dir():
    env = os.environ.get("XERO_OPENAPI_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "xero-openapi"


class SpecRequest:
    def __init__(self, path, method, query, headers, body, content_type):
        self.host_url = XERO_HOST
        self.path = path
        self.method = method.lower()
        self.parameters = RequestParameters(query=query, header=headers)
        self.body = body
        self.content_type = content_type or "application/json"


class SpecResponse:
    def __init__(self, status, data, content_type, headers):
        self.status_code = status
        self.data = data
        self.content_type = content_type or "application/json"
        self.headers = headers


READ_ONLY = "Tried to write read-only property"


def _schema_errors(err):
    cause = err.__cause__
    while cause is not None:
        found = getattr(cause, "schema_errors", None)
        if found:
            return list(found)
        cause = cause.__cause__
    return []


def _only_read_only(err):
    """OpenAPI 3.0 says read-only properties SHOULD NOT be sent; Xero ignores them and the
    official SDK always sends some (HasAttachments, HasErrors...). They are not refused."""
    found = _schema_errors(err)
    return bool(found) and all(se.message.startswith(READ_ONLY) for se in found)


def _describe(err):
    parts = [str(err)]
    cause = err.__cause__
    while cause is not None:
        schema_errors = getattr(cause, "schema_errors", None)
        if schema_errors:
            schema_errors = [se for se in schema_errors if not se.message.startswith(READ_ONLY)]
            for se in list(schema_errors)[:5]:
                where = "/".join(str(p) for p in se.absolute_path)
                parts.append(f"{where or '<body>'}: {se.message}")
            break
        if str(cause) and str(cause) not in parts:
            parts.append(str(cause))
        cause = cause.__cause__
    return "; ".join(parts)


class Contract:
    """Loads the specs lazily-once and validates requests/responses."""

    def __init__(self, enabled=True, directory=None):
        self.directory = Path(directory) if directory else spec_dir()
        self.enabled = enabled and (self.directory / "xero_accounting.yaml").exists()
        self.violations = []
        self.lock = threading.Lock()
        self.accounting = None
        self.identity = None
        if self.enabled:
            self._load()

    def _load(self):
        import yaml
        from openapi_core import Config, OpenAPI

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        config = Config(spec_validator_cls=None)
        with open(self.directory / "xero_accounting.yaml", "rb") as fh:
            self.accounting = OpenAPI.from_dict(yaml.load(fh, Loader=loader), config=config)
        with open(self.directory / "xero-identity.yaml", "rb") as fh:
            self.identity = OpenAPI.from_dict(yaml.load(fh, Loader=loader), config=config)
        self.ambiguous = self._ambiguous_templates()
        with open(self.directory / "xero-webhooks.yaml", "rb") as fh:
            self.webhooks_spec = yaml.load(fh, Loader=loader)
        self.webhook_validators = {}

    def _ambiguous_templates(self):
        """Path templates that differ only in a parameter name, such as
        /PurchaseOrders/{PurchaseOrderID} and /PurchaseOrders/{PurchaseOrderNumber}.
        openapi-core picks the first one, so a valid request for the other one would
        fail its format check; such path-parameter errors are not held against it."""
        shapes = {}
        for template in self.accounting.spec["paths"].keys():  # noqa: SIM118 - SchemaPath
            shape = re.sub(r"\{[^}]+\}", "{}", template)
            shapes.setdefault(shape, []).append(template)
        patterns = []
        for shape, templates in shapes.items():
            if len(templates) > 1:
                regex = "^" + re.escape(ACCOUNTING_PREFIX) + re.escape(shape).replace(
                    r"\{\}", "[^/]+") + "$"
                patterns.append(re.compile(regex))
        return patterns

    def _target(self, path):
        if path.startswith(ACCOUNTING_PREFIX + "/"):
            return self.accounting, path
        lowered = path.lower()
        if lowered == "/connections" or lowered.startswith("/connections/"):
            return self.identity, "/Connections" + path[len("/connections"):]
        return None, None

    def _spec_request(self, request, path):
        headers = request.headers
        body = request.get_data(cache=True) or None
        ctype = request.content_type
        if body is None and request.method in ("GET", "DELETE"):
            ctype = None
        return SpecRequest(path, request.method, request.args, headers, body, ctype)

    def check_request(self, request):
        """Return a list of violation messages for the request (empty when valid)."""
        if not self.enabled:
            return []
        api, path = self._target(request.path)
        if api is None:
            return []
        spec_req = self._spec_request(request, path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            errors = [e for e in api.request_validator.iter_errors(spec_req)
                      if not _is_security(e) and not _only_read_only(e)]
        if errors and spec_req.content_type.startswith("application/octet-stream"):
            # The spec types raw attachment bodies as ``format: byte`` (base64 text) while
            # Xero and its SDKs send the raw bytes; only the parameters are checked then.
            errors = [e for e in errors if "Body" not in type(e).__name__]
        if errors and any(p.match(request.path) for p in self.ambiguous):
            errors = [e for e in errors if type(e).__name__ != "InvalidParameter"
                      or "path parameter" not in str(e)]
        return [_describe(e) for e in errors]

    def check_response(self, request, response):
        if not self.enabled or response.status_code >= 500:
            return []
        api, path = self._target(request.path)
        if api is None:
            return []
        spec_req = self._spec_request(request, path)
        spec_resp = SpecResponse(response.status_code, response.get_data(),
                                 response.mimetype, dict(response.headers))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = api.response_validator.iter_errors(spec_req, spec_resp)
            errors = [_describe(e) for e in found if not _undeclared_status(e)]
        if errors:
            record = {"method": request.method, "path": request.path,
                      "status": response.status_code, "errors": errors}
            with self.lock:
                self.violations.append(record)
            log.warning("response violates the spec: %s", record)
        return errors


    def check_webhook(self, payload, category):
        """Validate an outgoing webhook batch against xero-webhooks.yaml (OpenAPI 3.1)."""
        if not self.enabled:
            return []
        import jsonschema

        name = "CreditNoteWebhookEvent" if category == "CREDITNOTE" else "WebhookEvent"
        validator = self.webhook_validators.get(name)
        if validator is None:
            schema = {"$ref": f"#/components/schemas/{name}",
                      "components": self.webhooks_spec["components"]}
            validator = jsonschema.Draft202012Validator(
                schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
            self.webhook_validators[name] = validator
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in validator.iter_errors(payload)]
        if errors:
            record = {"method": "WEBHOOK", "path": category, "status": None, "errors": errors}
            with self.lock:
                self.violations.append(record)
            log.warning("webhook payload violates the spec: %s", record)
        return errors


def _is_security(err):
    return type(err).__name__ in ("SecurityValidationError", "SecurityNotFound",
                                  "InvalidSecurity")


def _undeclared_status(err):
    return type(err).__name__ in ("ResponseNotFound",)
