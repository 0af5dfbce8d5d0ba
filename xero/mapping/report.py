"""Xero reports (``ReportWithRow``) as plain rows, and the period figures of documents
the reconciliation compares (no Odoo imports)."""

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from ..dates import parse_date

CODE_RE = re.compile(r"\(([^()]*)\)\s*$")
TB_COLUMNS = ("debit", "credit", "ytd_debit", "ytd_credit")


def _amount(value):
    text = str(value or "").replace(",", "").strip()
    if not text:
        return Decimal(0)
    try:
        return Decimal(text)
    except InvalidOperation:
        return Decimal(0)


def _day(value):
    try:
        parsed = parse_date(value)
    except ValueError:
        return None
    return parsed.date() if isinstance(parsed, datetime) else parsed


def trial_balance_rows(report):
    """One dict per account row of a Trial Balance: account_id, code, name, section,
    debit, credit, ytd_debit, ytd_credit (Decimal) and ``balance`` = YTD debit - credit
    (the balance at the report date for balance-sheet accounts)."""
    out = []
    for section in report.get("Rows") or []:
        if section.get("RowType") != "Section":
            continue
        for row in section.get("Rows") or []:
            cells = row.get("Cells") or []
            if row.get("RowType") != "Row" or len(cells) < 5:
                continue
            label = str(cells[0].get("Value") or "")
            account_id = next(
                (
                    a.get("Value")
                    for c in cells
                    for a in c.get("Attributes") or []
                    if a.get("Id") == "account" and a.get("Value")
                ),
                None,
            )
            match = CODE_RE.search(label)
            values = dict(
                zip(TB_COLUMNS, (_amount(c.get("Value")) for c in cells[1:5]), strict=True)
            )
            out.append(
                dict(
                    values,
                    account_id=(account_id or "").lower() or None,
                    code=match.group(1).strip() if match else None,
                    name=CODE_RE.sub("", label).strip(),
                    section=section.get("Title") or "",
                    balance=values["ytd_debit"] - values["ytd_credit"],
                )
            )
    return out


def balance_of(rows, account_ids=(), codes=()):
    """Sum of the balances (debit positive) of the rows for these accounts, and the rows."""
    ids = {str(i).lower() for i in account_ids if i}
    codes = {str(c) for c in codes if c}
    picked = [r for r in rows if (r["account_id"] and r["account_id"] in ids) or r["code"] in codes]
    return sum((r["balance"] for r in picked), Decimal(0)), picked


def document_figures(kind, record):
    """What the reconciliation compares of a Xero document or payment, as plain values:
    id, number, type, status, currency, total, tax, paid, date (ISO), contact."""
    if kind == "payments":
        invoice = record.get("Invoice") or record.get("CreditNote") or {}
        return {
            "id": (record.get("PaymentID") or "").lower(),
            "number": record.get("Reference") or "",
            "type": record.get("PaymentType"),
            "status": record.get("Status"),
            "currency": invoice.get("CurrencyCode"),
            "rate": _amount(record.get("CurrencyRate")) or Decimal(1),
            "total": _amount(record.get("Amount")),
            "tax": Decimal(0),
            "paid": Decimal(0),
            "date": _day(record.get("Date")),
            "contact": (invoice.get("Contact") or {}).get("Name") or "",
            "document_id": (invoice.get("InvoiceID") or invoice.get("CreditNoteID") or "").lower(),
        }
    id_field, number_field = {
        "invoices": ("InvoiceID", "InvoiceNumber"),
        "credit_notes": ("CreditNoteID", "CreditNoteNumber"),
        "purchase_orders": ("PurchaseOrderID", "PurchaseOrderNumber"),
    }[kind]
    if kind == "invoices":
        paid = _amount(record.get("AmountPaid")) + _amount(record.get("AmountCredited"))
    elif kind == "credit_notes":
        paid = _amount(record.get("Total")) - _amount(
            record.get("RemainingCredit", record.get("Total"))
        )
    else:
        paid = Decimal(0)
    return {
        "id": (record.get(id_field) or "").lower(),
        "number": record.get(number_field) or "",
        "type": record.get("Type") or ("PURCHASEORDER" if kind == "purchase_orders" else None),
        "status": record.get("Status"),
        "currency": record.get("CurrencyCode"),
        "rate": _amount(record.get("CurrencyRate")) or Decimal(1),
        "total": _amount(record.get("Total")),
        "tax": _amount(record.get("TotalTax")),
        "paid": paid,
        "date": _day(record.get("Date")),
        "contact": (record.get("Contact") or {}).get("Name") or "",
        "reference": record.get("Reference") or "",
    }
