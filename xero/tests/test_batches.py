"""Batched writes: chunks of 50, per-element results under the caller's keys."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from xero import XeroValidationError
from xero.batch import split_text

from .conftest import CONTACT, DEMO_ORG, bill, writes


def test_batch_of_120_with_one_invalid_element(sb, connected, demo_client):
    tenant = connected[1][DEMO_ORG]
    records = [(f"account.move/{i}", bill(f"B120-{i:03d}", CONTACT)) for i in range(120)]
    records[77] = ("account.move/77", bill("B120-077", CONTACT, account="NOPE"))
    since = sb.last_seq()
    results = demo_client.send_batch("invoices", records)
    calls = writes(sb.calls(since))
    assert [c["method"] for c in calls] == ["POST"] * 3
    assert all("summarizeErrors=false" in c["query"] for c in calls)
    assert len({c["idempotency_key"] for c in calls}) == 3
    assert [c["idempotency_key"] for c in calls] == [r.idempotency_key for r in results[::50]]
    assert [r.key for r in results] == [k for k, _ in records], "results in the order given"
    bad = [r for r in results if not r.ok]
    assert [r.key for r in bad] == ["account.move/77"]
    assert bad[0].errors and "NOPE" in " ".join(bad[0].errors)
    assert bad[0].exception is None and not bad[0].retryable
    stored = {i["InvoiceNumber"]: i["InvoiceID"] for i in sb.records(tenant, "Invoices")}
    assert len(stored) == 119 and "B120-077" not in stored
    for i, result in enumerate(results):
        if i != 77:
            assert result.xero_id == stored[f"B120-{i:03d}"]
            assert result.status == "DRAFT"
            assert result.record["SubTotal"] == Decimal("100.00")


def test_update_void_and_delete_documents(sb, demo_client):
    [draft, approved] = demo_client.send_batch(
        "invoices",
        [("d", bill("B-DRAFT", CONTACT)), ("a", bill("B-AUTH", CONTACT, Status="AUTHORISED"))],
    )
    assert draft.ok and approved.ok and approved.status == "AUTHORISED"
    [edited] = demo_client.send_batch(
        "invoices", [("d", {"InvoiceID": draft.xero_id, "DueDate": "2026-12-31"})]
    )
    assert edited.ok and edited.xero_id == draft.xero_id
    assert demo_client.set_status("invoices", approved.xero_id, "VOIDED")["Status"] == "VOIDED"
    assert demo_client.set_status("invoices", draft.xero_id, "DELETED")["Status"] == "DELETED"
    assert demo_client.get_record("invoices", approved.xero_id)["Status"] == "VOIDED"


def test_payment_allocation_history_and_attachment(sb, connected, demo_client):
    tenant = connected[1][DEMO_ORG]
    [inv] = demo_client.send_batch("invoices", [("i", bill("B-PAY", CONTACT, Status="AUTHORISED"))])
    [pay] = demo_client.send_batch(
        "payments",
        [
            (
                "p",
                {
                    "Invoice": {"InvoiceID": inv.xero_id},
                    "Account": {"Code": "090"},
                    "Date": "2026-11-21",
                    "Amount": Decimal("40.00"),
                },
            )
        ],
    )
    assert pay.ok, pay.errors
    assert demo_client.get_payments(where=f'Invoice.InvoiceID=guid("{inv.xero_id}")')
    assert demo_client.delete_payment(pay.xero_id)["Status"] == "DELETED"

    [credit] = demo_client.send_batch(
        "credit_notes",
        [
            (
                "c",
                {
                    "Type": "ACCPAYCREDIT",
                    "Contact": {"ContactID": CONTACT},
                    "Status": "AUTHORISED",
                    "Date": "2026-11-21",
                    "LineItems": [
                        {
                            "Description": "Refund",
                            "Quantity": 1,
                            "UnitAmount": Decimal("10"),
                            "AccountCode": "429",
                        }
                    ],
                },
            )
        ],
    )
    assert credit.ok, credit.errors
    allocation = demo_client.allocate_credit_note(
        credit.xero_id, inv.xero_id, Decimal("10"), date="2026-11-21"
    )
    assert Decimal(str(allocation["Amount"])) == Decimal("10")

    note = "Sent from Odoo. " + "x" * 300
    history = demo_client.add_history("invoices", inv.xero_id, note)
    assert len(history) == 2
    stored = sb.records(tenant, "History")[inv.xero_id]
    assert [h["Details"] for h in stored][-2:] == split_text(note)


def test_attachment_file_name_is_checked_before_sending(sb, demo_client):
    since = sb.last_seq()
    with pytest.raises(XeroValidationError, match="in file names"):
        demo_client.upload_attachment(
            "invoices", "00000000-0000-0000-0000-000000000000", "bill:1?.pdf", b"x"
        )
    assert sb.calls(since) == []


def test_upload_attachment(sb, connected, demo_client):
    tenant = connected[1][DEMO_ORG]
    [inv] = demo_client.send_batch("invoices", [("i", bill("B-ATT", CONTACT))])
    pdf = b"%PDF-1.4 fake bill scan"
    attachment = demo_client.upload_attachment("invoices", inv.xero_id, "Bill (1).pdf", pdf)
    assert attachment["FileName"] == "Bill (1).pdf"
    assert sb.records(tenant, "Attachments")


def test_reads_return_plain_dicts_and_pages(sb, demo_client):
    assert demo_client.get_organisation()["Name"] == DEMO_ORG
    assert any(a["Code"] == "090" for a in demo_client.get_accounts())
    assert demo_client.get_tax_rates() and demo_client.get_currencies()
    assert demo_client.get_tracking_categories() and demo_client.get_items()
    page = demo_client.get_contacts(page=1)
    assert len(page) == 100 and page.has_more
    found = demo_client.get_contacts(page=1, search_term="Nimbus")
    assert found and all("Nimbus" in c["Name"] for c in found) and not found.has_more
    assert demo_client.get_contacts(ids=[CONTACT])[0]["ContactID"] == CONTACT
    assert demo_client.get_invoices(page=1, statuses=["DRAFT"]) == []
    [made] = demo_client.send_batch("invoices", [("k", bill("B-IMS", CONTACT))])
    later = datetime.now(UTC) + timedelta(days=1)
    assert [i["InvoiceID"] for i in demo_client.get_invoices(page=1)] == [made.xero_id]
    assert demo_client.get_invoices(page=1, if_modified_since=later) == []
    assert demo_client.get_purchase_orders(page=1) == []
    assert demo_client.get_credit_notes(page=1) == []


def test_contacts_and_purchase_orders(sb, connected, demo_client):
    tenant = connected[1][DEMO_ORG]
    results = demo_client.send_batch(
        "contacts",
        [
            ("res.partner/1", {"Name": "Odoo Supplier One", "ContactNumber": "OD-1"}),
            ("res.partner/2", {"Name": "Odoo Supplier Two", "EmailAddress": "two@example.com"}),
        ],
    )
    assert all(r.ok and r.status == "ACTIVE" for r in results)
    archived = demo_client.set_status("contacts", results[1].xero_id, "ARCHIVED")
    assert archived["ContactStatus"] == "ARCHIVED"
    supplier = results[0].xero_id
    [po] = demo_client.send_batch(
        "purchase_orders",
        [
            (
                "purchase.order/7",
                {
                    "Contact": {"ContactID": supplier},
                    "Date": "2026-11-21",
                    "Reference": "PO00007",
                    "Status": "AUTHORISED",
                    "LineItems": [
                        {
                            "Description": "Bolts",
                            "Quantity": 10,
                            "UnitAmount": Decimal("1.5"),
                            "AccountCode": "300",
                        }
                    ],
                },
            )
        ],
    )
    assert po.ok, po.errors
    assert po.status == "AUTHORISED"
    assert demo_client.get_purchase_orders(page=1, status="AUTHORISED")[0]["Reference"] == "PO00007"
    assert demo_client.set_status("purchase_orders", po.xero_id, "DELETED")["Status"] == "DELETED"
    stored = {p["PurchaseOrderID"]: p["Status"] for p in sb.records(tenant, "PurchaseOrders")}
    assert stored == {po.xero_id: "DELETED"}
