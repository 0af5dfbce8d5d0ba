"""Xero's codes in the words Xero's own screens use, for the people reading Odoo.

The codes stay what is stored and compared; these labels are only shown."""

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# Account.Type as Xero's chart of accounts names it.
ACCOUNT_TYPE_LABELS = {
    "BANK": _lt("Bank"),
    "CURRENT": _lt("Current Asset"),
    "FIXED": _lt("Fixed Asset"),
    "NONCURRENT": _lt("Non-current Asset"),
    "INVENTORY": _lt("Inventory"),
    "PREPAYMENT": _lt("Prepayment"),
    "CURRLIAB": _lt("Current Liability"),
    "TERMLIAB": _lt("Non-current Liability"),
    "LIABILITY": _lt("Liability"),
    "EQUITY": _lt("Equity"),
    "DIRECTCOSTS": _lt("Direct Costs"),
    "EXPENSE": _lt("Expense"),
    "OVERHEADS": _lt("Overhead"),
    "DEPRECIATN": _lt("Depreciation"),
    "REVENUE": _lt("Revenue"),
    "SALES": _lt("Sales"),
    "OTHERINCOME": _lt("Other Income"),
    "PAYG": _lt("PAYG"),
}

# Status of master data (accounts, tax rates, contacts, tracking categories).
RECORD_STATUS_LABELS = {
    "ACTIVE": _lt("Active"),
    "ARCHIVED": _lt("Archived"),
    "DELETED": _lt("Deleted"),
    "GDPRREQUEST": _lt("Erased on request"),
    "PENDING": _lt("Pending"),
}

# Status of invoices, bills and credit notes as Xero's screens name them.
INVOICE_STATUS_LABELS = {
    "DRAFT": _lt("Draft"),
    "SUBMITTED": _lt("Awaiting Approval"),
    "AUTHORISED": _lt("Awaiting Payment"),
    "PAID": _lt("Paid"),
    "VOIDED": _lt("Voided"),
    "DELETED": _lt("Deleted"),
}

# Status of purchase orders as Xero's screens name them.
PURCHASE_ORDER_STATUS_LABELS = {
    "DRAFT": _lt("Draft"),
    "SUBMITTED": _lt("Awaiting Approval"),
    "AUTHORISED": _lt("Approved"),
    "BILLED": _lt("Billed"),
    "DELETED": _lt("Deleted"),
}

TAX_USE_LABELS = {
    "purchase": _lt("Purchases"),
    "sale": _lt("Sales"),
}


def label(env, labels, code):
    """The word for ``code`` in ``env``'s language (the code itself, made readable, when
    Xero adds one we do not know)."""
    if not code:
        return False
    word = labels.get(code)
    return env._(word) if word is not None else code.replace("_", " ").capitalize()


# The Sync Log's operations as sentences ({what}: one of KIND_LABELS).
KIND_LABELS = {
    "contacts": _lt("contacts"),
    "items": _lt("items"),
    "invoices": _lt("invoices and bills"),
    "credit_notes": _lt("credit notes"),
    "purchase_orders": _lt("purchase orders"),
    "payments": _lt("payments"),
}
IMPORT_LABELS = {
    "account": _lt("the chart of accounts"),
    "tax": _lt("tax rates"),
    "tracking": _lt("tracking categories"),
    "contact": _lt("suppliers"),
    "item": _lt("items"),
}
OPERATION_LABELS = {
    "get_organisation": _lt("Read the organisation's details"),
    "get_accounts": _lt("Read the chart of accounts"),
    "get_tax_rates": _lt("Read the tax rates"),
    "get_tracking_categories": _lt("Read the tracking categories"),
    "get_currencies": _lt("Read the currencies"),
    "token:authorization_code": _lt("Sign in to Xero (connect)"),
    "token:refresh_token": _lt("Renew the access to Xero"),
    "revoke": _lt("Disconnect from Xero"),
    "connections": _lt("List the connected organisations"),
    "delete_connection": _lt("Disconnect the organisation"),
    "refused": _lt("Refused in Odoo before sending"),
    "unreadable": _lt("Xero's answer could not be read"),
    "upload_attachment": _lt("Attach a file in Xero"),
    "contact_conflict": _lt("Contact changed in both Odoo and Xero"),
    "contact_push": _lt("Send a contact's changes to Xero"),
    "delete_payment": _lt("Delete a payment in Xero"),
    "allocate_credit_note": _lt("Allocate a credit note in Xero"),
    "call": _lt("Call Xero"),
}
OPERATION_PATTERNS = [  # (prefix, suffix, sentence, labels of the middle part)
    ("get_", "_by_id", _lt("Read one of the %s in Xero"), KIND_LABELS),
    ("create_", "", _lt("Create %s in Xero"), KIND_LABELS),
    ("save_", "", _lt("Create or update %s in Xero"), KIND_LABELS),
    ("set_status_", "", _lt("Change the status of %s in Xero"), KIND_LABELS),
    ("add_history_", "", _lt("Add a note to %s in Xero"), KIND_LABELS),
    ("update_", "", _lt("Update %s from Xero"), IMPORT_LABELS),
    ("get_", "", _lt("Read the %s"), KIND_LABELS),
]


def operation_label(env, operation):
    """A Sync Log operation code (``get_organisation``) as a sentence."""
    if not operation:
        return False
    if operation in OPERATION_LABELS:
        return env._(OPERATION_LABELS[operation])
    for prefix, suffix, sentence, labels in OPERATION_PATTERNS:
        if operation.startswith(prefix) and operation.endswith(suffix):
            middle = operation[len(prefix) : len(operation) - len(suffix)]
            if middle in labels:
                return env._(sentence) % env._(labels[middle])
    return operation.replace("_", " ").replace(":", ": ").capitalize()
