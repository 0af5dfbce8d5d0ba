"""One HTTP exchange through the SDK's ApiClient, and how Xero's answers map to errors."""

import contextlib
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode

import urllib3
from xero_python.exceptions import ApiException, HTTPStatusException

from .errors import (
    ReconnectNeeded,
    XeroAuthError,
    XeroNotFound,
    XeroRateLimited,
    XeroResponseError,
    XeroTransientError,
    XeroUnclearNotFound,
    XeroValidationError,
)
from .limiter import concurrent_backoff


@dataclass
class Response:
    """What came back from Xero: status, headers (case-insensitive) and raw body."""

    status: int
    headers: dict = field(default_factory=dict)
    data: bytes = b""

    def header(self, name, default=None):
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return default


def perform(
    api_client,
    method,
    url,
    *,
    query=None,
    headers=None,
    body=None,
    timeout=None,
    authenticated=True,
):
    """Send one request, no retries. Returns a ``Response`` whatever the HTTP status.

    Network failures raise ``XeroTransientError``; ``maybe_committed`` tells whether the
    request may have been processed (the response was lost or timed out).
    """
    try:
        raw = api_client.call_api(
            url,
            method,
            query_params=list(query or []),
            header_params=dict(headers or {}),
            body=body,
            auth_settings=["OAuth2"] if authenticated else None,
            _return_http_data_only=True,
            _preload_content=False,
            _request_timeout=timeout,
        )
        try:
            return Response(raw.status, dict(raw.headers.items()), raw.data or b"")
        finally:
            raw.release_conn()
    except HTTPStatusException as exc:
        resp = exc.http_resp
        headers = resp.urllib3_response.headers
        return Response(resp.status, dict(headers.items()), resp.data or b"")
    except urllib3.exceptions.ReadTimeoutError:
        raise XeroTransientError("timed out waiting for Xero", maybe_committed=True) from None
    except (urllib3.exceptions.ConnectTimeoutError, urllib3.exceptions.NewConnectionError):
        raise XeroTransientError("could not connect to Xero") from None
    except (urllib3.exceptions.ProtocolError, urllib3.exceptions.IncompleteRead) as exc:
        raise XeroTransientError(
            f"connection closed before the answer was complete ({type(exc).__name__})",
            maybe_committed=True,
        ) from None
    except urllib3.exceptions.HTTPError as exc:
        raise XeroTransientError(
            f"network error ({type(exc).__name__})", maybe_committed=True
        ) from None
    except OSError as exc:  # a socket error urllib3 did not wrap
        raise XeroTransientError(
            f"network error ({type(exc).__name__})", maybe_committed=True
        ) from None
    except ApiException as exc:  # SSL problems, unpreparable requests
        raise XeroResponseError("request failed: %s" % (exc.reason or exc.status)) from None


def parse_json(resp):
    """Decode a JSON body into plain Python (numbers as Decimal) or raise XeroResponseError."""
    data = resp.data or b""
    if not data.strip():
        return None
    text = data.decode("utf-8", errors="replace").lstrip()
    if text.startswith("<"):
        raise XeroResponseError(
            f"an HTML page came back instead of data (HTTP {resp.status})",
            status=resp.status,
            detail=text[:500],
        )
    try:
        return json.loads(text, parse_float=Decimal)
    except ValueError:
        raise XeroResponseError(
            f"the answer was cut off or is not valid JSON (HTTP {resp.status}, {len(data)} bytes)",
            status=resp.status,
            detail=text[:500],
        ) from None


def is_html(resp):
    """True when the answer is a web page rather than the API's own answer."""
    ctype = (resp.header("Content-Type") or "").lower()
    start = (resp.data or b"")[:200].lstrip().lower()
    return "html" in ctype or start.startswith(b"<")


def encoded_url_length(url, query=None):
    """Length of ``url`` with ``query`` as the SDK sends it (urlencode, UTF-8)."""
    if not query:
        return len(url)
    return len(url) + 1 + len(urlencode(list(query)))


def xero_messages(payload):
    """Collect the human messages from a Xero error body (any of its shapes)."""
    if not isinstance(payload, dict):
        return []
    messages = []
    for element in payload.get("Elements") or []:
        for err in (element or {}).get("ValidationErrors") or []:
            if err.get("Message") and err["Message"] not in messages:
                messages.append(err["Message"])
    if not messages:
        for key in ("error_description", "Detail", "Message", "Title", "error"):
            if payload.get(key):
                messages.append(str(payload[key]))
                break
    return messages


def retry_at_from(resp, now=None):
    """When a 429 may be retried: Retry-After (seconds or HTTP date). Xero sends none
    with a concurrency 429 (too many calls at once): retry in a few seconds then.
    Without either, wait a minute."""
    now = time.time() if now is None else now
    value = resp.header("Retry-After")
    problem = (resp.header("X-Rate-Limit-Problem") or "").lower()
    seconds = concurrent_backoff() if problem == "concurrent" else 60.0
    if value:
        try:
            seconds = float(value)
        except ValueError:
            with contextlib.suppress(TypeError, ValueError):
                seconds = parsedate_to_datetime(value).timestamp() - now
    return now + max(0.0, seconds)


def error_for(resp, what="request", now=None, single=False):
    """Return the XeroError matching a non-2xx response (never raises itself).

    ``single``: the request was for one record, on a URL Xero accepts; only then is a
    404 that is not an HTML page a ``XeroNotFound`` (the record is gone).
    """
    exc = _error_for(resp, what, now, single)
    with contextlib.suppress(XeroResponseError):
        exc.payload = parse_json(resp)
    return exc


def _error_for(resp, what, now, single=False):
    status = resp.status
    try:
        payload = parse_json(resp)
        messages = xero_messages(payload)
    except XeroResponseError:
        payload, messages = None, []
    text = "; ".join(messages)
    detail = (resp.data or b"")[:2000].decode("utf-8", errors="replace")
    if status == 400:
        if isinstance(payload, dict) and payload.get("error") == "invalid_grant":
            return ReconnectNeeded(
                "Xero refused the refresh token (invalid_grant)", status=status, detail=detail
            )
        if payload is None:
            return XeroResponseError(
                "HTTP 400 with an unreadable body", status=status, detail=detail
            )
        return XeroValidationError(messages, status=status, detail=detail)
    if status == 401:
        return ReconnectNeeded(
            "Xero no longer accepts the access (%s)" % (text or "401"), status=status, detail=detail
        )
    if status == 403:
        return XeroAuthError(
            f"Xero refused access to this organisation ({text or '403'})",
            status=status,
            detail=detail,
        )
    if status == 404:
        if single and not is_html(resp):
            return XeroNotFound(text or what, status=status, detail=detail)
        kind = "an HTML page" if is_html(resp) else "not a single record"
        return XeroUnclearNotFound(f"HTTP 404 for {what}, {kind}", status=status, detail=detail)
    if status == 409:  # the same Idempotency-Key is still being processed by Xero
        return XeroTransientError(
            f"Xero is still processing this request ({text or '409'})",
            status=status,
            detail=detail,
            maybe_committed=True,
        )
    if status == 429:
        problem = resp.header("X-Rate-Limit-Problem") or "minute"
        return XeroRateLimited(
            retry_at_from(resp, now), problem.lower(), status=status, detail=detail
        )
    if status >= 500:
        kind = "an HTML error page" if detail.lstrip().startswith("<") else (text or "no detail")
        return XeroTransientError(
            f"Xero server error {status}: {kind}",
            status=status,
            detail=detail,
            maybe_committed=True,
        )
    return XeroResponseError(
        "unexpected HTTP {}: {}".format(status, text or "no detail"), status=status, detail=detail
    )


def utc_header_date(value):
    """Format If-Modified-Since as the SDK does: ISO 8601 in UTC with its offset.

    Naive datetimes are taken as UTC (Odoo stores UTC); a date means its midnight UTC.
    """
    if isinstance(value, str):
        return value
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0).isoformat()
