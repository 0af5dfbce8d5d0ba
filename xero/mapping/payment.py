"""Xero payments <-> Odoo payment values, and what a Xero document's status means for
Odoo, as plain functions over plain dicts (no Odoo imports)."""

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import quote_plus, urlencode

from ..dates import parse_date

# Xero's own statuses as its screens name them.
STATUS_LABELS = {
    "DRAFT": "Draft",
    "SUBMITTED": "Awaiting Approval",
    "AUTHORISED": "Awaiting Payment",
    "PAID": "Paid",
    "VOIDED": "Voided",
    "DELETED": "Deleted",
}
GONE_STATUSES = ("VOIDED", "DELETED")
# Payments of these types settle an overpayment or a prepayment, not one of our documents.
OVER_PRE_TYPES = (
    "AROVERPAYMENTPAYMENT",
    "APOVERPAYMENTPAYMENT",
    "ARPREPAYMENTPAYMENT",
    "APPREPAYMENTPAYMENT",
)
# Xero answers 404 to URLs beyond about 2,090 encoded characters (xero-node#404): lists of
# ids are cut so that a whole URL, on api.xero.com, stays within this budget.
URL_BUDGET = 2000
XERO_ACCOUNTING_URL = "https://api.xero.com/api.xro/2.0/"
PAGE_SIZE = 1000  # the largest page Xero serves (pageSize)
ORDER = "UpdatedDateUTC ASC"  # paging and the If-Modified-Since cursor agree
CURSOR_MARGIN = timedelta(seconds=1)  # If-Modified-Since has whole seconds; Xero is strict


def status_label(status):
    return STATUS_LABELS.get(status or "", status or "")


def target(payment):
    """(kind, Xero document id) a payment is applied to: kind is 'invoices' or
    'credit_notes'; (None, None) for over/prepayment refunds and anything else."""
    invoice = payment.get("Invoice") or {}
    if invoice.get("InvoiceID"):
        return "invoices", invoice["InvoiceID"]
    note = payment.get("CreditNote") or {}
    if note.get("CreditNoteID"):
        return "credit_notes", note["CreditNoteID"]
    return None, None


def currency_of(payment):
    """The currency of the payment's amount (its document's currency)."""
    for key in ("Invoice", "CreditNote"):
        code = (payment.get(key) or {}).get("CurrencyCode")
        if code:
            return code
    return None


def _dec(value):
    return Decimal(str(value if value not in (None, "") else 0))


def payment_values(payment):
    """Plain values of a Xero payment: id, status, date, amount, rate, reference."""
    day = parse_date(payment.get("Date"))
    if isinstance(day, datetime):
        day = day.date()
    rate = _dec(payment.get("CurrencyRate"))
    return {
        "xero_id": payment.get("PaymentID"),
        "deleted": payment.get("Status") == "DELETED",
        "date": day,
        "amount": _dec(payment.get("Amount")),
        "currency": currency_of(payment),
        "rate": rate if rate > 0 else None,
        "reference": payment.get("Reference") or "",
        "account_id": (payment.get("Account") or {}).get("AccountID"),
        "account_code": (payment.get("Account") or {}).get("Code"),
        "type": payment.get("PaymentType") or "",
    }


def base_amount(amount, rate, digits=2):
    """The base-currency amount Xero books for ``amount`` at ``rate`` (foreign units per
    one unit of the base currency, Xero's and Odoo's convention alike)."""
    quantum = Decimal(1).scaleb(-digits)
    return (_dec(amount) / _dec(rate)).quantize(quantum, rounding=ROUND_HALF_UP)


def payment_payload(kind, document_id, *, account_id, day, amount, reference=None, rate=None):
    """The body element of PUT /Payments for one Odoo payment on one Xero document."""
    ref = {"invoices": ("Invoice", "InvoiceID"), "credit_notes": ("CreditNote", "CreditNoteID")}
    wrapper, id_field = ref[kind]
    payload = {
        wrapper: {id_field: document_id},
        "Account": {"AccountID": account_id},
        "Date": day,
        "Amount": float(_dec(amount).quantize(Decimal("0.01"))),
        "Reference": (reference or "")[:255] or None,
    }
    if rate:
        payload["CurrencyRate"] = float(_dec(rate).quantize(Decimal("0.000001")))
    return payload


def url_length(collection, query):
    """Encoded length of GET ``collection`` with ``query`` [(name, value)] on Xero."""
    return len(XERO_ACCOUNTING_URL + collection) + 1 + len(urlencode(query))


def chunk_for_url(terms, joiner, collection, query, param, budget=URL_BUDGET):
    """Join ``terms`` with ``joiner`` into values of ``param`` such that the URL of
    GET ``collection`` with ``query`` plus that parameter stays within ``budget``
    encoded characters. One term that does not fit alone raises ValueError."""
    fixed = url_length(collection, [*list(query), (param, "")])
    glue = len(quote_plus(joiner))
    chunks, current, size = [], [], fixed
    for term in terms:
        cost = len(quote_plus(term)) + (glue if current else 0)
        if current and size + cost > budget:
            chunks.append(joiner.join(current))
            current, size = [], fixed
            cost = len(quote_plus(term))
        if size + cost > budget:
            raise ValueError(f"{term!r} alone makes a URL longer than {budget} characters")
        current.append(term)
        size += cost
    if current:
        chunks.append(joiner.join(current))
    return chunks


def where_for_documents(kind, document_ids, query=()):
    """`where` clauses (one per URL) selecting the payments of these documents; ``query``
    is the rest of the GET /Payments query the clause is sent with."""
    field = "Invoice.InvoiceID" if kind == "invoices" else "CreditNote.CreditNoteID"
    return where_for_ids(field, document_ids, "Payments", query)


def where_for_ids(id_field, ids, collection="Invoices", query=()):
    """`where` clauses (one per URL) selecting records of ``collection`` by id."""
    terms = [f'{id_field}==guid("{i}")' for i in sorted(set(ids))]
    return chunk_for_url(terms, " OR ", collection, query, "where")


def ids_for_url(ids, collection="Invoices", query=()):
    """Comma-joined values of the ``IDs`` parameter (GET /Invoices), one per URL."""
    return chunk_for_url(sorted(set(ids)), ",", collection, query, "IDs")


def updated_at(record):
    value = parse_date(record.get("UpdatedDateUTC"))
    if value is None or not isinstance(value, datetime):
        return None
    return value


def next_cursor(previous, records):
    """The If-Modified-Since for the next run: the newest change seen (Xero's clock, not
    ours), a second earlier so that a change in the same second is not missed."""
    stamps = [s for s in (updated_at(r) for r in records) if s]
    if not stamps:
        return previous
    newest = max(stamps).astimezone(UTC).replace(microsecond=0, tzinfo=None) - CURSOR_MARGIN
    if previous and previous > newest:
        return previous
    return newest


def settlements(record):
    """The overpayments and prepayments Xero allocated to a document (what Odoo's payment
    sync does not mirror): [(key, amount, currency code, their Xero id)], key being
    'Overpayments' or 'Prepayments'."""
    out = []
    currency = record.get("CurrencyCode") or ""
    for key in ("Overpayments", "Prepayments"):
        for item in record.get(key) or []:
            amount = item.get("AppliedAmount") or item.get("Total")
            out.append((key, amount, currency, item.get(key[:-1] + "ID", "?")))
    return out


def rate_for(amount, base_amount):
    """Xero's CurrencyRate (document currency per unit of the base currency) for a
    payment of ``amount`` in the document's currency booked as ``base_amount``."""
    return _dec(amount) / _dec(base_amount)


def find_payment(records, kind, document_id, reference, amount=None, day=None, exclude_ids=()):
    """The Xero payment among ``records`` that one of our sends created: on this document,
    with our reference (and this amount and date when given), not deleted, not taken."""
    ref = {"invoices": ("Invoice", "InvoiceID"), "credit_notes": ("CreditNote", "CreditNoteID")}
    wrapper, id_field = ref[kind]
    for record in records:
        if record.get("PaymentID") in exclude_ids or record.get("Status") == "DELETED":
            continue
        if not document_id or (record.get(wrapper) or {}).get(id_field) != document_id:
            continue
        if (record.get("Reference") or "") != (reference or "")[:255]:
            continue
        if amount is not None and _dec(record.get("Amount")) != _dec(amount):
            continue
        if day is not None:
            found = parse_date(record.get("Date"))
            found = found.date() if isinstance(found, datetime) else found
            if str(found) != str(day):
                continue
        return record
    return None
