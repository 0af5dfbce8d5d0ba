"""Organisation, Accounts, TaxRates, TrackingCategories, Currencies and Items."""


def test_organisation(api):
    org = api.ok("GET", "/Organisation")["Organisations"][0]
    assert org["Name"] == "Demo Company (Global)" and org["BaseCurrency"] == "USD"


def test_chart_of_accounts(api):
    accounts = api.ok("GET", "/Accounts")["Accounts"]
    codes = {a["Code"] for a in accounts}
    assert {"090", "200", "300", "400", "429", "800"} <= codes
    banks = api.ok("GET", "/Accounts", params={"where": 'Type=="BANK"'})["Accounts"]
    assert len(banks) >= 2 and all(a["BankAccountType"] == "BANK" for a in banks)
    resp = api.put("/Accounts", {"Code": "777", "Name": "New expense", "Type": "EXPENSE"})
    assert resp.status_code == 200
    assert (
        api.put("/Accounts", {"Code": "777", "Name": "Again", "Type": "EXPENSE"}).status_code == 400
    )


def test_tax_rates_include_compound(api):
    rates = {r["TaxType"]: r for r in api.ok("GET", "/TaxRates")["TaxRates"]}
    assert {"INPUT", "OUTPUT", "NONE", "TAX001"} <= set(rates)
    compound = rates["TAX001"]
    assert len(compound["TaxComponents"]) == 2
    assert any(c["IsCompound"] for c in compound["TaxComponents"])
    assert compound["EffectiveRate"] == 12.35


def test_tracking_categories(api):
    cats = api.ok("GET", "/TrackingCategories")["TrackingCategories"]
    assert {c["Name"] for c in cats} == {"Region", "Department"}
    assert all(len(c["Options"]) >= 3 for c in cats)


def test_currencies(api):
    codes = {c["Code"] for c in api.ok("GET", "/Currencies")["Currencies"]}
    assert {"USD", "EUR"} <= codes


def test_items_and_unitdp(api):
    items = {i["Code"]: i for i in api.ok("GET", "/Items")["Items"]}
    assert items["PALLET"]["PurchaseDetails"]["UnitPrice"] == 12.35
    items = {i["Code"]: i for i in api.ok("GET", "/Items", params={"unitdp": 4})["Items"]}
    assert items["PALLET"]["PurchaseDetails"]["UnitPrice"] == 12.3456
    body = api.ok("POST", "/Items", {"Items": [{"Code": "NEW-1", "Name": "New thing"}]})
    assert body["Items"][0]["ItemID"]
    resp = api.put("/Items", {"Items": [{"Name": "No code"}]})
    assert resp.status_code == 400  # Code is required by the spec


def test_tracking_category_and_options_writes(api, sb):
    cats = api.ok("GET", "/TrackingCategories")["TrackingCategories"]
    region = next(c for c in cats if c["Name"] == "Region")
    body = api.ok(
        "PUT", f"/TrackingCategories/{region['TrackingCategoryID']}/Options", {"Name": "Central"}
    )
    assert body["Options"][0]["Name"] == "Central"
    again = api.put(
        f"/TrackingCategories/{region['TrackingCategoryID']}/Options", {"Name": "central"}
    )
    assert again.status_code == 400
    third = api.put("/TrackingCategories", {"Name": "Project"})
    assert third.status_code == 400 and "2 active" in third.text


def test_update_item_and_archive_account(api):
    item = api.ok("GET", "/Items", params={"where": 'Code=="PAPER-A4"'})["Items"][0]
    body = api.ok(
        "POST", f"/Items/{item['ItemID']}", {"Items": [{"Code": "PAPER-A4", "Name": "A4 Paper"}]}
    )
    assert body["Items"][0]["Name"] == "A4 Paper"
    acc = next(a for a in api.ok("GET", "/Accounts")["Accounts"] if a["Code"] == "494")
    api.ok("POST", f"/Accounts/{acc['AccountID']}", {"Accounts": [{"Status": "ARCHIVED"}]})
    resp = api.put(
        "/Invoices",
        {
            "Invoices": [
                {
                    "Type": "ACCPAY",
                    "Contact": {"Name": "Archived Account Test Ltd"},
                    "LineItems": [
                        {"Description": "x", "Quantity": 1, "UnitAmount": 1, "AccountCode": "494"}
                    ],
                }
            ]
        },
    )
    assert resp.status_code == 400
