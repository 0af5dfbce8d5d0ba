"""Plain-Python client layer between the addon and Xero (no Odoo imports here)."""

from .batch import KINDS, BatchResult
from .client import XeroClient
from .dates import parse_date
from .endpoints import XeroPage
from .errors import (
    ReconnectNeeded,
    XeroAuthError,
    XeroError,
    XeroNotFound,
    XeroRateLimited,
    XeroResponseError,
    XeroRequestTooLong,
    XeroTransientError,
    XeroUnclearNotFound,
    XeroValidationError,
)
from .limiter import (
    BATCH,
    INTERACTIVE,
    BudgetStore,
    MemoryBudgetStore,
    RateLimiter,
    ScaledClock,
    default_limiter,
)
from .masking import mask
from .oauth import DEFAULT_SCOPES, AuthorizationRequest, XeroOAuth, auth_event_id
from .token_store import MemoryTokenStore, needs_refresh, normalize_token

__all__ = [
    "BATCH",
    "DEFAULT_SCOPES",
    "INTERACTIVE",
    "KINDS",
    "AuthorizationRequest",
    "BatchResult",
    "BudgetStore",
    "MemoryBudgetStore",
    "MemoryTokenStore",
    "RateLimiter",
    "ReconnectNeeded",
    "ScaledClock",
    "XeroAuthError",
    "XeroClient",
    "XeroError",
    "XeroNotFound",
    "XeroOAuth",
    "XeroPage",
    "XeroRateLimited",
    "XeroRequestTooLong",
    "XeroResponseError",
    "XeroTransientError",
    "XeroUnclearNotFound",
    "XeroValidationError",
    "auth_event_id",
    "default_limiter",
    "mask",
    "needs_refresh",
    "normalize_token",
    "parse_date",
]
