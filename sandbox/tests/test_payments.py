"""Payments: batch and single create, AmountPaid/AmountDue, PAID, limits, delete, reads,
and the paid-bill edit lock."""

from .conftest import bill, line
from .test_invoices import create


def approved_bill(api, supplier, amount=100.0):
    return create(api, bill(supplier["ContactID"], line(amount), Status="AUTHORISED"))


def payment(invoice_id, amount, code="090", **extra):
    body = {
        "Invoice": {"InvoiceID": invoice_id},
        "Account": {"Code": code},
        "Date": "2026-11-10",
        "Amount": amount,
    }
    body.update(extra)
    return body


def test_partial_then_full_payment_sets_paid(api, supplier):
    inv = approved_bill(api, supplier)  # 115.00 incl. tax
    body = api.ok(
        "PUT",
        "/Payments",
        {"Payments": [payment(inv["InvoiceID"], 15.0)]},
        params={"summarizeErrors": "false"},
    )
    pay = body["Payments"][0]
    assert pay["Status"] == "AUTHORISED" and pay["PaymentType"] == "ACCPAYPAYMENT"
    stored = api.ok("GET", f"/Invoices/{inv['InvoiceID']}")["Invoices"][0]
    assert (stored["AmountPaid"], stored["AmountDue"], stored["Status"]) == (
        15.0,
        100.0,
        "AUTHORISED",
    )
    api.ok("POST", "/Payments", payment(inv["InvoiceID"], 100.0, Reference="rest"))
    stored = api.ok("GET", f"/Invoices/{inv['InvoiceID']}")["Invoices"][0]
    assert stored["Status"] == "PAID" and stored["AmountDue"] == 0
    assert len(stored["Payments"]) == 2


def test_overpayment_and_unapproved_refused(api, supplier):
    inv = approved_bill(api, supplier)
    body = api.ok(
        "PUT",
        "/Payments",
        {"Payments": [payment(inv["InvoiceID"], 500.0)]},
        params={"summarizeErrors": "false"},
    )
    assert "exceeds the amount outstanding" in body["Payments"][0]["ValidationErrors"][0]["Message"]
    draft = create(api, bill(supplier["ContactID"]))
    resp = api.put("/Payments", {"Payments": [payment(draft["InvoiceID"], 1.0)]})
    assert resp.status_code == 400
    assert "Authorised" in resp.json()["Elements"][0]["ValidationErrors"][0]["Message"]


def test_payment_account_must_be_bank(api, supplier):
    inv = approved_bill(api, supplier)
    resp = api.put("/Payments", {"Payments": [payment(inv["InvoiceID"], 1.0, code="429")]})
    assert resp.status_code == 400
    assert (
        "invalid for making a payment"
        in resp.json()["Elements"][0]["ValidationErrors"][0]["Message"]
    )


def test_paid_bill_cannot_be_edited_or_voided(api, supplier):
    inv = approved_bill(api, supplier, 10.0)
    api.ok("PUT", "/Payments", {"Payments": [payment(inv["InvoiceID"], 5.0)]})
    for change in ({"Reference": "new"}, {"Status": "VOIDED"}, {"LineItems": [line(1.0)]}):
        resp = api.post(f"/Invoices/{inv['InvoiceID']}", {"Invoices": [change]})
        assert resp.status_code == 400, change
        assert (
            "payment or credit note allocated"
            in resp.json()["Elements"][0]["ValidationErrors"][0]["Message"]
        )


def test_paid_sales_invoice_allows_limited_edits(api):
    customer = api.ok("GET", "/Contacts", params={"where": 'Name=="Young Bros"'})["Contacts"][0]
    inv = create(
        api,
        {
            "Type": "ACCREC",
            "Contact": {"ContactID": customer["ContactID"]},
            "Status": "AUTHORISED",
            "LineItems": [line(50.0, account="200", tax="OUTPUT")],
        },
    )
    api.ok("POST", "/Payments", payment(inv["InvoiceID"], 10.0))
    api.ok("POST", f"/Invoices/{inv['InvoiceID']}", {"Invoices": [{"Reference": "PO 7"}]})
    resp = api.post(
        f"/Invoices/{inv['InvoiceID']}",
        {"Invoices": [{"LineItems": [line(60.0, account="200", tax="OUTPUT")]}]},
    )
    assert resp.status_code == 400


def test_delete_payment_restores_amounts(api, supplier):
    inv = approved_bill(api, supplier)
    pay = api.ok("POST", "/Payments", payment(inv["InvoiceID"], 115.0))["Payments"][0]
    assert api.ok("GET", f"/Invoices/{inv['InvoiceID']}")["Invoices"][0]["Status"] == "PAID"
    resp = api.post(f"/Payments/{pay['PaymentID']}", {"Status": "AUTHORISED"})
    assert resp.status_code == 400
    deleted = api.ok("POST", f"/Payments/{pay['PaymentID']}", {"Status": "DELETED"})
    assert deleted["Payments"][0]["Status"] == "DELETED"
    stored = api.ok("GET", f"/Invoices/{inv['InvoiceID']}")["Invoices"][0]
    assert (stored["Status"], stored["AmountDue"], stored["AmountPaid"]) == ("AUTHORISED", 115.0, 0)


def test_get_payments_where_and_paging(api, supplier):
    inv = approved_bill(api, supplier)
    api.ok("POST", "/Payments", payment(inv["InvoiceID"], 1.0, Reference="WHERE-REF"))
    where = (
        f'Invoice.InvoiceID=guid("{inv["InvoiceID"]}") AND PaymentType=="ACCPAYPAYMENT"'
        ' AND Status=="AUTHORISED" AND Date>=DateTime(2026,11,01)'
    )
    found = api.ok("GET", "/Payments", params={"where": where})["Payments"]
    assert len(found) == 1 and found[0]["Reference"] == "WHERE-REF"
    found = api.ok("GET", "/Payments", params={"where": 'Reference=="WHERE-REF"', "page": 1})
    assert found["pagination"]["itemCount"] == 1
    one = api.ok("GET", f"/Payments/{found['Payments'][0]['PaymentID']}")["Payments"]
    assert one[0]["Amount"] == 1.0


def test_pay_helper_marks_bill_paid(api, supplier, sb):
    inv = approved_bill(api, supplier)
    sb.pay(api.tenant, inv["InvoiceID"])
    assert api.ok("GET", f"/Invoices/{inv['InvoiceID']}")["Invoices"][0]["Status"] == "PAID"


def test_pay_many_helper_answers_each_payment(api, supplier, sb):
    first, second = approved_bill(api, supplier), approved_bill(api, supplier)
    answers = sb.pay_many(
        api.tenant,
        [
            {"InvoiceID": first["InvoiceID"], "Amount": 15.0},
            {"InvoiceID": second["InvoiceID"]},
            {"InvoiceID": second["InvoiceID"], "Amount": 1.0},
        ],
    )
    assert answers[0]["Amount"] == 15.0 and answers[1]["Amount"] == 115.0
    assert "Authorised" in answers[2]["errors"][0]  # paid in full by the second
    stored = api.ok("GET", f"/Invoices/{first['InvoiceID']}")["Invoices"][0]
    assert (stored["Status"], stored["AmountDue"]) == ("AUTHORISED", 100.0)


def test_bank_account_currency_must_match(api, supplier):
    usd_bill = approved_bill(api, supplier)
    resp = api.put("/Payments", {"Payments": [payment(usd_bill["InvoiceID"], 1.0, code="092")]})
    assert resp.status_code == 400 and "currency" in resp.text
    eur_bill = create(
        api,
        bill(
            supplier["ContactID"],
            line(10.0),
            Status="AUTHORISED",
            CurrencyCode="EUR",
            CurrencyRate=0.9,
        ),
    )
    api.ok("PUT", "/Payments", {"Payments": [payment(eur_bill["InvoiceID"], 1.0, code="092")]})
    api.ok(
        "PUT",
        "/Payments",
        {"Payments": [payment(eur_bill["InvoiceID"], 1.0, code="090", CurrencyRate=0.9)]},
    )
