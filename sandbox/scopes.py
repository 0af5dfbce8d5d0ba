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


def allowed(token_scopes, required, endpoint, method):
    """True when the token's scopes satisfy one of the operation's ``required`` scopes.

    ``endpoint`` is the first path segment after /api.xro/2.0 (e.g. "Invoices")."""
    if not required:
        return True
    granted = set(token_scopes)
    if granted & set(required):
        return True
    read_only = method in ("GET", "HEAD")
    for scope, endpoints in GRANULAR.items():
        if endpoint not in endpoints:
            continue
        if scope in granted or (read_only and scope + ".read" in granted):
            return True
    return False
