"""Purchase orders: contacts must exist, statuses incl. BILLED, filters without where."""

from .conftest import line


def po(contact, **fields):
    body = {
        "Contact": contact,
        "Date": "2026-10-01",
        "DeliveryDate": "2026-10-15",
        "LineItems": [line(40.0, 2)],
    }
    body.update(fields)
    return body


def create(api, payload):
    body = api.ok(
        "PUT", "/PurchaseOrders", {"PurchaseOrders": [payload]}, params={"summarizeErrors": "false"}
    )
    order = body["PurchaseOrders"][0]
    assert order["StatusAttributeString"] == "OK", order
    return order


def test_create_po_numbers_and_totals(api, supplier):
    order = create(api, po({"ContactID": supplier["ContactID"]}))
    assert order["PurchaseOrderNumber"].startswith("PO-") and order["Status"] == "DRAFT"
    assert order["SubTotal"] == 80.0 and order["Total"] == 92.0
    got = api.ok("GET", f"/PurchaseOrders/{order['PurchaseOrderNumber']}")
    assert got["PurchaseOrders"][0]["PurchaseOrderID"] == order["PurchaseOrderID"]


def test_po_does_not_create_contacts(api):
    body = api.ok(
        "PUT",
        "/PurchaseOrders",
        {"PurchaseOrders": [po({"Name": "Nobody Ltd"})]},
        params={"summarizeErrors": "false"},
    )
    assert body["PurchaseOrders"][0]["StatusAttributeString"] == "ERROR"
    found = api.ok("GET", "/Contacts", params={"where": 'Name=="Nobody Ltd"'})
    assert found["Contacts"] == []


def test_po_status_flow_to_billed(api, supplier):
    order = create(api, po({"ContactID": supplier["ContactID"]}, Status="SUBMITTED"))
    path = f"/PurchaseOrders/{order['PurchaseOrderID']}"
    for status in ("AUTHORISED", "BILLED"):
        body = api.ok("POST", path, {"PurchaseOrders": [{"Status": status}]})
        assert body["PurchaseOrders"][0]["Status"] == status
    for status in ("DELETED", "DRAFT"):
        assert api.post(path, {"PurchaseOrders": [{"Status": status}]}).status_code == 400
    resp = api.post(path, {"PurchaseOrders": [{"LineItems": [line(1.0)]}]})
    assert resp.status_code == 400


def test_po_delete_draft(api, supplier):
    order = create(api, po({"ContactID": supplier["ContactID"]}))
    path = f"/PurchaseOrders/{order['PurchaseOrderID']}"
    api.ok("POST", path, {"PurchaseOrders": [{"Status": "DELETED"}]})
    listed = api.ok("GET", "/PurchaseOrders")["PurchaseOrders"]
    assert order["PurchaseOrderID"] not in {p["PurchaseOrderID"] for p in listed}


def test_po_filters(api, supplier):
    ids = {
        create(api, po({"ContactID": supplier["ContactID"]}, Date=day, Status="AUTHORISED"))[
            "PurchaseOrderID"
        ]
        for day in ("2025-02-01", "2025-02-15", "2025-03-20")
    }
    found = api.ok(
        "GET",
        "/PurchaseOrders",
        params={"Status": "AUTHORISED", "DateFrom": "2025-02-01", "DateTo": "2025-02-28"},
    )
    got = {p["PurchaseOrderID"] for p in found["PurchaseOrders"]}
    assert len(got & ids) == 2
    page = api.ok("GET", "/PurchaseOrders", params={"page": 1, "pageSize": 1})
    assert len(page["PurchaseOrders"]) == 1 and page["pagination"]["pageSize"] == 1
    resp = api.get("/PurchaseOrders", params={"Status": "PAID"})
    assert resp.status_code == 400


def test_po_tracking_needs_names_not_only_ids(api, supplier):
    region = next(
        c
        for c in api.ok("GET", "/TrackingCategories")["TrackingCategories"]
        if c["Name"] == "Region"
    )
    north = next(o for o in region["Options"] if o["Name"] == "North")
    ids = {
        "TrackingCategoryID": region["TrackingCategoryID"],
        "TrackingOptionID": north["TrackingOptionID"],
    }
    body = api.ok(
        "PUT",
        "/PurchaseOrders",
        {
            "PurchaseOrders": [
                po({"ContactID": supplier["ContactID"]}, LineItems=[line(Tracking=[ids])])
            ]
        },
        params={"summarizeErrors": "false"},
    )
    errors = [e["Message"] for e in body["PurchaseOrders"][0]["ValidationErrors"]]
    assert any(m.startswith("Unknown tracking details") for m in errors), errors
    named = dict(ids, Name="Region", Option="North")
    order = create(
        api, po({"ContactID": supplier["ContactID"]}, LineItems=[line(Tracking=[named])])
    )
    assert order["LineItems"][0]["Tracking"][0]["TrackingOptionID"] == north["TrackingOptionID"]
