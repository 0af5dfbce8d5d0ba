"""The WSGI application: routing, authentication, rate limits, faults, idempotency,
spec validation and the call log around the Accounting and Identity handlers."""

import hashlib
import logging
import re
import socket
import struct
import threading
import time

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import control, scopes, ui
from .accounting import ROUTES
from .accounting.base import Ctx, XeroError, bad_request, json_response
from .clock import Clock
from .contract import Contract
from .faults import Faults
from .oauth import Identity, forbidden, unauthorized
from .ratelimit import Limits
from .store import State
from .webhooks import Webhooks

log = logging.getLogger("sandbox")
PREFIX = "/api.xro/2.0"
IDEMPOTENCY_MAX = 128
# Xero's edge refuses URLs longer than about 2,090 encoded characters with a 404 that is
# not the Accounting API's answer (XeroAPI/xero-node#404: 52 ids pass, 53 fail;
# Xero-NetStandard#471: "total URL length of >2091"; Xero-Net#280: an IIS 404.15 page).
URL_MAX = 2090
XERO_ORIGIN = "https://api.xero.com"
NOT_FOUND_PAGE = (
    "<!DOCTYPE html><html><head><title>404 - Not Found</title></head><body>"
    "<h1>HTTP Error 404 - Not Found</h1>"
    "<p>The resource you're looking for cannot be found.</p></body></html>"
)
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


class DropConnection(ConnectionResetError):
    """Raised to make the HTTP server drop the connection without a response."""


def _drop(environ, reset):
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            if reset:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.shutdown(socket.SHUT_RDWR)
        except OSError as exc:  # the client may already have gone; nothing to undo
            log.debug("dropping connection: %s", exc)
    raise DropConnection("connection dropped by fault injection")


class SandboxServer:
    def __init__(
        self,
        seed="demo",
        time_scale=1.0,
        min_limit=60,
        day_limit=5000,
        concurrent_limit=5,
        webhook_url=None,
        webhook_key=None,
        validate=True,
        attachment_limit=10 * 1024 * 1024,
        response_validation="schema",
    ):
        self.clock = Clock(time_scale)
        self.state = State(seed)
        self.limits = Limits(self.clock, min_limit, day_limit, concurrent_limit)
        self.faults = Faults()
        self.contract = Contract(enabled=validate, response_validation=response_validation)
        self.webhooks = Webhooks(self.clock, webhook_url, webhook_key, self.contract)
        self.identity = Identity(self)
        self.attachment_limit = attachment_limit
        self.calls = []
        self.calls_lock = threading.Lock()
        self.idem_lock = threading.Lock()
        rules = [
            Rule(PREFIX + path, endpoint=handler, methods=methods)
            for path, methods, handler in ROUTES
        ]
        self.accounting_map = Map(rules, strict_slashes=False, merge_slashes=False)
        self.control_map = Map([Rule(p, endpoint=h, methods=m) for p, m, h in control.ROUTES])

    # ---- WSGI ------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        request = Request(environ)
        path = request.path
        if path.startswith("/_sandbox/"):
            response = self._control(request)
        elif path in ("/", "/ui") or path.startswith("/ui/"):
            response = ui.handle(self, request)
        else:
            response = self._api(request, environ)
        return response(environ, start_response)

    def _control(self, request):
        adapter = self.control_map.bind_to_environ(request.environ)
        try:
            handler, values = adapter.match()
            return handler(self, request, **values)
        except HTTPException as exc:
            return exc.get_response()
        except (ValueError, KeyError, TypeError) as exc:
            return json_response(400, {"error": str(exc)})

    def _api(self, request, environ):
        path, method = request.path, request.method
        fault = self.faults.take(method, path)
        if fault and fault["kind"] == "reset":
            self._log_call(request, 0, None)
            _drop(environ, reset=True)
        if fault and fault["kind"] in ("500", "503"):
            response = self._fault_response(int(fault["kind"]))
            if path.startswith(PREFIX + "/"):
                response.headers.update(self._limit_headers(request))
            self._log_call(request, response.status_code, None)
            return response
        if fault and fault["kind"] == "hang" and not path.startswith(PREFIX + "/"):
            time.sleep(fault["hang_seconds"])
        if fault and fault["kind"] == "429":
            response = json_response(
                429,
                {"Title": "Too Many Requests", "Status": 429, "Detail": "Rate limit exceeded"},
                _retry_headers(fault["problem"], fault["retry_after"]),
            )
            if path.startswith(PREFIX + "/"):
                # the counters stay true: an injected 429 says only "wait retry_after"
                response.headers.update(self._limit_headers(request))
            self.limits.count_refusal("injected")
            self._log_call(request, 429, None)
            return response
        if (fault and fault["kind"] == "404_html") or (
            path.startswith(PREFIX + "/") and self._url_length(request) > URL_MAX
        ):
            response = Response(NOT_FOUND_PAGE, status=404, mimetype="text/html")
            self._log_call(request, 404, None)
            return response
        try:
            if path.startswith(PREFIX + "/"):
                response, tenant = self._accounting(request, fault)
            else:
                response, tenant = self._identity(request), None
        except Exception:
            # answer like Xero's own 500 and keep serving
            log.exception("unhandled error on %s %s", method, path)
            response, tenant = self._fault_response(500), None
        if path.startswith(PREFIX + "/") and "X-DayLimit-Remaining" not in response.headers:
            response.headers.update(self._limit_headers(request))
        self._log_call(request, response.status_code, tenant)
        if fault and fault["kind"] == "lost_response":
            _drop(environ, reset=False)
        return response

    @staticmethod
    def _url_length(request):
        """The length of the URL as Xero would see it (its origin, encoded path, query)."""
        raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
        if not raw:
            raw = request.environ.get("PATH_INFO", "")
            query = request.environ.get("QUERY_STRING")
            raw += "?" + query if query else ""
        return len(XERO_ORIGIN) + len(raw)

    def _limit_headers(self, request):
        """Rate-limit headers for responses produced before the tenant was resolved
        (401, 403, injected faults)."""
        token = self.identity.bearer(request)
        tenant = request.headers.get("xero-tenant-id", "").strip()
        if token is not None and token["tenant_id"] and not tenant:
            tenant = token["tenant_id"]
        if token is None or self.state.org(tenant) is None:
            return {
                "X-MinLimit-Remaining": str(self.limits.min_limit),
                "X-DayLimit-Remaining": str(self.limits.day_limit),
                "X-AppMinLimit-Remaining": str(self.limits.app_min_limit),
            }
        return self.limits.headers(tenant, token["client_id"])

    def _fault_response(self, status):
        if status == 503:
            return Response(
                "The service is currently unavailable", status=503, mimetype="text/plain"
            )
        return json_response(
            500,
            {
                "ErrorNumber": 500,
                "Type": "UnknownErrorException",
                "Message": "An error occurred in Xero. Check the API "
                "Status page http://status.developer.xero.com "
                "for current service status.",
            },
        )

    def _identity(self, request):
        path = request.path
        if path.lower().startswith("/connections"):
            path = "/connections" + path[len("/connections") :]  # the SDK says /Connections
        if path == "/connect/token" and request.method == "POST":
            return self.identity.token(request)
        if path == "/connect/revocation" and request.method == "POST":
            return self.identity.revoke(request)
        if path == "/identity/connect/authorize" and request.method in ("GET", "POST"):
            return self.identity.authorize_page(request)
        if (path == "/connections" and request.method == "GET") or (
            path.startswith("/connections/") and request.method == "DELETE"
        ):
            problems = self.contract.check_request(request)
            if problems:
                return json_response(
                    400, {"Title": "Bad Request", "Status": 400, "Detail": "; ".join(problems)}
                )
            conn_id = path[len("/connections/") :] or None
            response = self.identity.connections(request, conn_id)
            self.contract.check_response(request, response)
            return response
        return Response("Not Found", status=404, mimetype="text/plain")

    # ---- Accounting pipeline -------------------------------------------------------------
    def _accounting(self, request, fault=None):
        token = self.identity.bearer(request)
        if token is None:
            return unauthorized(), None
        tenant = request.headers.get("xero-tenant-id", "").strip().lower()
        if token["tenant_id"] and not tenant:
            tenant = token["tenant_id"]
        org = self.state.org(tenant)
        if org is None or not self.identity.may_access(token, tenant):
            return forbidden(), tenant or None
        problem, retry_after = self.limits.acquire(tenant, token["client_id"])
        if problem:
            headers = _retry_headers(problem, retry_after)
            headers.update(self.limits.headers(tenant, token["client_id"]))
            return Response(
                "Rate limit exceeded", status=429, headers=headers, mimetype="text/plain"
            ), tenant
        if fault and fault["kind"] == "hang":
            request.environ["sandbox.hang"] = fault["hang_seconds"]
        try:
            response = self._dispatch(request, org, token)
        finally:
            self.limits.release(tenant)
        response.headers.update(self.limits.headers(tenant, token["client_id"]))
        return response, tenant

    def _dispatch(self, request, org, token):
        adapter = self.accounting_map.bind_to_environ(request.environ)
        try:
            handler, values = adapter.match()
        except HTTPException as exc:
            if exc.code == 405:
                return Response(
                    f"The requested resource does not support http method '{request.method}'.",
                    status=405,
                    mimetype="text/plain",
                )
            return Response(
                "The resource you're looking for cannot be found", status=404, mimetype="text/plain"
            )
        required = self.contract.required_scopes(request.path, request.method)
        endpoint = request.path[len(PREFIX) + 1 :].split("/", 1)[0]
        if required and not scopes.allowed(
            token["scope"].split(),
            required,
            endpoint,
            request.method,
            request.path[len(PREFIX) + 1 :],
        ):
            return unauthorized("AuthorizationUnsuccessful")
        # Xero's GUIDs are case-insensitive; the store keeps them lower-case
        values = {
            k: v.lower() if isinstance(v, str) and UUID_RE.match(v) else v
            for k, v in values.items()
        }
        problems = self.contract.check_request(request)
        if problems:
            return json_response(
                400,
                {
                    "ErrorNumber": 14,
                    "Type": "PostDataInvalidException",
                    "Message": "Request does not match the Xero API "
                    "specification: " + "; ".join(problems),
                },
            )
        key = request.headers.get("Idempotency-Key")
        if key and request.method in ("PUT", "POST"):
            return self._idempotent(request, org, token, handler, values, key)
        return self._run(request, org, token, handler, values)

    def _run(self, request, org, token, handler, values):
        hang = request.environ.get("sandbox.hang")
        if hang:
            # a slow call: it holds its concurrency slot and its idempotency key while
            # it sleeps, then completes, as a slow Xero call whose client gave up does
            time.sleep(hang)
        ctx = Ctx(self, request, org, token)
        try:
            with self.state.lock:
                response = handler(ctx, **values)
        except XeroError as err:
            if isinstance(err.body, str):
                response = Response(err.body, status=err.status, mimetype=err.content_type)
            else:
                response = json_response(err.status, err.body)
        self.contract.check_response(request, response)
        self.webhooks.enqueue(ctx.events)
        return response

    def _idempotent(self, request, org, token, handler, values, key):
        if len(key) > IDEMPOTENCY_MAX:
            return json_response(
                400,
                bad_request(
                    f"Idempotency-Key must be at most {IDEMPOTENCY_MAX} characters long"
                ).body,
            )
        digest = hashlib.sha256(
            b"\0".join(
                [
                    request.method.encode(),
                    request.path.encode(),
                    request.query_string,
                    request.get_data(cache=True),
                ]
            )
        ).hexdigest()
        slot = (org.tenant_id, token["client_id"], key)
        with self.idem_lock:
            seen = self.state.idempotency.get(slot)
            if seen is None:
                self.state.idempotency[slot] = {"digest": digest, "response": None}
        if seen is not None:
            if seen["digest"] != digest:
                return json_response(
                    400,
                    {
                        "ErrorNumber": 10,
                        "Type": "ValidationException",
                        "Message": "The Idempotency-Key has already been used with a different "
                        "request. Use a new key for a different request.",
                    },
                )
            if seen["response"] is None:
                return json_response(
                    409,
                    {
                        "ErrorNumber": 10,
                        "Type": "ValidationException",
                        "Message": "A request with this Idempotency-Key is still being processed.",
                    },
                )
            status, headers, body = seen["response"]
            response = Response(body, status=status, headers=headers)
            response.headers["Idempotent-Replayed"] = "true"
            return response
        try:
            response = self._run(request, org, token, handler, values)
        except Exception:
            with self.idem_lock:
                self.state.idempotency.pop(slot, None)
            raise
        if response.status_code >= 500:
            with self.idem_lock:
                self.state.idempotency.pop(slot, None)
        else:
            headers = [
                (k, v) for k, v in response.headers.items() if k.lower() in ("content-type",)
            ]
            with self.idem_lock:
                self.state.idempotency[slot]["response"] = (
                    response.status_code,
                    headers,
                    response.get_data(),
                )
        return response

    # ---- call log ------------------------------------------------------------------------
    def _log_call(self, request, status, tenant):
        with self.calls_lock:
            self.calls.append(
                {
                    "seq": len(self.calls) + 1,
                    "method": request.method,
                    "path": request.path,
                    "query": request.query_string.decode("latin-1"),
                    "status": status,
                    "tenant": tenant,
                    "idempotency_key": request.headers.get("Idempotency-Key"),
                    "if_modified_since": request.headers.get("If-Modified-Since"),
                    "ts": self.clock.now_dt().isoformat(),
                }
            )

    def reset(self, seed):
        self.state.reset(seed)
        self.limits.reset()
        self.faults.clear()
        with self.calls_lock:
            self.calls = []
        self.contract.violations.clear()


def _retry_headers(problem, retry_after):
    """A 429's headers: Xero names the limit, and sends Retry-After for minute and day
    refusals only (a concurrency 429 has none)."""
    headers = {"X-Rate-Limit-Problem": problem}
    if problem != "concurrent" and retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return headers
