"""Finding what a send with a lost answer created: payments and documents (no HTTP)."""

from decimal import Decimal

from xero.mapping import documents as docs
from xero.mapping import payment as pay

INV = "11111111-1111-1111-1111-111111111111"
OTHER = "22222222-2222-2222-2222-222222222222"


def _payment(pid, ref, amount=25.0, day="/Date(1767225600000+0000)/", inv=INV, status="AUTHORISED"):
    return {
        "PaymentID": pid,
        "Invoice": {"InvoiceID": inv},
        "Reference": ref,
        "Amount": amount,
        "Date": day,
        "Status": status,
    }


def test_find_payment_by_document_reference_amount_and_date():
    records = [
        _payment("hand", "", 25.0),
        _payment("deleted", "PBNK1/0001", status="DELETED"),
        _payment("other-doc", "PBNK1/0001", inv=OTHER),
        _payment("ours", "PBNK1/0001"),
    ]
    found = pay.find_payment(records, "invoices", INV, "PBNK1/0001", amount=25.0, day="2026-01-01")
    assert found["PaymentID"] == "ours"
    assert not pay.find_payment(records, "invoices", INV, "PBNK1/0001", amount=26.0)
    assert not pay.find_payment(records, "invoices", INV, "PBNK1/0001", day="2026-01-02")
    assert not pay.find_payment(records, "invoices", INV, "PBNK1/0001", exclude_ids={"ours"})


def test_rate_is_document_currency_per_company_currency():
    rate = pay.rate_for(1000.01, 1100.01)
    payload = pay.payment_payload(
        "invoices", INV, account_id="a", day="2026-01-01", amount=1000.01, rate=rate
    )
    assert pay.base_amount(payload["Amount"], payload["CurrencyRate"]) == Decimal("1100.01")


def test_document_identity_ignores_odoo_host():
    payload = {"Type": "ACCPAY", "Url": "http://localhost:8069/odoo/account.move/7"}
    ident = docs.identity(payload, "invoices")
    record = {"Type": "ACCPAY", "Url": "https://erp.example.com/odoo/account.move/7"}
    assert docs.find_match([record], ident, "invoices") is record
    moved = {"Type": "ACCPAY", "Url": "https://erp.example.com/odoo/account.move/8"}
    assert docs.find_match([moved], ident, "invoices") is None


def test_document_identity_ignores_odoo_base_url_path():
    # Odoo served under a path (behind a proxy) since the lost send: still ours.
    payload = {"Type": "ACCPAY", "Url": "http://localhost:8069/odoo/account.move/7"}
    ident = docs.identity(payload, "invoices")
    record = {"Type": "ACCPAY", "Url": "https://example.com/erp/odoo/account.move/7?x=1"}
    assert docs.find_match([record], ident, "invoices") is record
    other = {"Type": "ACCPAY", "Url": "https://example.com/erp/odoo/account.move/17"}
    assert docs.find_match([other], ident, "invoices") is None


def test_lookup_queries_have_no_time_window():
    sales = {"Type": "ACCREC", "InvoiceNumber": "INV/1", "Contact": {"ContactID": "c1"}}
    bill = {"Type": "ACCPAY", "InvoiceNumber": "SUP-1", "Contact": {"ContactID": "c2"}}
    queries = docs.lookup_queries("invoices", [sales, bill])
    assert queries == [{"invoice_numbers": ["INV/1"]}, {"contact_ids": ["c2"]}]
    notes = docs.lookup_queries(
        "credit_notes", [{"Type": "ACCPAYCREDIT", "Contact": {"ContactID": "c3"}}]
    )
    assert notes == [{"where": 'Contact.ContactID==guid("c3")'}]
    orders = docs.lookup_queries("purchase_orders", [{"Date": "2026-01-05"}])
    assert orders == [{"date_from": "2026-01-05", "date_to": "2026-01-05"}]
    assert all("if_modified_since" not in q for q in queries + notes + orders)
