"""``XeroClient``: every call the addon makes to one Xero organisation.

It wraps the xero-python SDK's ApiClient (see ``sdk.py``) and adds what production needs:
token refresh through a locking store, a per-organisation rate budget, bounded retries
of transient failures with a stable Idempotency-Key on every write, Xero errors turned
into ``errors.py`` exceptions, and one ``log_sink(event)`` call per HTTP attempt.

The log sink is given once, at construction. Which records a call concerns is said per
call: ``client.concerning(refs)`` is the same client whose calls are logged against
``refs`` (opaque references, e.g. ``("account.move", 42)``), and each element of
``send_batch`` may carry its own reference, so that every chunk is logged against exactly
the elements it holds.

Answers are plain dicts of Xero's JSON (PascalCase keys, numbers as ``Decimal``): no SDK
model deserialisation, so an enum value Xero adds tomorrow cannot crash a sync.
"""

import copy
import json
import logging
import random
import re
import time

from . import limiter as limiter_mod
from .endpoints import EndpointsMixin, PeriodReadsMixin
from .errors import (
    ReconnectNeeded,
    XeroError,
    XeroRateLimited,
    XeroRequestTooLong,
    XeroTransientError,
)
from .masking import mask
from .oauth import XERO_API_URL, XERO_IDENTITY_URL, XeroOAuth
from .sdk import build_api_client, int_timeout
from .token_store import needs_refresh
from .transport import encoded_url_length, error_for, parse_json, perform

_logger = logging.getLogger(__name__)
ACCOUNTING_PATH = "/api.xro/2.0"
SUMMARY_MAX = 2000
# Xero answers 404 to URLs longer than about 2,090 encoded characters (XeroAPI/xero-node
# #404, Xero-NetStandard#471): every URL the client builds stays within this budget.
URL_BUDGET = 2000
# One record: /Invoices/{id}, /Payments/{id}... (not /Invoices/{id}/History).
SINGLE_RECORD_RE = re.compile(r"^/[A-Za-z]+/[^/]+$")


class XeroClient(EndpointsMixin, PeriodReadsMixin):
    """Calls to the Accounting API for one organisation (``tenant_id``).

    ``priority`` is 'interactive' (a user waits) or 'batch' (crons): batch calls stop
    before the daily limit runs out so users can still work. ``custom_connection=True``
    renews tokens with the client-credentials grant instead of a refresh token.
    ``log_sink(event)`` receives one dict per HTTP attempt (see ``_Attempt``); it is set
    here once and cannot be replaced afterwards.
    """

    _concerns = ()

    def __init__(
        self,
        tenant_id,
        token_store,
        client_id,
        client_secret=None,
        api_url=XERO_API_URL,
        timeout=(5, 30),
        max_retries=3,
        limiter=None,
        log_sink=None,
        identity_url=None,
        priority=limiter_mod.INTERACTIVE,
        custom_connection=False,
        retry_budget=10.0,
        backoff=0.5,
    ):
        self.tenant_id = tenant_id or ""
        self.token_store = token_store
        base = api_url.rstrip("/")
        if base.endswith(ACCOUNTING_PATH):
            base = base[: -len(ACCOUNTING_PATH)]
        self.accounting_url = base + ACCOUNTING_PATH
        if identity_url is None:
            identity_url = XERO_IDENTITY_URL if base == XERO_API_URL else base
        self.timeout = int_timeout(timeout)
        self.max_retries = max_retries
        self.retry_budget = retry_budget
        self.backoff = backoff
        self.limiter = limiter or limiter_mod.default_limiter()
        self._log_sink = log_sink
        self.priority = priority
        self.custom_connection = custom_connection
        self.oauth = XeroOAuth(
            client_id,
            client_secret,
            identity_url=identity_url,
            api_url=base,
            timeout=timeout,
            log_sink=self._oauth_event,
        )
        self.api_client, self._sdk_token = build_api_client(client_id, client_secret)

    # -- log context --------------------------------------------------------------
    @property
    def concerns(self):
        """The references this client's calls are logged against (a tuple)."""
        return self._concerns

    def concerning(self, refs):
        """This client, its calls logged against ``refs`` (an iterable of opaque
        references such as ``(model, id)``; None or empty: the organisation only).

        Returns a new client sharing tokens, rate budget and HTTP pool; ``self`` is left
        unchanged, so two callers holding one client never log against each other's
        records."""
        view = copy.copy(self)
        view._concerns = _refs(refs)
        return view

    @property
    def logger_hook(self):
        return self._log_sink

    @logger_hook.setter
    def logger_hook(self, _value):
        raise AttributeError(
            "the log sink is given once to XeroClient(log_sink=...); say which records a "
            "call concerns with client.concerning(refs) or per send_batch element"
        )

    # -- tokens -------------------------------------------------------------------
    def access_token(self):
        """A token valid for at least two more minutes (refreshing it if needed)."""
        token = self.token_store.load()
        if needs_refresh(token):
            token = self.refresh_token(stale=token)
        return token

    def refresh_token(self, stale=None):
        """Rotate the token through the store, unless another worker already did."""
        stale_access = (stale or {}).get("access_token")

        def refresher(current):
            if (
                current
                and current.get("access_token") != stale_access
                and not needs_refresh(current)
            ):
                return current
            if self.custom_connection:
                # the same scopes as the token being renewed (what Xero granted)
                return self.oauth.client_credentials((current or stale or {}).get("scope"))
            if not current:
                raise ReconnectNeeded("no Xero token stored")
            return self.oauth.refresh(current)

        token = self.token_store.refresh(refresher)
        if not token or not token.get("access_token"):
            raise ReconnectNeeded("no Xero token stored")
        return token

    # -- one logical call ---------------------------------------------------------
    def request(
        self,
        operation,
        method,
        path,
        *,
        query=None,
        body=None,
        idempotency_key=None,
        if_modified_since=None,
        content_type="application/json",
        concerns=None,
    ):
        """Call ``path`` (under /api.xro/2.0) with retries; return the decoded JSON.

        Every attempt is logged against ``concerns`` (references) when given, else
        against this client's ``concerns``.

        Retries 5xx, timeouts and dropped connections with short backoff (at most
        ``max_retries`` times, ``retry_budget`` seconds of sleep); refreshes the token
        once on 401; raises ``XeroRateLimited`` on 429 without a long sleep.
        """
        if method in ("PUT", "POST") and not idempotency_key:
            raise ValueError("every write needs an Idempotency-Key")
        headers = {"Accept": "application/json", "Content-Type": content_type}
        # Custom connections have no tenant: send the header empty, as the SDK does.
        headers["xero-tenant-id"] = self.tenant_id
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        if if_modified_since:
            headers["If-Modified-Since"] = if_modified_since
        url = self.accounting_url + path
        length = encoded_url_length(url, query)
        if length > URL_BUDGET:
            raise XeroRequestTooLong(
                f"{operation}: a URL of {length} characters, Xero takes at most {URL_BUDGET}"
            )
        single = bool(SINGLE_RECORD_RE.match(path))
        concerns = self._concerns if concerns is None else _refs(concerns)
        attempt, slept, refreshed = 0, 0.0, False
        while True:
            attempt += 1
            call = _Attempt(
                self, operation, method, path, query, body, idempotency_key, attempt, concerns
            )
            try:
                token = self.access_token()
                with self.limiter.slot(self.tenant_id, self.priority) as budget:
                    self._sdk_token.use(token["access_token"])
                    resp = perform(
                        self.api_client,
                        method,
                        url,
                        query=query,
                        headers=headers,
                        body=body,
                        timeout=self.timeout,
                    )
                    budget.observe(resp.headers)
            except XeroTransientError as exc:
                wait = self._backoff(attempt, slept)
                call.done(None, exc, "retrying" if wait is not None else "failed")
                if wait is None:
                    raise
                time.sleep(wait)
                slept += wait
                continue
            except XeroError as exc:
                call.done(None, exc, "rate_limited" if exc.retryable else "failed")
                raise
            if resp.status < 300:
                try:
                    payload = parse_json(resp)
                except XeroError as exc:
                    call.done(resp, exc, "failed")
                    raise
                call.done(resp, None, "ok")
                return payload
            exc = error_for(resp, operation, single=single)
            if resp.status == 401 and not refreshed:
                refreshed = True
                call.done(resp, exc, "retrying")
                self.refresh_token(stale=token)
                continue
            if isinstance(exc, XeroRateLimited):
                seconds = exc.retry_at.timestamp() - time.time()
                self.limiter.blocked(self.tenant_id, seconds, exc.problem)
                if seconds <= self.limiter.max_sleep and attempt <= self.max_retries:
                    call.done(resp, exc, "retrying")
                    if exc.problem == "concurrent":
                        # no Retry-After: this caller alone backs off a few seconds
                        self.limiter.sleep(max(0.0, seconds))
                    continue  # the limiter waits out a minute or day Retry-After
                call.done(resp, exc, "rate_limited")
                raise exc
            wait = self._backoff(attempt, slept) if exc.retryable else None
            call.done(resp, exc, "retrying" if wait is not None else "failed")
            if wait is None:
                raise exc
            time.sleep(wait)
            slept += wait

    def url_fits(self, path, query=None):
        """True when GET ``path`` with ``query`` stays within the URL budget."""
        return encoded_url_length(self.accounting_url + path, query) <= URL_BUDGET

    def _backoff(self, attempt, slept):
        """Seconds to wait before the next attempt, or None when retries are used up."""
        if attempt > self.max_retries:
            return None
        wait = self.backoff * (2 ** (attempt - 1)) * random.uniform(0.8, 1.2)
        if slept + wait > self.retry_budget:
            return None
        return wait

    # -- reporting ----------------------------------------------------------------
    def _emit(self, event):
        _logger.debug(
            "xero %s %s -> %s (%s ms) %s",
            event.get("operation"),
            event.get("tenant_id"),
            event.get("http_status"),
            event.get("duration_ms"),
            event.get("outcome"),
        )
        if self._log_sink:
            try:
                self._log_sink(event)
            except Exception:  # a broken log sink must not break the sync itself
                _logger.exception("xero log sink failed")

    def _oauth_event(self, event):
        # token renewals concern the connection, never the records of the call
        self._emit(dict(event, tenant_id=self.tenant_id, concerns=()))


def _refs(refs):
    """A tuple of distinct references, in order."""
    if not refs:
        return ()
    return tuple(dict.fromkeys(r for r in refs if r is not None))


class _Attempt:
    """Collects one HTTP attempt's facts for the log sink."""

    def __init__(self, client, operation, method, path, query, body, key, attempt, concerns=()):
        self.client = client
        self.start = time.monotonic()
        self.event = {
            "operation": operation,
            "tenant_id": client.tenant_id,
            "method": method,
            "url": client.accounting_url + path,
            "attempt": attempt,
            "idempotency_key": key,
            "request": _summary(query, body),
            "concerns": concerns,
        }

    def done(self, resp, exc, outcome):
        headers = resp.headers if resp is not None else {}
        lower = {k.lower(): v for k, v in headers.items()}
        self.event.update(
            http_status=resp.status if resp is not None else None,
            duration_ms=int((time.monotonic() - self.start) * 1000),
            outcome=outcome,
            xero_message=exc.user_message() if exc else None,
            error_class=type(exc).__name__ if exc else None,
            retryable=exc.retryable if exc else None,
            response=mask(resp.data, SUMMARY_MAX) if resp is not None else None,
            min_remaining=lower.get("x-minlimit-remaining"),
            day_remaining=lower.get("x-daylimit-remaining"),
        )
        self.client._emit(self.event)


def _summary(query, body):
    parts = []
    if query:
        parts.append("?" + "&".join(f"{k}={v}" for k, v in query))
    if isinstance(body, (bytes, bytearray)):
        parts.append(f"<{len(body)} bytes>")
    elif body is not None:
        parts.append(json.dumps(body, default=str))
    return mask(" ".join(parts), SUMMARY_MAX) or None
