"""Hide tokens and secrets before anything is logged or stored in a sync log."""

import re

MASK = "***"
_SECRET_KEY = re.compile(
    r"token|secret|authori[sz]ation|password|passwd|code_verifier|assertion|api[_-]?key|cookie",
    re.IGNORECASE,
)
# OAuth's authorisation "code" is lower case; Xero's own "Code" fields (accounts, items)
# are PascalCase and must stay readable in the sync log.
_EXACT_SECRET_KEYS = {"code"}
_NAMES = r"(?i:access_token|refresh_token|id_token|client_secret|code_verifier|token|password)"
_SECRET_NAMES = rf"{_NAMES}|code"
_PATTERNS = [
    (re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE), r"\1 " + MASK),
    (re.compile(rf'("(?:{_SECRET_NAMES})"\s*:\s*)"[^"]*"'), rf'\1"{MASK}"'),
    (re.compile(rf"(?<![A-Za-z_])((?:{_SECRET_NAMES})=)[^&\s\"']+"), r"\1" + MASK),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), MASK),
]


def is_secret_key(key):
    """True when a mapping key names a credential."""
    key = str(key)
    return key in _EXACT_SECRET_KEYS or bool(_SECRET_KEY.search(key))


def mask(value, max_len=None):
    """Return a copy of ``value`` (dict, list, str, bytes...) with secrets replaced by ***.

    Mapping keys that name credentials are masked whatever their value; strings are
    scrubbed of Bearer/Basic credentials, ``name=value`` pairs and JSON fields naming
    tokens, and JWTs. ``max_len`` truncates the resulting strings.
    """
    if isinstance(value, dict):
        return {
            k: (MASK if is_secret_key(k) and v not in (None, "") else mask(v, max_len))
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        if len(value) == 2 and isinstance(value[0], str) and is_secret_key(value[0]):
            return type(value)((value[0], MASK))
        return type(value)(mask(v, max_len) for v in value)
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, str):
        for pattern, repl in _PATTERNS:
            value = pattern.sub(repl, value)
        if max_len and len(value) > max_len:
            value = value[:max_len] + f"...[{len(value)} chars]"
        return value
    return value
