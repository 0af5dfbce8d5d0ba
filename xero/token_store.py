"""Where a connection's OAuth token set lives, and how it is rotated safely.

Xero rotates the refresh token on every refresh: two workers refreshing the same stale
copy leave one of them with ``invalid_grant``. A store therefore serialises refreshes.

The protocol the Odoo side implements::

    class TokenStore(Protocol):
        def load(self) -> dict: ...
        def refresh(self, refresher: Callable[[dict], dict]) -> dict: ...

``load()`` returns the current token dict (see ``TOKEN_KEYS``). ``refresh(refresher)``
must, while holding an exclusive lock (Odoo: ``SELECT ... FOR UPDATE`` in a separate
cursor), re-read the current token, call ``new = refresher(current)`` and, if ``new is
not current``, save ``new`` and commit at once before releasing the lock; then return
``new``. The refresher decides whether a network refresh is really needed: when another
worker already rotated the token it returns ``current`` unchanged. If the refresher
raises, nothing is saved (the old refresh token stays valid for Xero's grace period).
A store that cannot get its lock in reasonable time raises ``XeroTransientError``.
"""

import threading
import time

TOKEN_KEYS = (
    "access_token",  # str
    "refresh_token",  # str, absent for client-credentials tokens
    "expires_at",  # float, epoch seconds
    "expires_in",  # int, seconds, as Xero sent it
    "token_type",  # "Bearer"
    "scope",  # list of str
    "id_token",  # str, optional
    "authentication_event_id",  # str, optional: which consent produced the token
)
REFRESH_MARGIN = 120  # refresh proactively when the access token expires within this


def normalize_token(raw, now=None):
    """Turn a token endpoint answer (or a stored dict) into the dict the stores keep."""
    token = {k: raw[k] for k in TOKEN_KEYS if raw.get(k) is not None}
    scope = token.get("scope") or []
    token["scope"] = scope.split() if isinstance(scope, str) else list(scope)
    token.setdefault("token_type", "Bearer")
    if "expires_at" not in token:
        now = time.time() if now is None else now
        token["expires_at"] = now + int(raw.get("expires_in") or 1800)
    token["expires_at"] = float(token["expires_at"])
    return token


def needs_refresh(token, now=None, margin=REFRESH_MARGIN):
    """True when the access token is missing or expires within ``margin`` seconds."""
    if not token or not token.get("access_token"):
        return True
    now = time.time() if now is None else now
    return float(token.get("expires_at") or 0) - now <= margin


class MemoryTokenStore:
    """Token store for tests and scripts: one process, a ``threading.Lock``."""

    def __init__(self, token=None):
        self._token = dict(token) if token else None
        self._lock = threading.Lock()
        self.saved = []  # every token written, oldest first (for tests and scripts)

    def load(self):
        with self._lock:
            return dict(self._token) if self._token else None

    def save(self, token):
        with self._lock:
            self._token = dict(token)
            self.saved.append(dict(token))

    def refresh(self, refresher):
        with self._lock:
            current = dict(self._token) if self._token else None
            new = refresher(current)
            if new is not current:
                self._token = dict(new)
                self.saved.append(dict(new))
            return dict(new) if new else new
