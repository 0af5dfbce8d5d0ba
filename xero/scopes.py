"""Which OAuth scopes to ask Xero for, and whether the scopes Xero granted cover a feature.

Xero apps created on or after 2 March 2026 (custom connections: from 29 April 2026) are
only offered the granular scopes (``accounting.invoices``, ``accounting.payments``...);
asking them for the broad ``accounting.transactions`` fails with ``invalid_scope`` /
``unauthorized_client``. Older apps keep the broad scopes until Xero retires them
(September 2027) and may already use the granular ones.
Sources: developer.xero.com/documentation/guides/oauth2/scopes, developer.xero.com/faq/
granular-scopes, XeroAPI/xero-mcp-server#139 and #175.

``FEATURE_SCOPES`` is the one table to extend when a feature needs another scope: the
consent asks for the union of every feature's scopes, and after connecting each feature
is checked against what Xero granted.
"""

# Identity scopes: a refresh token (offline_access) and who connected (openid...).
IDENTITY_SCOPES = ("offline_access", "openid", "profile", "email")

# feature -> the granular scopes it needs. Add a row for a new feature.
FEATURE_SCOPES = {
    "export": ("accounting.invoices", "accounting.contacts", "accounting.settings"),
    "attachments": ("accounting.attachments",),
    "payments": ("accounting.payments",),
    "import": ("accounting.contacts", "accounting.settings"),
    # Month-end reconciliation compares balances with Xero's Trial Balance report.
    "reconciliation": ("accounting.reports.trialbalance.read",),
}

# Granular scope -> the broad scope that covered it before 2026.
BROAD_EQUIVALENT = {
    "accounting.invoices": "accounting.transactions",
    "accounting.payments": "accounting.transactions",
    "accounting.banktransactions": "accounting.transactions",
    "accounting.manualjournals": "accounting.transactions",
}
BROAD_SCOPES = {
    "accounting.transactions",
    "accounting.transactions.read",
    "accounting.reports.read",
}


def broad_equivalent(scope):
    """The scope an app created before March 2026 asks for in place of ``scope``."""
    base, read = (scope[:-5], ".read") if scope.endswith(".read") else (scope, "")
    if base in BROAD_EQUIVALENT:
        return BROAD_EQUIVALENT[base] + read
    if base.startswith("accounting.reports."):
        return "accounting.reports.read"
    return scope


def accounting_scopes(features=None, broad=False):
    """The accounting scopes ``features`` (default: all of them) need, in a stable order."""
    names = FEATURE_SCOPES if features is None else features
    scopes = []
    for feature in names:
        for scope in FEATURE_SCOPES.get(feature, ()):
            scope = broad_equivalent(scope) if broad else scope
            if scope not in scopes:
                scopes.append(scope)
    return scopes


def requested_scopes(features=None, broad=False, identity=True):
    """The ``scope`` parameter to send: identity scopes (for a consent) plus the
    accounting scopes of ``features``; ``broad`` for an app created before March 2026."""
    scopes = list(IDENTITY_SCOPES) if identity else []
    return " ".join(scopes + accounting_scopes(features, broad))


def covered(granted, scope):
    """True when the ``granted`` scopes include ``scope`` (or the broad scope that
    covers it; a write scope also covers its ``.read``)."""
    granted = set(granted or ())
    candidates = {scope, broad_equivalent(scope)}
    if scope.endswith(".read"):
        candidates |= {c[:-5] for c in list(candidates)}
    return bool(candidates & granted)


def missing_scopes(granted, features=None):
    """{feature: [scopes Xero did not grant]} for the ``features`` that lack one."""
    names = FEATURE_SCOPES if features is None else features
    missing = {}
    for feature in names:
        lacking = [s for s in FEATURE_SCOPES.get(feature, ()) if not covered(granted, s)]
        if lacking:
            missing[feature] = lacking
    return missing
