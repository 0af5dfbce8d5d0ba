"""Chart of accounts: which Xero account types Odoo can hold, and as what."""

# Xero Account.Type -> Odoo account.account account_type
ACCOUNT_TYPES = {
    "BANK": "asset_cash",
    "CURRENT": "asset_current",
    "FIXED": "asset_fixed",
    "NONCURRENT": "asset_non_current",
    "INVENTORY": "asset_current",
    "PREPAYMENT": "asset_prepayments",
    "CURRLIAB": "liability_current",
    "TERMLIAB": "liability_non_current",
    "LIABILITY": "liability_current",
    "EQUITY": "equity",
    "DIRECTCOSTS": "expense_direct_cost",
    "EXPENSE": "expense",
    "OVERHEADS": "expense",
    "DEPRECIATN": "expense_depreciation",
    "REVENUE": "income",
    "SALES": "income",
    "OTHERINCOME": "income_other",
}

# Xero's system accounts whose Odoo counterpart has a type of its own.
SYSTEM_TYPES = {
    "DEBTORS": "asset_receivable",
    "CREDITORS": "liability_payable",
}

CODE_MAX = 64  # Odoo's account code size


def odoo_account_type(account):
    """(account_type, None) or (None, reason) for a Xero Account."""
    system = SYSTEM_TYPES.get(account.get("SystemAccount") or "")
    if system:
        return system, None
    xero_type = account.get("Type") or ""
    if xero_type in ACCOUNT_TYPES:
        return ACCOUNT_TYPES[xero_type], None
    return None, f"Xero type {xero_type or '(none)'} has no Odoo account type"


def account_values(account):
    """Odoo account values (without company) from a Xero Account, or raise ValueError."""
    account_type, reason = odoo_account_type(account)
    if reason:
        raise ValueError(reason)
    code = (account.get("Code") or "").strip()
    if not code:
        raise ValueError("the account has no code in Xero")
    values = {
        "code": code[:CODE_MAX],
        "name": (account.get("Name") or code).strip(),
        "account_type": account_type,
        "deprecated": account.get("Status") != "ACTIVE",
    }
    if account_type in ("asset_receivable", "liability_payable"):
        values["reconcile"] = True
    return values
