"""Document payload mapping: plain values in, Xero JSON out (no database, no HTTP)."""

from datetime import date

import pytest

from xero.mapping import documents as m

CONTACT = "59abb933-70c0-5d48-8ac7-f8f05bdfd7e9"


def _line(**kw):
    base = {
        "description": "Paper",
        "quantity": 2,
        "price_unit": 10.0,
        "discount": 0,
        "account_code": "300",
        "tax_type": "INPUT",
        "price_include": False,
        "tracking": [],
    }
    base.update(kw)
    return base


def _doc(**kw):
    base = {
        "kind": "invoices",
        "type": "ACCPAY",
        "contact_id": CONTACT,
        "date": date(2026, 11, 20),
        "due_date": date(2026, 12, 20),
        "number": "SUP-1",
        "reference": "BILL/2026/11/0001",
        "url": "https://odoo.example.com/odoo/account.move/7",
        "currency": "USD",
        "status": "SUBMITTED",
        "lines": [_line()],
    }
    base.update(kw)
    return base


def test_bill_payload_has_supplier_number_url_and_no_reference():
    payload, unitdp = m.document_payload(_doc())
    assert unitdp is None
    assert payload["Type"] == "ACCPAY"
    assert payload["InvoiceNumber"] == "SUP-1"
    assert payload["Url"].endswith("/account.move/7")
    assert "Reference" not in payload  # ACCREC only in Xero
    assert payload["LineAmountTypes"] == "Exclusive"
    assert payload["LineItems"][0] == {
        "Description": "Paper",
        "Quantity": 2.0,
        "UnitAmount": 10.0,
        "AccountCode": "300",
        "TaxType": "INPUT",
    }


def test_four_decimal_prices_ask_for_unitdp_4():
    payload, unitdp = m.document_payload(_doc(lines=[_line(price_unit=1.23456)]))
    assert unitdp == 4
    assert payload["LineItems"][0]["UnitAmount"] == 1.2346


def test_purchase_orders_never_use_unitdp():
    doc = _doc(kind="purchase_orders", type=None, lines=[_line(price_unit=1.23456)])
    payload, unitdp = m.document_payload(doc)
    assert unitdp is None
    assert payload["LineItems"][0]["UnitAmount"] == 1.23
    assert "Type" not in payload and payload["PurchaseOrderNumber"] == "SUP-1"


def test_discount_is_a_rate_on_sales_invoices_and_a_net_price_elsewhere():
    sales, _dp = m.document_payload(_doc(type="ACCREC", lines=[_line(discount=10)]))
    assert sales["LineItems"][0]["DiscountRate"] == 10.0
    assert sales["LineItems"][0]["UnitAmount"] == 10.0
    bill, _dp = m.document_payload(_doc(lines=[_line(discount=10)]))
    assert "DiscountRate" not in bill["LineItems"][0]
    assert bill["LineItems"][0]["UnitAmount"] == 9.0


def test_taxes_included_and_mixed_modes():
    payload, _dp = m.document_payload(_doc(lines=[_line(price_include=True)]))
    assert payload["LineAmountTypes"] == "Inclusive"
    with pytest.raises(m.MappingError, match="one mode per document"):
        m.document_payload(_doc(lines=[_line(price_include=True), _line()]))


def test_no_lines_is_refused():
    with pytest.raises(m.MappingError, match="no lines"):
        m.document_payload(_doc(lines=[]))


def test_tracking_goes_by_ids():
    payload, _dp = m.document_payload(_doc(lines=[_line(tracking=[("cat", "opt")])]))
    assert payload["LineItems"][0]["Tracking"] == [
        {"TrackingCategoryID": "cat", "TrackingOptionID": "opt"}
    ]


def test_identity_and_match():
    bill, _dp = m.document_payload(_doc())
    ident = m.identity(bill, "invoices")
    assert ident == {"Type": "ACCPAY", "Url": m.url_key(bill["Url"])}
    records = [
        {"InvoiceID": "a", "Type": "ACCPAY", "Url": bill["Url"], "Status": "DELETED"},
        {"InvoiceID": "b", "Type": "ACCPAY", "Url": bill["Url"], "Status": "SUBMITTED"},
    ]
    assert m.find_match(records, ident, "invoices")["InvoiceID"] == "b"
    assert m.find_match(records, ident, "invoices", exclude_ids={"b"}) is None
    refund, _dp = m.document_payload(_doc(kind="credit_notes", type="ACCPAYCREDIT"))
    ident = m.identity(refund, "credit_notes")
    match = {
        "CreditNoteID": "c",
        "Type": "ACCPAYCREDIT",
        "CreditNoteNumber": "SUP-1",
        "Contact": {"ContactID": CONTACT},
        "Date": "/Date(1795132800000+0000)/",
        "Status": "SUBMITTED",
    }
    assert m.find_match([match], ident, "credit_notes")["CreditNoteID"] == "c"


def test_totals_difference_to_the_cent():
    assert m.totals_difference(115.0, 15.0, 115.0, 15.0) is None
    diff = m.totals_difference(115.01, 15.01, 115.0, 15.0)
    assert str(diff["total"][0]) == "115.01" and str(diff["total"][1]) == "115.00"


def test_attachment_plan_keeps_ten_and_respects_size():
    rows = [{"id": i, "name": f"f{i}.pdf", "size": 10} for i in range(11)]
    rows.append({"id": 99, "name": "big.pdf", "size": 10_000})
    send, skipped = m.attachment_plan(rows, already=0, max_bytes=1000)
    assert [r["id"] for r in send] == list(range(10))
    reasons = {r["id"]: why for r, why in skipped}
    assert "at most 10" in reasons[10] and "larger than" in reasons[99]


def test_history_records_are_split_at_250():
    records = m.history_records(["x " * 200, "short"])
    assert all(len(r["Details"]) <= 250 for r in records)
    assert records[-1]["Details"] == "short" and len(records) == 3


def test_web_urls():
    assert m.web_url("invoices", "ACCREC", "id1").endswith(
        "AccountsReceivable/View.aspx?InvoiceID=id1"
    )
    assert m.web_url("invoices", "ACCPAY", "id1").endswith(
        "AccountsPayable/View.aspx?InvoiceID=id1"
    )
    assert m.web_url("purchase_orders", None, "p").endswith("PurchaseOrders/View/p")
    assert m.web_url("invoices", "ACCPAY", "id1", "http://127.0.0.1:9") == "http://127.0.0.1:9/#id1"
    assert m.web_url("invoices", "ACCPAY", False) is False
