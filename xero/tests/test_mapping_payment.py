"""Payment mapping and document status helpers, without a database or a sandbox."""

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from xero.mapping.payment import (
    URL_BUDGET,
    base_amount,
    chunk_for_url,
    ids_for_url,
    next_cursor,
    payment_payload,
    payment_values,
    settlements,
    status_label,
    target,
    url_length,
    where_for_documents,
)

PAYMENT = {
    "PaymentID": "p-1",
    "Date": "/Date(1763683200000+0000)/",
    "Amount": Decimal("92.00"),
    "CurrencyRate": Decimal("0.8"),
    "Reference": "Paid by card",
    "Status": "AUTHORISED",
    "PaymentType": "ACCPAYPAYMENT",
    "UpdatedDateUTC": "/Date(1763719200500+0000)/",
    "Account": {"AccountID": "acc-1", "Code": "090"},
    "Invoice": {"InvoiceID": "inv-1", "CurrencyCode": "EUR"},
}


def test_target_and_values():
    assert target(PAYMENT) == ("invoices", "inv-1")
    assert target({"CreditNote": {"CreditNoteID": "cn-1"}}) == ("credit_notes", "cn-1")
    assert target({"Overpayment": {"OverpaymentID": "o-1"}}) == (None, None)
    values = payment_values(PAYMENT)
    assert values["date"] == date(2025, 11, 21)
    assert (values["amount"], values["rate"], values["currency"]) == (
        Decimal("92.00"),
        Decimal("0.8"),
        "EUR",
    )
    assert values["deleted"] is False
    assert payment_values(dict(PAYMENT, Status="DELETED"))["deleted"] is True
    assert payment_values(dict(PAYMENT, CurrencyRate=0))["rate"] is None


def test_base_amount_at_xero_rate():
    assert base_amount(Decimal("92"), Decimal("0.8")) == Decimal("115.00")
    assert base_amount(100, 3, digits=0) == Decimal("33")


def test_payload():
    body = payment_payload(
        "credit_notes", "cn-1", account_id="acc", day=date(2026, 1, 2), amount=10.005, rate=None
    )
    assert body["CreditNote"] == {"CreditNoteID": "cn-1"}
    assert body["Account"] == {"AccountID": "acc"}
    assert "CurrencyRate" not in body
    assert body["Reference"] is None
    body = payment_payload(
        "invoices", "i", account_id="a", day=date(2026, 1, 2), amount=5, reference="P1", rate=1.25
    )
    assert (body["Invoice"], body["Amount"], body["CurrencyRate"]) == (
        {"InvoiceID": "i"},
        5.0,
        1.25,
    )


def test_where_clauses_keep_every_url_within_xero_limit():
    ids = [str(uuid.UUID(int=i)) for i in range(300)]
    query = [("page", "1"), ("pageSize", "1000"), ("order", "UpdatedDateUTC ASC")]
    clauses = where_for_documents("invoices", ids, query)
    assert len(clauses) > 1
    assert sum(c.count("Invoice.InvoiceID==guid(") for c in clauses) == 300
    for clause in clauses:
        assert url_length("Payments", [*query, ("where", clause)]) <= URL_BUDGET
    # Full: the next id would not fit in the first URL.
    longer = clauses[0] + " OR " + clauses[1].split(" OR ")[0]
    assert url_length("Payments", [*query, ("where", longer)]) > URL_BUDGET
    assert where_for_documents("credit_notes", ["x"]) == ['CreditNote.CreditNoteID==guid("x")']


def test_id_lists_keep_every_url_within_xero_limit():
    ids = [str(uuid.UUID(int=i)) for i in range(500)]
    chunks = ids_for_url(ids, "Invoices", [("page", "1")])
    assert sorted(i for c in chunks for i in c.split(",")) == sorted(ids)
    assert len(chunks[0].split(",")) > 40, "about 50 GUIDs fit in a URL"
    for chunk in chunks:
        assert url_length("Invoices", [("page", "1"), ("IDs", chunk)]) <= URL_BUDGET
    with pytest.raises(ValueError):
        chunk_for_url(["x" * 3000], ",", "Invoices", [], "IDs")


def test_cursor_is_xero_newest_minus_a_second_and_never_goes_back():
    newest = datetime(2025, 11, 21, 10, 0, 0)
    assert next_cursor(None, [PAYMENT]) == newest - timedelta(seconds=1)
    later = datetime(2030, 1, 1)
    assert next_cursor(later, [PAYMENT]) == later
    assert next_cursor(later, []) == later


def test_status_labels_and_attention():
    assert status_label("SUBMITTED") == "Awaiting Approval"
    assert status_label("AUTHORISED") == "Awaiting Payment"
    assert status_label("NEWTHING") == "NEWTHING"
    record = {
        "CurrencyCode": "USD",
        "Overpayments": [{"OverpaymentID": "o-1", "AppliedAmount": 40}],
        "Prepayments": [{"PrepaymentID": "p-1", "AppliedAmount": 5}],
    }
    assert settlements(record) == [
        ("Overpayments", 40, "USD", "o-1"),
        ("Prepayments", 5, "USD", "p-1"),
    ]
    assert settlements({"Status": "PAID"}) == []
