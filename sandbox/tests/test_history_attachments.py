"""History notes and attachments on documents."""

import pytest

from .conftest import bill
from .test_invoices import create


@pytest.fixture
def invoice(api, supplier):
    return create(api, bill(supplier["ContactID"]))


def test_history_add_and_list(api, invoice):
    path = f"/Invoices/{invoice['InvoiceID']}/History"
    body = api.ok("PUT", path, {"HistoryRecords": [{"Details": "Synced from Odoo"}]})
    assert body["HistoryRecords"][0]["Details"] == "Synced from Odoo"
    rows = api.ok("GET", path)["HistoryRecords"]
    assert [r["Details"] for r in rows][-1] == "Synced from Odoo"
    assert any(r["Changes"] == "Created" for r in rows)
    resp = api.put(path, {"HistoryRecords": [{"Details": "x" * 251}]})
    assert resp.status_code == 400


def test_history_on_contacts_and_purchase_orders(api, supplier):
    path = f"/Contacts/{supplier['ContactID']}/History"
    api.ok("PUT", path, {"HistoryRecords": [{"Details": "Note on contact"}]})
    assert (
        api.get("/PurchaseOrders/00000000-0000-4000-8000-000000000000/History").status_code == 404
    )


def upload(api, invoice, name, data=b"%PDF-1.4 test", **params):
    return api.call(
        "PUT",
        f"/Invoices/{invoice['InvoiceID']}/Attachments/{name}",
        data=data,
        params=params or None,
        headers={"Content-Type": "application/octet-stream"},
    )


def test_upload_list_and_download(api, invoice):
    resp = upload(api, invoice, "Bill%20%281%29.pdf")
    assert resp.status_code == 200, resp.text
    meta = resp.json()["Attachments"][0]
    assert meta["FileName"] == "Bill (1).pdf" and meta["MimeType"] == "application/pdf"
    assert meta["ContentLength"] == len(b"%PDF-1.4 test")
    listed = api.ok("GET", f"/Invoices/{invoice['InvoiceID']}/Attachments")["Attachments"]
    assert [a["FileName"] for a in listed] == ["Bill (1).pdf"]
    pdf = {"contentType": "application/pdf"}  # required by the spec on downloads
    raw = api.get(
        f"/Invoices/{invoice['InvoiceID']}/Attachments/{meta['AttachmentID']}", headers=pdf
    )
    assert raw.content == b"%PDF-1.4 test"
    raw = api.get(f"/Invoices/{invoice['InvoiceID']}/Attachments/Bill%20%281%29.pdf", headers=pdf)
    assert raw.content == b"%PDF-1.4 test"
    no_header = api.get(f"/Invoices/{invoice['InvoiceID']}/Attachments/Bill%20%281%29.pdf")
    assert no_header.status_code == 400 and "contentType" in no_header.text
    got = api.ok("GET", f"/Invoices/{invoice['InvoiceID']}")["Invoices"][0]
    assert got["HasAttachments"] is True


def test_reupload_overwrites_and_ten_per_document(api, invoice):
    for i in range(10):
        assert upload(api, invoice, f"file{i}.txt").status_code == 200
    assert upload(api, invoice, "file3.txt", b"new").status_code == 200
    resp = upload(api, invoice, "eleventh.txt")
    assert resp.status_code == 400 and "at most 10" in resp.text


@pytest.mark.parametrize(
    "name",
    ["a%3Cb.pdf", "a%3Ab.pdf", "a%22b.pdf", "a%7Cb.pdf", "a%3Fb.pdf", "a%2Ab.pdf", "a%5Cb.pdf"],
)
def test_forbidden_file_names(api, invoice, name):
    assert upload(api, invoice, name).status_code == 400


def test_size_limit(api, invoice, sb):
    sb.control("POST", "attachments/limit", {"max_bytes": 1024})
    try:
        assert upload(api, invoice, "big.bin", b"x" * 1025).status_code == 400
        assert upload(api, invoice, "ok.bin", b"x" * 1024).status_code == 200
    finally:
        sb.control("POST", "attachments/limit", {"max_bytes": 10 * 1024 * 1024})


def test_attachments_on_purchase_orders_and_credit_notes(api, supplier):
    order = api.ok(
        "PUT",
        "/PurchaseOrders",
        {
            "PurchaseOrders": [
                {
                    "Contact": {"ContactID": supplier["ContactID"]},
                    "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 1}],
                }
            ]
        },
    )["PurchaseOrders"][0]
    resp = api.call(
        "PUT",
        f"/PurchaseOrders/{order['PurchaseOrderID']}/Attachments/po.pdf",
        data=b"po",
        headers={"Content-Type": "application/octet-stream"},
    )
    assert resp.status_code == 200
    note = api.ok(
        "PUT",
        "/CreditNotes",
        {
            "CreditNotes": [
                {
                    "Type": "ACCPAYCREDIT",
                    "Contact": {"ContactID": supplier["ContactID"]},
                    "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 1}],
                }
            ]
        },
    )["CreditNotes"][0]
    resp = api.call(
        "POST",
        f"/CreditNotes/{note['CreditNoteID']}/Attachments/cn.pdf",
        data=b"cn",
        headers={"Content-Type": "application/octet-stream"},
    )
    assert resp.status_code == 200
