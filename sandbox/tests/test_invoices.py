"""Invoices: required fields, Xero's arithmetic, batch error modes, line update
semantics, status transitions and reads (filters, where, paging)."""

import pytest

from .conftest import bill, line


def create(api, payload, **params):
    body = api.ok(
        "PUT",
        "/Invoices",
        {"Invoices": [payload]},
        params=dict({"summarizeErrors": "false"}, **params),
    )
    inv = body["Invoices"][0]
    assert inv["StatusAttributeString"] == "OK", inv.get("ValidationErrors")
    return inv


def errors_of(api, payload, method="PUT"):
    body = api.ok(method, "/Invoices", {"Invoices": [payload]}, params={"summarizeErrors": "false"})
    inv = body["Invoices"][0]
    assert inv["HasErrors"] is True and inv["StatusAttributeString"] == "ERROR"
    return [e["Message"] for e in inv["ValidationErrors"]]


def test_create_bill_computes_totals(api, supplier):
    inv = create(api, bill(supplier["ContactID"], line(10.0, 3), line(19.99, 1)))
    assert inv["Status"] == "DRAFT" and inv["Type"] == "ACCPAY"
    assert inv["SubTotal"] == 49.99 and inv["TotalTax"] == 7.5 and inv["Total"] == 57.49
    assert inv["AmountDue"] == 57.49 and inv["AmountPaid"] == 0
    assert all(li["LineItemID"] for li in inv["LineItems"])
    assert inv["Date"].startswith("/Date(") and inv["Contact"]["Name"] == supplier["Name"]


def test_tax_is_rounded_per_line_then_summed(api, supplier):
    # 15% of 0.10 is 0.015 -> 0.02 per line; 3 lines = 0.06 (not round(0.045) = 0.05)
    inv = create(api, bill(supplier["ContactID"], line(0.1), line(0.1), line(0.1)))
    assert [li["TaxAmount"] for li in inv["LineItems"]] == [0.02, 0.02, 0.02]
    assert inv["TotalTax"] == 0.06 and inv["Total"] == 0.36


def test_inclusive_and_notax_line_amount_types(api, supplier):
    inv = create(api, bill(supplier["ContactID"], line(115.0), LineAmountTypes="Inclusive"))
    assert inv["TotalTax"] == 15.0 and inv["SubTotal"] == 100.0 and inv["Total"] == 115.0
    inv = create(api, bill(supplier["ContactID"], line(115.0), LineAmountTypes="NoTax"))
    assert inv["TotalTax"] == 0 and inv["Total"] == 115.0
    assert inv["LineItems"][0]["TaxType"] == "NONE"


def test_compound_tax_rate(api):
    customer = api.ok("GET", "/Contacts", params={"where": 'Name=="Bayside Club"'})
    payload = {
        "Type": "ACCREC",
        "Contact": {"ContactID": customer["Contacts"][0]["ContactID"]},
        "LineItems": [line(100.0, account="200", tax="TAX001")],
    }
    inv = create(api, payload)
    # GST 5% then PST 7% on top of (amount + GST): 5 + 7.35 = 12.35
    assert inv["TotalTax"] == 12.35 and inv["Total"] == 112.35
    assert inv["InvoiceNumber"].startswith("INV-")


def test_unit_amount_two_decimals_unless_unitdp4(api, supplier):
    inv = create(api, bill(supplier["ContactID"], line(1.23456, 100)))
    assert inv["LineItems"][0]["UnitAmount"] == 1.23 and inv["SubTotal"] == 123.0
    inv = create(api, bill(supplier["ContactID"], line(1.23456, 100)), unitdp="4")
    assert inv["LineItems"][0]["UnitAmount"] == 1.2346 and inv["SubTotal"] == 123.46
    again = api.ok("GET", f"/Invoices/{inv['InvoiceID']}")["Invoices"][0]
    assert again["LineItems"][0]["UnitAmount"] == 1.23
    again = api.ok("GET", f"/Invoices/{inv['InvoiceID']}", params={"unitdp": 4})["Invoices"][0]
    assert again["LineItems"][0]["UnitAmount"] == 1.2346


def test_required_fields(api, supplier):
    messages = errors_of(api, {"Type": "ACCPAY", "LineItems": [line()]})
    assert "A Contact must be specified for this type of transaction" in messages
    messages = errors_of(
        api, {"Contact": {"ContactID": supplier["ContactID"]}, "LineItems": [line()]}
    )
    assert any("Type must be specified" in m for m in messages)
    messages = errors_of(api, bill(supplier["ContactID"], LineItems=[]))
    assert "LineItems must be specified" in messages
    messages = errors_of(api, bill(supplier["ContactID"], line(Description="")))
    assert "Description needs to be at least 1 char long" in messages


def test_account_code_must_exist_and_be_active(api, supplier):
    assert any(
        "'999' is not a valid code" in m
        for m in errors_of(api, bill(supplier["ContactID"], line(account="999")))
    )
    assert any(
        "'499' is not a valid code" in m  # archived account
        for m in errors_of(api, bill(supplier["ContactID"], line(account="499")))
    )


def test_approval_needs_account_codes(api, supplier):
    row = line()
    del row["AccountCode"]
    create(api, bill(supplier["ContactID"], row))  # a draft may omit it
    messages = errors_of(api, bill(supplier["ContactID"], row, Status="AUTHORISED"))
    assert any("is not a valid code" in m for m in messages)


def test_tax_type_must_exist_and_be_active(api, supplier):
    for code in ("BOGUS", "TAX003"):  # unknown, deleted
        messages = errors_of(api, bill(supplier["ContactID"], line(tax=code)))
        assert any(f"'{code}' does not exist" in m for m in messages)


def test_currency_must_be_enabled(api, supplier):
    create(api, bill(supplier["ContactID"], CurrencyCode="EUR", CurrencyRate=1.1))
    messages = errors_of(api, bill(supplier["ContactID"], CurrencyCode="JPY"))
    assert "Organisation is not subscribed to currency JPY" in messages


def test_discount_rate_not_allowed_on_bills(api, supplier):
    messages = errors_of(api, bill(supplier["ContactID"], line(DiscountRate=10)))
    assert any("Discounts are only allowed on ACCREC" in m for m in messages)
    customer = api.ok("GET", "/Contacts", params={"where": 'Name=="City Agency"'})
    inv = create(
        api,
        {
            "Type": "ACCREC",
            "LineItems": [line(100.0, 2, "200", "OUTPUT", DiscountRate=10)],
            "Contact": {"ContactID": customer["Contacts"][0]["ContactID"]},
        },
    )
    assert inv["SubTotal"] == 180.0 and inv["TotalTax"] == 27.0


def test_archived_and_unknown_contacts_refused(api):
    archived = api.ok(
        "GET", "/Contacts", params={"includeArchived": "true", "where": 'ContactStatus=="ARCHIVED"'}
    )
    cid = archived["Contacts"][0]["ContactID"]
    assert any("archived" in m for m in errors_of(api, bill(cid)))
    missing = "00000000-0000-4000-8000-000000000001"
    assert any("could not be found" in m for m in errors_of(api, bill(missing)))


def test_invoice_creates_contact_by_name(api):
    payload = bill(None, Contact={"Name": "Brand New Vendor Pty"})
    inv = create(api, payload)
    found = api.ok("GET", "/Contacts", params={"where": 'Name=="Brand New Vendor Pty"'})
    assert found["Contacts"][0]["ContactID"] == inv["Contact"]["ContactID"]
    # the same name again reuses the contact
    again = create(api, payload)
    assert again["Contact"]["ContactID"] == inv["Contact"]["ContactID"]


def test_summarised_errors_400_still_creates_valid_elements(api, supplier):
    ref = "SUMMARISED-1"
    good = bill(supplier["ContactID"], InvoiceNumber=ref)
    bad = bill(supplier["ContactID"], line(account="999"), InvoiceNumber="SUMMARISED-BAD")
    resp = api.put("/Invoices", {"Invoices": [good, bad]})
    assert resp.status_code == 400
    body = resp.json()
    assert body["Type"] == "ValidationException" and body["ErrorNumber"] == 10
    assert len(body["Elements"]) == 1
    assert "999" in body["Elements"][0]["ValidationErrors"][0]["Message"]
    stored = api.ok("GET", "/Invoices", params={"InvoiceNumbers": ref})["Invoices"]
    assert len(stored) == 1


def test_unsummarised_batch_reports_each_element(api, supplier):
    good = bill(supplier["ContactID"])
    bad = bill(supplier["ContactID"], line(tax="NOPE"))
    body = api.ok(
        "PUT", "/Invoices", {"Invoices": [good, bad, good]}, params={"summarizeErrors": "false"}
    )
    states = [i["StatusAttributeString"] for i in body["Invoices"]]
    assert states == ["OK", "ERROR", "OK"]
    assert body["Invoices"][1]["ValidationErrors"][0]["Message"]
    assert body["Invoices"][0]["InvoiceID"] != body["Invoices"][2]["InvoiceID"]


def test_update_lines_omitted_are_deleted(api, supplier):
    inv = create(api, bill(supplier["ContactID"], line(10.0), line(20.0), line(30.0)))
    first, second, _third = inv["LineItems"]
    update = {
        "InvoiceID": inv["InvoiceID"],
        "LineItems": [
            {"LineItemID": first["LineItemID"], "UnitAmount": 11.0},
            {"LineItemID": second["LineItemID"]},
            line(5.0),
        ],
    }
    body = api.ok("POST", "/Invoices", {"Invoices": [update]})
    lines = body["Invoices"][0]["LineItems"]
    assert [li["UnitAmount"] for li in lines] == [11.0, 20.0, 5.0]
    assert lines[0]["LineItemID"] == first["LineItemID"]
    assert lines[2]["LineItemID"] not in {li["LineItemID"] for li in inv["LineItems"]}
    assert body["Invoices"][0]["SubTotal"] == 36.0


def test_update_without_line_items_keeps_lines(api, supplier):
    inv = create(api, bill(supplier["ContactID"], line(10.0), line(20.0)))
    body = api.ok(
        "POST", f"/Invoices/{inv['InvoiceID']}", {"Invoices": [{"InvoiceNumber": "RENAMED-1"}]}
    )
    assert body["Invoices"][0]["InvoiceNumber"] == "RENAMED-1"
    assert len(body["Invoices"][0]["LineItems"]) == 2


@pytest.mark.parametrize(
    "start,target,allowed",
    [
        ("DRAFT", "SUBMITTED", True),
        ("DRAFT", "AUTHORISED", True),
        ("DRAFT", "DELETED", True),
        ("DRAFT", "VOIDED", False),
        ("SUBMITTED", "DRAFT", True),
        ("SUBMITTED", "DELETED", True),
        ("SUBMITTED", "VOIDED", False),
        ("AUTHORISED", "VOIDED", True),
        ("AUTHORISED", "DELETED", False),
        ("AUTHORISED", "DRAFT", False),
        ("AUTHORISED", "SUBMITTED", False),
    ],
)
def test_status_transitions(api, supplier, start, target, allowed):
    inv = create(api, bill(supplier["ContactID"], Status=start))
    body = api.ok(
        "POST",
        f"/Invoices/{inv['InvoiceID']}",
        {"Invoices": [{"Status": target}]},
        params={"summarizeErrors": "false"},
    )
    result = body["Invoices"][0]
    assert (result["StatusAttributeString"] == "OK") is allowed, result
    stored = api.ok("GET", f"/Invoices/{inv['InvoiceID']}")["Invoices"][0]
    assert stored["Status"] == (target if allowed else start)


def test_voided_and_deleted_cannot_be_edited(api, supplier):
    for status in ("VOIDED", "DELETED"):
        start = "AUTHORISED" if status == "VOIDED" else "DRAFT"
        inv = create(api, bill(supplier["ContactID"], Status=start))
        api.ok("POST", f"/Invoices/{inv['InvoiceID']}", {"Invoices": [{"Status": status}]})
        resp = api.post(
            f"/Invoices/{inv['InvoiceID']}",
            {"Invoices": [{"Reference": "x", "LineItems": [line(1.0)]}]},
        )
        assert resp.status_code == 400
        assert "not of valid status" in resp.json()["Elements"][0]["ValidationErrors"][0]["Message"]


def test_cannot_create_as_paid_or_voided(api, supplier):
    for status in ("PAID", "VOIDED", "DELETED"):
        assert any(
            "not valid for creating" in m
            for m in errors_of(api, bill(supplier["ContactID"], Status=status))
        )


def test_accrec_invoice_number_unique(api):
    customer = api.ok("GET", "/Contacts", params={"where": 'Name=="Boom FM"'})["Contacts"][0]
    payload = {
        "Type": "ACCREC",
        "Contact": {"ContactID": customer["ContactID"]},
        "InvoiceNumber": "UNIQUE-77",
        "LineItems": [line(5.0, account="200", tax="OUTPUT")],
    }
    create(api, payload)
    assert "Invoice # must be unique." in errors_of(api, payload)
    # POST with the same number updates the existing ACCREC invoice instead
    body = api.ok("POST", "/Invoices", {"Invoices": [dict(payload, Reference="via POST")]})
    assert body["Invoices"][0]["Reference"] == "via POST"


def test_bill_numbers_are_not_unique(api, supplier):
    a = create(api, bill(supplier["ContactID"], InvoiceNumber="SUP-1"))
    b = create(api, bill(supplier["ContactID"], InvoiceNumber="SUP-1"))
    assert a["InvoiceID"] != b["InvoiceID"]


def test_tracking_categories_on_lines(api, supplier):
    tracking = [{"Name": "Region", "Option": "North"}, {"Name": "Department", "Option": "Sales"}]
    inv = create(api, bill(supplier["ContactID"], line(Tracking=tracking)))
    stored = inv["LineItems"][0]["Tracking"]
    assert {t["Option"] for t in stored} == {"North", "Sales"}
    assert all(t["TrackingCategoryID"] and t["TrackingOptionID"] for t in stored)
    bad = [{"Name": "Region", "Option": "Moon"}]
    assert any(
        "not a valid option" in m
        for m in errors_of(api, bill(supplier["ContactID"], line(Tracking=bad)))
    )


def test_get_filters_where_and_paging(api, supplier):
    for _ in range(3):
        create(api, bill(supplier["ContactID"], Status="AUTHORISED", Date="2026-03-15"))
    where = (
        f'Type=="ACCPAY" AND Status=="AUTHORISED" AND '
        f'Contact.ContactID=guid("{supplier["ContactID"]}") AND '
        "Date>=DateTime(2026,03,01) AND Date<DateTime(2026,04,01)"
    )
    found = api.ok("GET", "/Invoices", params={"where": where})["Invoices"]
    assert len(found) == 3 and all("LineItems" not in i for i in found)
    page = api.ok("GET", "/Invoices", params={"where": where, "page": 1, "pageSize": 2})
    assert len(page["Invoices"]) == 2 and "LineItems" in page["Invoices"][0]
    assert page["pagination"] == {"page": 1, "pageSize": 2, "pageCount": 2, "itemCount": 3}
    by_contact = api.ok(
        "GET", "/Invoices", params={"ContactIDs": supplier["ContactID"], "Statuses": "AUTHORISED"}
    )
    assert len(by_contact["Invoices"]) >= 3 and "pagination" in by_contact
    ids = ",".join(i["InvoiceID"] for i in found[:2])
    assert len(api.ok("GET", "/Invoices", params={"IDs": ids})["Invoices"]) == 2


def test_if_modified_since(api, supplier):
    api.sb.advance(3600)
    now = api.sb.now()[:19] + "Z"  # the spec types the header as an RFC 3339 date-time
    api.sb.advance(1)
    inv = create(api, bill(supplier["ContactID"]))
    found = api.ok("GET", "/Invoices", headers={"If-Modified-Since": now})["Invoices"]
    assert [i["InvoiceID"] for i in found] == [inv["InvoiceID"]]
    resp = api.get("/Invoices", headers={"If-Modified-Since": now[:19]})
    assert resp.status_code == 400 and "If-Modified-Since" in resp.json()["Message"]


def test_search_term(api, supplier):
    create(api, bill(supplier["ContactID"], InvoiceNumber="FINDME-42"))
    found = api.ok("GET", "/Invoices", params={"searchTerm": "findme"})["Invoices"]
    assert [i["InvoiceNumber"] for i in found] == ["FINDME-42"]


def test_bad_where_is_400(api):
    resp = api.get("/Invoices", params={"where": 'Status=="AUTHORISED" AND ('})
    assert resp.status_code == 400


def test_unknown_invoice_is_404(api):
    assert api.get("/Invoices/00000000-0000-4000-8000-000000000000").status_code == 404


def test_approving_keeps_four_decimal_unit_prices(api, supplier):
    inv = create(api, bill(supplier["ContactID"], line(1.23456, 100)), unitdp="4")
    body = api.ok(
        "POST",
        f"/Invoices/{inv['InvoiceID']}",
        {"Invoices": [{"Status": "AUTHORISED"}]},
        params={"unitdp": "4"},
    )
    assert body["Invoices"][0]["LineItems"][0]["UnitAmount"] == 1.2346
    assert body["Invoices"][0]["SubTotal"] == 123.46


def test_changing_line_amount_types_recomputes_tax(api, supplier):
    inv = create(api, bill(supplier["ContactID"], line(115.0)))
    assert inv["TotalTax"] == 17.25
    body = api.ok(
        "POST", f"/Invoices/{inv['InvoiceID']}", {"Invoices": [{"LineAmountTypes": "Inclusive"}]}
    )
    assert body["Invoices"][0]["TotalTax"] == 15.0 and body["Invoices"][0]["Total"] == 115.0


def test_reference_is_dropped_on_bills(api, supplier):
    inv = create(api, bill(supplier["ContactID"], Reference="ignored on bills"))
    assert "Reference" not in inv


def test_guids_are_case_insensitive(api, supplier):
    inv = create(api, bill(supplier["ContactID"]))
    upper = api.get(
        f"/Invoices/{inv['InvoiceID'].upper()}", headers={"xero-tenant-id": api.tenant.upper()}
    )
    assert upper.status_code == 200
    assert upper.json()["Invoices"][0]["InvoiceID"] == inv["InvoiceID"]


def test_bank_and_control_accounts_cannot_be_coded(api, supplier):
    for code in ("090", "800", "610", "820"):
        messages = errors_of(api, bill(supplier["ContactID"], line(account=code)))
        assert any(f"'{code}' is not a valid code" in m for m in messages), code


def test_tax_type_must_fit_the_accounts_class(api, sb, supplier):
    from sandbox.seed_gen import DEMO_TENANT

    sb.put_records(
        DEMO_TENANT,
        "TaxRates",
        [{"TaxType": "TAX001", "CanApplyToExpenses": False}],
    )
    try:
        messages = errors_of(api, bill(supplier["ContactID"], line(tax="TAX001")))
        assert "The TaxType code 'TAX001' cannot be used with account code '300'." in messages
        assert create(api, bill(supplier["ContactID"], line(tax="INPUT")))
    finally:
        sb.put_records(DEMO_TENANT, "TaxRates", [{"TaxType": "TAX001", "CanApplyToExpenses": True}])


def test_australian_organisation_codes_none_as_bas_excluded(api, sb, supplier):
    from sandbox.seed_gen import DEMO_TENANT

    sb.put_records(
        DEMO_TENANT,
        "TaxRates",
        [
            {
                "TaxType": "BASEXCLUDED",
                "Name": "BAS Excluded",
                "Status": "ACTIVE",
                "EffectiveRate": 0.0,
                "DisplayTaxRate": 0.0,
            }
        ],
    )
    sb.control("POST", f"orgs/{DEMO_TENANT}/Organisation", {"CountryCode": "AU"})
    try:
        inv = create(api, bill(supplier["ContactID"], line(tax="NONE")))
        assert inv["LineItems"][0]["TaxType"] == "BASEXCLUDED"
    finally:
        sb.control("POST", f"orgs/{DEMO_TENANT}/Organisation", {"CountryCode": "US"})
    inv = create(api, bill(supplier["ContactID"], line(tax="NONE")))
    assert inv["LineItems"][0]["TaxType"] == "NONE"
