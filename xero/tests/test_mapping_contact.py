"""Contact mapping, both ways, without a database or a sandbox."""

from xero.mapping.contact import (
    contact_to_partner,
    partner_to_contact,
    same_name,
    same_tax_number,
)

PARTNER = {
    "name": "  Acme Supplies  ",
    "ref": "ACME",
    "email": "ap@acme.example",
    "phone": "+1 555 0100",
    "mobile": "+1 555 0199",
    "vat": "US123",
    "street": "1 Main St",
    "street2": "Suite 2",
    "city": "Denver",
    "state_code": "CO",
    "zip": "80202",
    "country_code": "US",
    "currency_code": "USD",
    "bank_account": "12-3456",
    "bill_days": 30,
    "active": True,
}


def test_partner_to_contact_create_payload():
    payload = partner_to_contact(PARTNER)
    assert payload["Name"] == "Acme Supplies"
    assert "ContactID" not in payload
    assert "ContactNumber" not in payload  # a create must not match by number
    assert payload["TaxNumber"] == "US123"
    assert payload["DefaultCurrency"] == "USD"
    assert payload["BankAccountDetails"] == "12-3456"
    assert payload["Phones"] == [
        {"PhoneType": "DEFAULT", "PhoneNumber": "+1 555 0100"},
        {"PhoneType": "MOBILE", "PhoneNumber": "+1 555 0199"},
    ]
    assert [a["AddressType"] for a in payload["Addresses"]] == ["POBOX", "STREET"]
    assert payload["Addresses"][1]["AddressLine2"] == "Suite 2"
    assert payload["PaymentTerms"] == {"Bills": {"Day": 30, "Type": "DAYSAFTERBILLDATE"}}
    assert "ContactStatus" not in payload


def test_partner_to_contact_update_and_archive():
    payload = partner_to_contact(dict(PARTNER, active=False), "guid-1")
    assert payload["ContactID"] == "guid-1"
    assert payload["ContactNumber"] == "ACME"
    assert payload["ContactStatus"] == "ARCHIVED"


def test_empty_values_are_left_out_and_long_ones_cut():
    payload = partner_to_contact({"name": "x" * 300, "vat": "", "email": None})
    assert payload == {"Name": "x" * 255}


def test_contact_to_partner():
    contact = {
        "ContactID": "guid",
        "ContactNumber": "C1",
        "Name": "Nimbus",
        "EmailAddress": "a@b.example",
        "TaxNumber": "DE1",
        "ContactStatus": "ARCHIVED",
        "DefaultCurrency": "EUR",
        "BankAccountDetails": " 99-88 ",
        "Phones": [
            {
                "PhoneType": "DEFAULT",
                "PhoneNumber": "555-2208",
                "PhoneAreaCode": "204",
                "PhoneCountryCode": "1",
            },
            {"PhoneType": "MOBILE", "PhoneNumber": ""},
        ],
        "Addresses": [
            {"AddressType": "POBOX", "AddressLine1": "PO Box 1", "City": "Berlin"},
            {
                "AddressType": "STREET",
                "AddressLine1": "203 Market",
                "AddressLine2": "Floor 2",
                "AddressLine3": "Back",
                "City": "Berlin",
                "Region": "BE",
                "PostalCode": "20771",
                "Country": "DE",
            },
        ],
        "PaymentTerms": {"Bills": {"Day": 14, "Type": "DAYSAFTERBILLDATE"}},
    }
    values = contact_to_partner(contact)
    assert values["name"] == "Nimbus"
    assert values["ref"] == "C1"
    assert values["phone"] == "+1 204 555-2208"
    assert values["mobile"] is False
    assert values["street"] == "203 Market"
    assert values["street2"] == "Floor 2, Back"
    assert values["country_code"] == "DE"
    assert values["bank_account"] == "99-88"
    assert values["bill_days"] == 14
    assert values["active"] is False


def test_payment_terms_odoo_cannot_represent_are_ignored():
    contact = {"Name": "X", "PaymentTerms": {"Bills": {"Day": 20, "Type": "OFFOLLOWINGMONTH"}}}
    assert contact_to_partner(contact)["bill_days"] is None
    assert contact_to_partner(contact)["active"] is True


def test_name_and_tax_number_comparison():
    assert same_name(" Acme ", "ACME")
    assert not same_name("Acme", "Acme Ltd")
    assert same_tax_number("de 123.456", "DE123456")
    assert not same_tax_number("", "")
