"""Errors raised by the Xero client layer.

Every error says whether trying again later can help (``retryable``) and has a
``user_message()`` written for the person reading the sync log, not for a developer.
"""

import math
from datetime import UTC, datetime


class XeroError(Exception):
    """Base class of every error the client raises."""

    retryable = False

    def __init__(self, message, *, status=None, detail=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.detail = detail
        self.payload = None  # Xero's decoded error body, when there was one

    def user_message(self):
        return self.message


class XeroAuthError(XeroError):
    """The app may not do this (403, consent refused, wrong state)."""

    def user_message(self):
        return f"{self.message}. Reconnect Xero in Settings if the organisation was disconnected."


class ReconnectNeeded(XeroAuthError):
    """The stored tokens can no longer be used: the admin must reconnect."""

    def user_message(self):
        return f"Xero connection lost ({self.message}). Reconnect Xero in Settings."


class XeroRateLimited(XeroError):
    """A Xero rate limit (or our own headroom rule) stops the call until ``retry_at``."""

    retryable = True

    def __init__(self, retry_at, problem="minute", message=None, *, status=None, detail=None):
        if isinstance(retry_at, (int, float)):
            # Whole seconds, rounded up: Odoo's clock (fields.Datetime.now) has no
            # fractions, so a cron triggered at 12:00:16.4 would read 12:00:16 and find
            # nothing due yet, then never run again until its next scheduled run.
            retry_at = datetime.fromtimestamp(math.ceil(retry_at), tz=UTC)
        self.retry_at = retry_at
        self.problem = problem or "unknown"
        super().__init__(
            message or f"Xero rate limit reached ({self.problem})", status=status, detail=detail
        )

    def user_message(self):
        return "{}, retrying at {} UTC".format(self.message, self.retry_at.strftime("%H:%M"))


class XeroTransientError(XeroError):
    """Xero or the network failed for now (5xx, timeout, reset); try again later.

    ``maybe_committed`` is True when the request may have reached Xero (read timeout,
    lost response): a later retry must reuse the same Idempotency-Key.
    """

    retryable = True

    def __init__(self, message, *, status=None, detail=None, maybe_committed=False):
        super().__init__(message, status=status, detail=detail)
        self.maybe_committed = maybe_committed

    def user_message(self):
        return f"Xero is not reachable right now ({self.message}); it will be retried."


class XeroValidationError(XeroError):
    """Xero refused the data; ``errors`` holds Xero's validation messages."""

    def __init__(self, errors, *, status=400, detail=None):
        self.errors = [e for e in errors if e] or ["Xero rejected the request"]
        super().__init__("; ".join(self.errors), status=status, detail=detail)

    def user_message(self):
        return f"Xero rejected the data: {self.message}"


class XeroNotFound(XeroError):
    """The record is gone from Xero (deleted there, or another organisation's).

    Raised only when the Accounting API itself answered 404 to a request for that one
    record (``/Collection/{id}``, a URL short enough for Xero, an answer that is not an
    HTML page): the only 404 that proves a deletion. Any other 404 is a
    ``XeroUnclearNotFound``.
    """

    def user_message(self):
        return f"Not found in Xero: {self.message}"


class XeroResponseError(XeroError):
    """Xero answered something we cannot read (HTML, truncated or malformed JSON)."""

    def user_message(self):
        return f"Xero sent an unreadable answer ({self.message}). Try again later."


class XeroScopeMissing(XeroAuthError):
    """The connection was not granted a scope this call needs (Xero answers 401
    AuthorizationUnsuccessful or 403): reconnecting with that scope fixes it; the
    connection itself still works for everything else."""

    def __init__(self, scope, message=None, **kwargs):
        self.scope = scope
        super().__init__(
            message or f"Xero did not grant this connection the {scope} scope", **kwargs
        )

    def user_message(self):
        return (
            f"{self.message}. An administrator must connect Xero again (Settings > Xero > "
            "Connect) and allow access to reports."
        )


class XeroUnclearNotFound(XeroResponseError):
    """A 404 that proves nothing about a record: an HTML page (a proxy, Xero's edge), a
    404 on a list, or on a URL too long for Xero. Never treat it as "deleted in Xero"."""

    def user_message(self):
        return f"Xero answered 'not found' without saying the record is gone ({self.message})."


class XeroRequestTooLong(XeroError):
    """The request's URL would be longer than Xero accepts; it was not sent."""

    def user_message(self):
        return f"The request to Xero would be too long and was not sent ({self.message})."
