"""OAuth scope checks: each operation's scopes come from the spec's ``security`` entry
(the broad scopes such as ``accounting.transactions``); the granular scopes Xero
introduced in 2026 (``accounting.invoices``, ``accounting.payments``...) are accepted for
the endpoints they cover."""

GRANULAR = {
    "accounting.invoices": {
        "Invoices",
        "CreditNotes",
        "PurchaseOrders",
        "Quotes",
        "RepeatingInvoices",
        "LinkedTransactions",
        "Items",
    },
    "accounting.payments": {"Payments", "BatchPayments", "Overpayments", "Prepayments"},
    "accounting.banktransactions": {"BankTransactions", "BankTransfers"},
    "accounting.manualjournals": {"ManualJournals"},
}
# Granular report scopes cover one report each (read only): /Reports/<name>.
REPORT_SCOPES = {
    "accounting.reports.trialbalance.read": "TrialBalance",
    "accounting.reports.balancesheet.read": "BalanceSheet",
    "accounting.reports.profitandloss.read": "ProfitAndLoss",
    "accounting.reports.aged.read": "AgedPayablesByContact AgedReceivablesByContact",
}


def allowed(token_scopes, required, endpoint, method, path=""):
    """True when the token's scopes satisfy one of the operation's ``required`` scopes.

    ``endpoint`` is the first path segment after /api.xro/2.0 (e.g. "Invoices"); ``path``
    the rest of the path (e.g. "Reports/TrialBalance"), for the per-report scopes."""
    if not required:
        return True
    granted = set(token_scopes)
    if granted & set(required):
        return True
    read_only = method in ("GET", "HEAD")
    if endpoint == "Reports" and read_only:
        report = path.split("/")[1] if path.count("/") else ""
        if any(report in names.split() for s, names in REPORT_SCOPES.items() if s in granted):
            return True
    for scope, endpoints in GRANULAR.items():
        if endpoint not in endpoints:
            continue
        if scope in granted or (read_only and scope + ".read" in granted):
            return True
    return False


# -- granular-only apps (Xero, 2026) -------------------------------------------------------
# Apps created on or after 2 March 2026, and custom connections created from 29 April 2026,
# are only offered the granular scopes: asking for a broad one fails.
BROAD = {"accounting.transactions", "accounting.transactions.read", "accounting.reports.read"}
GRANULAR_FROM = {"standard": "2026-03-02", "custom": "2026-04-29"}
GRANULAR_DEFAULT = (
    "accounting.invoices accounting.payments accounting.contacts accounting.settings "
    "accounting.attachments accounting.reports.trialbalance.read"
)
BROAD_DEFAULT = (
    "accounting.transactions accounting.contacts accounting.settings accounting.attachments "
    "accounting.reports.read"
)


def granular_only(app):
    """True when Xero offers ``app`` only the granular scopes (by its creation date)."""
    cutoff = GRANULAR_FROM.get(app.get("kind", "standard"), GRANULAR_FROM["standard"])
    return (app.get("created") or "9999-12-31") >= cutoff


def refused_scopes(app, scope):
    """The scopes of the space-separated ``scope`` this app may not ask for."""
    if not granular_only(app):
        return []
    return [s for s in (scope or "").split() if s in BROAD]


def configured_scopes(app):
    """A custom connection's scopes, as ticked at developer.xero.com."""
    if app.get("scopes"):
        return " ".join(app["scopes"].split())
    return GRANULAR_DEFAULT if granular_only(app) else BROAD_DEFAULT
