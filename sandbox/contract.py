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
from typing import ClassVar

from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.finders import APICallPathFinder
from werkzeug.routing import Map, Rule
from werkzeug.routing.exceptions import HTTPException as RoutingError

from . import fast_validators
from .spec_schemas import ResponseSchemas

log = logging.getLogger("sandbox.contract")

ACCOUNTING_PREFIX = "/api.xro/2.0"
XERO_HOST = "https://api.xero.com"
MEMO_SIZE = 4096
MEMO_MAX_BODY = 64 * 1024


def spec_dir():
    env = os.environ.get("XERO_OPENAPI_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "xero-openapi"


class CachedPathFinder(APICallPathFinder):
    """openapi-core's path finder walks all 138 paths on every call. The sandbox resolves
    the path template itself (``SpecRequest.path_pattern``), so the finder's answer
    depends only on (method, template) and is cached."""

    cache: ClassVar[dict] = {}

    def find(self, method, name):
        key = (id(self.spec), method, name)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = super().find(method, name)
        return found


class SpecRequest:
    def __init__(
        self, path, method, query, headers, body, content_type, pattern=None, path_params=None
    ):
        self.host_url = XERO_HOST
        self.path = path
        if pattern:
            self.path_pattern = pattern
        self.method = method.lower()
        self.parameters = RequestParameters(query=query, header=headers, path=path_params or {})
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

    def __init__(self, enabled=True, directory=None, response_validation="schema"):
        self.response_validation = response_validation
        self.directory = Path(directory) if directory else spec_dir()
        self.enabled = enabled and (self.directory / "xero_accounting.yaml").exists()
        self.violations = []
        self.memo = {}
        self.lock = threading.Lock()
        self.accounting = None
        self.identity = None
        if self.enabled:
            self._load()

    def _load(self):
        import yaml
        from openapi_core import Config, OpenAPI

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        config = Config(
            spec_validator_cls=None,
            path_finder_cls=CachedPathFinder,
            request_validator_cls=fast_validators.RequestValidator,
        )
        with open(self.directory / "xero_accounting.yaml", "rb") as fh:
            accounting = yaml.load(fh, Loader=loader)
        with open(self.directory / "xero-identity.yaml", "rb") as fh:
            identity = yaml.load(fh, Loader=loader)
        self.accounting = OpenAPI.from_dict(accounting, config=config)
        self.identity = OpenAPI.from_dict(identity, config=config)
        self.schemas = {
            id(self.accounting): ResponseSchemas(accounting, "urn:xero:accounting"),
            id(self.identity): ResponseSchemas(identity, "urn:xero:identity"),
        }
        self.ambiguous = self._ambiguous_templates()
        self.templates = {
            id(self.accounting): self._template_map(self.accounting, ACCOUNTING_PREFIX),
            id(self.identity): self._template_map(self.identity, ""),
        }
        with open(self.directory / "xero-webhooks.yaml", "rb") as fh:
            self.webhooks_spec = yaml.load(fh, Loader=loader)
        self.header_params = self._header_params(accounting) | self._header_params(identity)
        self.webhook_validators = {}

    def required_scopes(self, path, method):
        """The OAuth2 scopes the spec lists for this call (any one suffices), or None when
        the spec is absent or does not know the operation."""
        if not self.enabled:
            return None
        api, spec_path = self._target(path)
        if api is not self.accounting:
            return None
        pattern, _ = self._pattern(api, spec_path, method)
        if pattern is None:
            return None
        operation = self.schemas[id(api)].spec["paths"][pattern[len(ACCOUNTING_PREFIX) :]]
        security = (operation.get(method.lower()) or {}).get("security") or []
        scopes = []
        for requirement in security:
            scopes += requirement.get("OAuth2", [])
        return scopes

    @staticmethod
    def _header_params(spec):
        names = set()
        params = list((spec.get("components") or {}).get("parameters", {}).values())
        for item in spec["paths"].values():
            params += item.get("parameters", [])
            for op in item.values():
                if isinstance(op, dict):
                    params += op.get("parameters", [])
        for param in params:
            if param.get("in") == "header":
                names.add(param["name"].lower())
        return names

    def _request_key(self, request):
        """Everything the spec can look at in a request. Validation is a pure function of
        it, so identical requests (polling, benchmarks) reuse the first verdict."""
        body = request.get_data(cache=True)
        if len(body) > MEMO_MAX_BODY:
            return None
        headers = tuple(
            sorted(
                (k.lower(), v)
                for k, v in request.headers.items()
                if k.lower() in self.header_params
            )
        )
        return (
            request.method,
            request.path,
            request.query_string,
            request.content_type,
            headers,
            body,
        )

    @staticmethod
    def _template_map(api, prefix):
        rules = []
        verbs = {"get", "put", "post", "delete", "patch", "head", "options"}
        for template, item in api.spec["paths"].read_value().items():
            rule = re.sub(r"\{([^}]+)\}", r"<\1>", template)
            methods = [m.upper() for m in item if m in verbs]
            rules.append(Rule(prefix + rule, endpoint=prefix + template, methods=methods))
        return Map(rules, strict_slashes=False, merge_slashes=False).bind("api.xero.com")

    def _pattern(self, api, path, method):
        """``(template, path parameters)`` for a concrete path, or ``(None, None)``."""
        try:
            template, values = self.templates[id(api)].match(path, method=method)
        except RoutingError:
            return None, None
        return template, values

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
                regex = (
                    "^"
                    + re.escape(ACCOUNTING_PREFIX)
                    + re.escape(shape).replace(r"\{\}", "[^/]+")
                    + "$"
                )
                patterns.append(re.compile(regex))
        return patterns

    def _target(self, path):
        if path.startswith(ACCOUNTING_PREFIX + "/"):
            return self.accounting, path
        lowered = path.lower()
        if lowered == "/connections" or lowered.startswith("/connections/"):
            return self.identity, "/Connections" + path[len("/connections") :]
        return None, None

    def _spec_request(self, request, path):
        headers = request.headers
        body = request.get_data(cache=True) or None
        ctype = request.content_type
        if body is None and request.method in ("GET", "DELETE"):
            ctype = None
        api, _ = self._target(request.path)
        pattern, values = self._pattern(api, path, request.method)
        return SpecRequest(
            path, request.method, request.args, headers, body, ctype, pattern, values
        )

    def check_request(self, request):
        """Return a list of violation messages for the request (empty when valid)."""
        if not self.enabled:
            return []
        api, path = self._target(request.path)
        if api is None:
            return []
        key = self._request_key(request)
        if key is not None:
            found = self.memo.get(key)
            if found is not None:
                return list(found)
        errors = self._request_errors(request, api, path)
        if key is not None:
            with self.lock:
                if len(self.memo) >= MEMO_SIZE:
                    self.memo.pop(next(iter(self.memo)))
                self.memo[key] = tuple(errors)
        return errors

    def _request_errors(self, request, api, path):
        spec_req = self._spec_request(request, path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            errors = [
                e
                for e in api.request_validator.iter_errors(spec_req)
                if not _is_security(e) and not _only_read_only(e)
            ]
        if errors and spec_req.content_type.startswith("application/octet-stream"):
            # The spec types raw attachment bodies as ``format: byte`` (base64 text) while
            # Xero and its SDKs send the raw bytes; only the parameters are checked then.
            errors = [e for e in errors if "Body" not in type(e).__name__]
        if errors and any(p.match(request.path) for p in self.ambiguous):
            errors = [
                e
                for e in errors
                if type(e).__name__ != "InvalidParameter" or "path parameter" not in str(e)
            ]
        return [_describe(e) for e in errors]

    def check_response(self, request, response):
        if not self.enabled or response.status_code >= 500:
            return []
        api, path = self._target(request.path)
        if api is None:
            return []
        if self.response_validation == "openapi-core":
            errors = self._openapi_core_response_errors(request, path, response)
        else:
            errors = self._schema_response_errors(api, path, request.method, response)
        if errors:
            record = {
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "errors": errors,
            }
            with self.lock:
                self.violations.append(record)
            log.warning("response violates the spec: %s", record)
        return errors

    def _schema_response_errors(self, api, path, method, response):
        pattern, _ = self._pattern(api, path, method)
        if pattern is None:
            return [f"no operation {method} {path} in the spec"]
        prefix = ACCOUNTING_PREFIX if api is self.accounting else ""
        return self.schemas[id(api)].errors(
            pattern[len(prefix) :],
            method,
            response.status_code,
            response.mimetype,
            getattr(response, "sandbox_body", None),
            response.get_data(),
        )

    def _openapi_core_response_errors(self, request, path, response):
        api, _ = self._target(request.path)
        spec_req = self._spec_request(request, path)
        spec_resp = SpecResponse(
            response.status_code, response.get_data(), response.mimetype, dict(response.headers)
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = api.response_validator.iter_errors(spec_req, spec_resp)
            return [_describe(e) for e in found if not _undeclared_status(e)]

    def check_webhook(self, payload, category):
        """Validate an outgoing webhook batch against xero-webhooks.yaml (OpenAPI 3.1)."""
        if not self.enabled:
            return []
        import jsonschema

        name = "CreditNoteWebhookEvent" if category == "CREDITNOTE" else "WebhookEvent"
        validator = self.webhook_validators.get(name)
        if validator is None:
            schema = {
                "$ref": f"#/components/schemas/{name}",
                "components": self.webhooks_spec["components"],
            }
            validator = jsonschema.Draft202012Validator(
                schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
            )
            self.webhook_validators[name] = validator
        errors = [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(payload)
        ]
        if errors:
            record = {"method": "WEBHOOK", "path": category, "status": None, "errors": errors}
            with self.lock:
                self.violations.append(record)
            log.warning("webhook payload violates the spec: %s", record)
        return errors


def _is_security(err):
    return type(err).__name__ in ("SecurityValidationError", "SecurityNotFound", "InvalidSecurity")


def _undeclared_status(err):
    return type(err).__name__ in ("ResponseNotFound",)
