"""Contacts: create, duplicate names, update, archive, filters, paging."""

from sandbox.seed_gen import DEMO_TENANT


def test_seed_has_many_suppliers(api):
    page = api.ok("GET", "/Contacts", params={"page": 1})
    assert page["pagination"]["itemCount"] >= 160 and len(page["Contacts"]) == 100
    suppliers = api.ok("GET", "/Contacts", params={"where": "IsSupplier==true"})["Contacts"]
    assert len(suppliers) >= 150
    assert all(
        c.get("TaxNumber")
        for c in suppliers
        if c["Name"].endswith(("Ltd", "Inc", "LLC", "Co", "Group", "Partners"))
    )


def test_create_and_update_contact(api):
    body = api.ok(
        "PUT",
        "/Contacts",
        {
            "Contacts": [
                {
                    "Name": "Gadget Works Ltd",
                    "EmailAddress": "ap@gadget.example.com",
                    "TaxNumber": "GB123456789",
                    "ContactNumber": "GW-1",
                }
            ]
        },
    )
    contact = body["Contacts"][0]
    assert contact["ContactStatus"] == "ACTIVE" and contact["ContactID"]
    body = api.ok(
        "POST",
        f"/Contacts/{contact['ContactID']}",
        {"Contacts": [{"EmailAddress": "billing@gadget.example.com"}]},
    )
    assert body["Contacts"][0]["EmailAddress"] == "billing@gadget.example.com"
    assert body["Contacts"][0]["Name"] == "Gadget Works Ltd"
    got = api.ok("GET", "/Contacts/GW-1")["Contacts"][0]  # by ContactNumber
    assert got["ContactID"] == contact["ContactID"]


def test_duplicate_contact_name_rejected(api):
    api.ok("PUT", "/Contacts", {"Contacts": [{"Name": "Twin Name Co"}]})
    resp = api.put("/Contacts", {"Contacts": [{"Name": "twin name co"}]})
    assert resp.status_code == 400
    message = resp.json()["Elements"][0]["ValidationErrors"][0]["Message"]
    assert "already exists" in message
    body = api.ok(
        "PUT",
        "/Contacts",
        {"Contacts": [{"Name": "Twin Name Co"}]},
        params={"summarizeErrors": "false"},
    )
    assert body["Contacts"][0]["HasValidationErrors"] is True


def test_archive_hides_contact_unless_include_archived(api, sb):
    contact = api.ok("PUT", "/Contacts", {"Contacts": [{"Name": "Soon Archived"}]})["Contacts"][0]
    api.ok(
        "POST",
        "/Contacts",
        {"Contacts": [{"ContactID": contact["ContactID"], "ContactStatus": "ARCHIVED"}]},
    )
    where = {"where": 'Name=="Soon Archived"'}
    assert api.ok("GET", "/Contacts", params=where)["Contacts"] == []
    found = api.ok("GET", "/Contacts", params=dict(where, includeArchived="true"))
    assert found["Contacts"][0]["ContactStatus"] == "ARCHIVED"
    stored = {c["ContactID"]: c for c in sb.records(DEMO_TENANT, "Contacts")}
    assert stored[contact["ContactID"]]["ContactStatus"] == "ARCHIVED"


def test_search_term_and_ids(api):
    found = api.ok("GET", "/Contacts", params={"searchTerm": "ridgeway"})["Contacts"]
    assert [c["Name"] for c in found] == ["Ridgeway University"]
    ids = api.ok("GET", "/Contacts", params={"IDs": found[0]["ContactID"]})["Contacts"]
    assert len(ids) == 1


def test_contact_currency_must_be_enabled(api):
    resp = api.put("/Contacts", {"Contacts": [{"Name": "Yen Trader", "DefaultCurrency": "JPY"}]})
    assert resp.status_code == 400


def test_second_org_is_separate(second_api):
    names = [c["Name"] for c in second_api.ok("GET", "/Contacts")["Contacts"]]
    assert names and all(n.startswith("UK Supplier") for n in names)
    org = second_api.ok("GET", "/Organisation")["Organisations"][0]
    assert org["Name"] == "Second Org Ltd" and org["BaseCurrency"] == "GBP"


def test_contact_numbers_are_unique_archived_included(api):
    def errors(method, path, contact):
        body = api.ok(method, path, {"Contacts": [contact]}, params={"summarizeErrors": "false"})
        return [e["Message"] for e in body["Contacts"][0].get("ValidationErrors", [])]

    holder = api.ok(
        "PUT", "/Contacts", {"Contacts": [{"Name": "Number Holder", "ContactNumber": "NH-1"}]}
    )
    holder = holder["Contacts"][0]
    api.ok(
        "POST",
        f"/Contacts/{holder['ContactID']}",
        {"Contacts": [{"ContactStatus": "ARCHIVED"}]},
    )
    taken = errors("PUT", "/Contacts", {"Name": "Number Taker", "ContactNumber": "NH-1"})
    assert any("NH-1 is already assigned to another contact" in m for m in taken), taken
    other = api.ok("PUT", "/Contacts", {"Contacts": [{"Name": "Other Party"}]})["Contacts"][0]
    taken = errors("POST", f"/Contacts/{other['ContactID']}", {"ContactNumber": "NH-1"})
    assert any("already assigned" in m for m in taken), taken
    # the holder itself keeps its number when updated
    assert errors("POST", f"/Contacts/{holder['ContactID']}", {"ContactNumber": "NH-1"}) == []
