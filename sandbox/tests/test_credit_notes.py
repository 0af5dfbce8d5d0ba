"""Credit notes: create, totals, transitions, allocation to bills and its removal."""

from .conftest import bill, line
from .test_invoices import create as create_invoice


def create_note(api, supplier, status="AUTHORISED", amount=20.0):
    body = api.ok(
        "PUT",
        "/CreditNotes",
        {
            "CreditNotes": [
                {
                    "Type": "ACCPAYCREDIT",
                    "Contact": {"ContactID": supplier["ContactID"]},
                    "Status": status,
                    "Date": "2026-11-05",
                    "LineItems": [line(amount)],
                }
            ]
        },
        params={"summarizeErrors": "false"},
    )
    note = body["CreditNotes"][0]
    assert note["StatusAttributeString"] == "OK", note
    return note


def test_create_credit_note(api, supplier):
    note = create_note(api, supplier)
    assert note["Total"] == 23.0 and note["RemainingCredit"] == 23.0
    assert note["Type"] == "ACCPAYCREDIT"
    got = api.ok("GET", f"/CreditNotes/{note['CreditNoteID']}")["CreditNotes"][0]
    assert got["LineItems"][0]["LineAmount"] == 20.0


def test_credit_note_rules(api, supplier):
    body = api.ok(
        "PUT",
        "/CreditNotes",
        {
            "CreditNotes": [
                {
                    "Type": "ACCPAYCREDIT",
                    "Contact": {"ContactID": supplier["ContactID"]},
                    "LineItems": [line(DiscountRate=5)],
                }
            ]
        },
        params={"summarizeErrors": "false"},
    )
    assert body["CreditNotes"][0]["HasErrors"] is True
    note = create_note(api, supplier)
    resp = api.post(
        f"/CreditNotes/{note['CreditNoteID']}", {"CreditNotes": [{"Status": "DELETED"}]}
    )
    assert resp.status_code == 400
    api.ok("POST", f"/CreditNotes/{note['CreditNoteID']}", {"CreditNotes": [{"Status": "VOIDED"}]})


def test_allocate_to_bill_and_remove(api, supplier):
    inv = create_invoice(api, bill(supplier["ContactID"], line(100.0), Status="AUTHORISED"))
    draft = create_note(api, supplier, status="DRAFT")
    resp = api.put(
        f"/CreditNotes/{draft['CreditNoteID']}/Allocations",
        {
            "Allocations": [
                {"Amount": 5.0, "Invoice": {"InvoiceID": inv["InvoiceID"]}, "Date": "2026-11-06"}
            ]
        },
    )
    assert resp.status_code == 400
    note = create_note(api, supplier)
    body = api.ok(
        "PUT",
        f"/CreditNotes/{note['CreditNoteID']}/Allocations",
        {
            "Allocations": [
                {"Amount": 23.0, "Invoice": {"InvoiceID": inv["InvoiceID"]}, "Date": "2026-11-06"}
            ]
        },
    )
    allocation = body["Allocations"][0]
    stored = api.ok("GET", f"/Invoices/{inv['InvoiceID']}")["Invoices"][0]
    assert stored["AmountCredited"] == 23.0 and stored["AmountDue"] == 92.0
    note_now = api.ok("GET", f"/CreditNotes/{note['CreditNoteID']}")["CreditNotes"][0]
    assert note_now["Status"] == "PAID" and note_now["RemainingCredit"] == 0
    resp = api.call(
        "DELETE", f"/CreditNotes/{note['CreditNoteID']}/Allocations/{allocation['AllocationID']}"
    )
    assert resp.status_code == 200
    stored = api.ok("GET", f"/Invoices/{inv['InvoiceID']}")["Invoices"][0]
    assert stored["AmountDue"] == 115.0


def test_over_allocation_refused(api, supplier):
    inv = create_invoice(api, bill(supplier["ContactID"], line(10.0), Status="AUTHORISED"))
    note = create_note(api, supplier, amount=100.0)
    resp = api.put(
        f"/CreditNotes/{note['CreditNoteID']}/Allocations",
        {
            "Allocations": [
                {"Amount": 50.0, "Invoice": {"InvoiceID": inv["InvoiceID"]}, "Date": "2026-11-06"}
            ]
        },
    )
    assert resp.status_code == 400
