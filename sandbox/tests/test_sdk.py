"""The official xero-python SDK talks to the sandbox: identity, token refresh, client
credentials, reads and writes, and its exception mapping."""

import time
import uuid
from datetime import date

import pytest
from xero_python.accounting import Account as XAccount
from xero_python.accounting import (
    AccountingApi,
    Contact,
    Contacts,
    HistoryRecord,
    HistoryRecords,
    Invoice,
    Invoices,
    LineItem,
    Payment,
    PaymentDelete,
    Payments,
    PurchaseOrder,
    PurchaseOrders,
)
from xero_python.api_client import ApiClient, Configuration
from xero_python.api_client.oauth2 import OAuth2Token, TokenApi
from xero_python.exceptions import AccountingBadRequestException, NotFoundException
from xero_python.identity import IdentityApi

from sandbox.seed_gen import DEMO_TENANT


@pytest.fixture
def sdk(sb, monkeypatch):
    monkeypatch.setattr(TokenApi, "refresh_token_url", sb.token_url)
    monkeypatch.setattr(TokenApi, "client_credentials_token_url", sb.token_url)
    monkeypatch.setattr(TokenApi, "revoke_token_url", sb.revocation_url)
    token = dict(sb.tokens())
    token["expires_at"] = time.time() + token["expires_in"]
    store = {"token": token, "saved": 0}

    def saver(new_token):
        store["token"] = new_token
        store["saved"] += 1

    cfg = Configuration()
    cfg.oauth2_token = OAuth2Token(
        client_id="sandbox-client-id", client_secret="sandbox-client-secret"
    )
    client = ApiClient(cfg, oauth2_token_getter=lambda: store["token"], oauth2_token_saver=saver)
    client.rest_client.pool_manager.connection_pool_kw["retries"] = False
    client.rest_client.pool_manager.clear()
    return {
        "client": client,
        "store": store,
        "accounting": AccountingApi(client, base_url=sb.accounting_url),
        "identity": IdentityApi(client, base_url=sb.url),
    }


def test_sdk_identity_and_reads(sdk):
    connections = sdk["identity"].get_connections()
    assert DEMO_TENANT in {c.tenant_id for c in connections}
    acc = sdk["accounting"]
    org = acc.get_organisations(DEMO_TENANT).organisations[0]
    assert org.name == "Demo Company (Global)"
    contacts = acc.get_contacts(DEMO_TENANT, page=1, page_size=50)
    assert len(contacts.contacts) == 50 and contacts.pagination.item_count >= 160
    codes = {a.code for a in acc.get_accounts(DEMO_TENANT).accounts}
    assert {"090", "200", "300"} <= codes
    assert acc.get_tax_rates(DEMO_TENANT).tax_rates
    assert acc.get_tracking_categories(DEMO_TENANT).tracking_categories
    assert acc.get_currencies(DEMO_TENANT).currencies
    assert acc.get_items(DEMO_TENANT, unitdp=4).items


def test_sdk_writes_and_errors(sdk):
    acc = sdk["accounting"]
    supplier = acc.get_contacts(DEMO_TENANT, where='Name.StartsWith("Acme")').contacts[0]
    invoice = Invoice(
        type="ACCPAY",
        contact=Contact(contact_id=supplier.contact_id),
        date=date(2026, 11, 3),
        due_date=date(2026, 12, 3),
        invoice_number="SDK-1",
        status="AUTHORISED",
        line_items=[
            LineItem(
                description="Paper",
                quantity=2,
                unit_amount=12.5,
                account_code="300",
                tax_type="INPUT",
            )
        ],
    )
    bad = Invoice(
        type="ACCPAY",
        contact=Contact(contact_id=supplier.contact_id),
        line_items=[LineItem(description="x", quantity=1, unit_amount=1, account_code="999")],
    )
    result = acc.create_invoices(
        DEMO_TENANT,
        Invoices(invoices=[invoice, bad]),
        summarize_errors=False,
        idempotency_key=str(uuid.uuid4()),
    )
    ok, failed = result.invoices
    assert ok.status_attribute_string == "OK" and float(ok.total) == 28.75
    assert failed.has_errors and "999" in failed.validation_errors[0].message
    with pytest.raises(AccountingBadRequestException) as err:
        acc.create_invoices(DEMO_TENANT, Invoices(invoices=[bad]))
    assert "999" in err.value.reason
    found = acc.get_invoices(DEMO_TENANT, where='InvoiceNumber=="SDK-1"', page=1)
    assert found.invoices[0].invoice_id == ok.invoice_id
    assert found.invoices[0].line_items[0].line_item_id
    payment = Payment(
        invoice=Invoice(invoice_id=ok.invoice_id),
        account=XAccount(code="090"),
        amount=28.75,
        date=date(2026, 11, 20),
    )
    acc.create_payment(DEMO_TENANT, payment, idempotency_key=str(uuid.uuid4()))
    paid = acc.get_invoice(DEMO_TENANT, ok.invoice_id).invoices[0]
    assert getattr(paid.status, "value", paid.status) == "PAID"
    acc.create_invoice_history(
        DEMO_TENANT,
        ok.invoice_id,
        HistoryRecords(history_records=[HistoryRecord(details="Sent from Odoo")]),
    )
    attachment = acc.create_invoice_attachment_by_file_name(
        DEMO_TENANT, ok.invoice_id, "Bill (1).pdf", b"%PDF-1.4", include_online=False
    )
    assert attachment.attachments[0].file_name == "Bill (1).pdf"
    with pytest.raises(NotFoundException):
        acc.get_invoice(DEMO_TENANT, str(uuid.uuid4()))
    headers = sdk["client"].last_response.getheaders()
    assert "X-DayLimit-Remaining" in headers


def test_sdk_refreshes_expired_token(sdk):
    store = sdk["store"]
    old_refresh = store["token"]["refresh_token"]
    store["token"] = dict(store["token"], expires_at=time.time() - 10)
    org = sdk["accounting"].get_organisations(DEMO_TENANT).organisations[0]
    assert org.organisation_id == DEMO_TENANT
    assert store["saved"] == 1 and store["token"]["refresh_token"] != old_refresh


def test_sdk_client_credentials(sb, sdk):
    client = sdk["client"]
    client.configuration.oauth2_token = OAuth2Token(
        client_id="sandbox-custom-id", client_secret="sandbox-custom-secret"
    )
    token = client.get_client_credentials_token()
    assert token["access_token"] and "refresh_token" not in token
    org = sdk["accounting"].get_organisations("").organisations[0]
    assert org.organisation_id == DEMO_TENANT


def test_sdk_updates_purchase_orders_contacts_and_payments(sdk):
    acc = sdk["accounting"]
    created = acc.create_contacts(
        DEMO_TENANT,
        Contacts(contacts=[Contact(name="SDK Supplier Ltd", email_address="ap@sdk.example.com")]),
        summarize_errors=False,
    ).contacts[0]
    assert created.contact_id and created.status_attribute_string == "OK"
    order = PurchaseOrder(
        contact=Contact(contact_id=created.contact_id),
        date=date(2026, 11, 1),
        line_items=[
            LineItem(
                description="Toner",
                quantity=3,
                unit_amount=61.0,
                account_code="300",
                tax_type="INPUT",
            )
        ],
    )
    po = acc.create_purchase_orders(
        DEMO_TENANT, PurchaseOrders(purchase_orders=[order]), summarize_errors=False
    ).purchase_orders[0]
    assert po.purchase_order_number.startswith("PO-")
    po = acc.update_purchase_order(
        DEMO_TENANT,
        po.purchase_order_id,
        PurchaseOrders(purchase_orders=[PurchaseOrder(status="AUTHORISED")]),
    ).purchase_orders[0]
    assert getattr(po.status, "value", po.status) == "AUTHORISED"
    listed = acc.get_purchase_orders(DEMO_TENANT, status="AUTHORISED", page=1)
    assert po.purchase_order_id in {p.purchase_order_id for p in listed.purchase_orders}
    bill = acc.update_or_create_invoices(
        DEMO_TENANT,
        Invoices(
            invoices=[
                Invoice(
                    type="ACCPAY",
                    contact=Contact(contact_id=created.contact_id),
                    status="DRAFT",
                    line_items=[
                        LineItem(
                            description="Toner", quantity=1, unit_amount=10, account_code="300"
                        )
                    ],
                )
            ]
        ),
        summarize_errors=False,
    ).invoices[0]
    bill = acc.update_invoice(
        DEMO_TENANT, bill.invoice_id, Invoices(invoices=[Invoice(status="AUTHORISED")])
    ).invoices[0]
    payment = acc.create_payments(
        DEMO_TENANT,
        Payments(
            payments=[
                Payment(
                    invoice=Invoice(invoice_id=bill.invoice_id),
                    account=XAccount(code="090"),
                    amount=5.0,
                    date=date(2026, 11, 21),
                )
            ]
        ),
        summarize_errors=False,
    ).payments[0]
    acc.delete_payment(DEMO_TENANT, payment.payment_id, PaymentDelete(status="DELETED"))
    again = acc.get_invoice(DEMO_TENANT, bill.invoice_id).invoices[0]
    assert float(again.amount_paid) == 0


def test_sdk_deletes_a_connection(sb, sdk):
    identity = sdk["identity"]
    before = identity.get_connections()
    second = next(c for c in before if c.tenant_id != DEMO_TENANT)
    identity.delete_connection(second.id)
    assert second.id not in {c.id for c in identity.get_connections()}
    sb.authorize()  # give the session's user its connection back
