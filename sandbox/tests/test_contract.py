"""Spec validation: requests violating xero_accounting.yaml are refused with a 400 naming
the violation; responses violating it are recorded under /_sandbox/violations."""

import json

import requests

from sandbox.seed_gen import DEMO_TENANT

from .conftest import bill


def test_invalid_enum_in_body_is_refused(api, supplier):
    resp = api.put("/Invoices", {"Invoices": [bill(supplier["ContactID"], Type="BOGUS")]})
    assert resp.status_code == 400
    body = resp.json()
    assert "specification" in body["Message"] and "BOGUS" in body["Message"]


def test_invalid_query_parameter_is_refused(api):
    resp = api.get("/Invoices", params={"page": "first"})
    assert resp.status_code == 400 and "page" in resp.json()["Message"]


def test_wrong_type_in_body_is_refused(api, supplier):
    payload = bill(supplier["ContactID"])
    payload["LineItems"][0]["Quantity"] = "two"
    resp = api.put("/Invoices", {"Invoices": [payload]})
    assert resp.status_code == 400 and "Quantity" in resp.json()["Message"]


def test_unknown_operation_is_404_or_405(api):
    assert api.get("/NoSuchThing").status_code == 404
    assert api.call("DELETE", "/Invoices").status_code == 405


def test_response_violations_are_recorded(api, sb):
    bad_id = "11111111-2222-4333-8444-555555555555"
    sb.put_records(
        DEMO_TENANT,
        "Invoices",
        [
            {
                "InvoiceID": bad_id,
                "Type": "ACCPAY",
                "Status": "NOT-A-STATUS",
                "Contact": {"ContactID": bad_id, "Name": "x"},
                "LineItems": [],
                "UpdatedDateUTC": "/Date(1767225600000+0000)/",
            }
        ],
    )
    try:
        assert api.get(f"/Invoices/{bad_id}").status_code == 200
        recorded = sb.violations()
        assert recorded and recorded[-1]["path"].endswith(bad_id)
        assert any("NOT-A-STATUS" in e for e in recorded[-1]["errors"])
    finally:
        sb.control("DELETE", "violations")
        sb.put_records(DEMO_TENANT, "Invoices", [{"InvoiceID": bad_id, "Status": "DELETED"}])


def test_connections_validated_against_identity_spec(sb):
    token = sb.tokens()
    resp = requests.get(
        sb.url + "/connections",
        params={"authEventId": "not-a-uuid"},
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=10,
    )
    assert resp.status_code == 400 and "authEventId" in resp.text


def test_fast_response_validation_agrees_with_openapi_core(api, supplier, sb):
    """The compiled response validators and openapi-core give the same verdicts."""
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request, Response

    from sandbox.contract import Contract

    inv = api.ok("PUT", "/Invoices", {"Invoices": [bill(supplier["ContactID"])]})["Invoices"][0]
    samples = [
        ("GET", "/Invoices", {"page": "1"}),
        ("GET", f"/Invoices/{inv['InvoiceID']}", {}),
        ("GET", "/Contacts", {"page": "1"}),
        ("GET", "/Accounts", {}),
        ("GET", "/TaxRates", {}),
        ("GET", "/Organisation", {}),
        ("GET", "/TrackingCategories", {}),
        ("GET", "/Items", {}),
        ("GET", "/Payments", {}),
        ("GET", f"/Invoices/{inv['InvoiceID']}/History", {}),
    ]
    fast = Contract(response_validation="schema")
    slow = Contract(response_validation="openapi-core")
    for method, path, params in samples:
        resp = api.call(method, path, params=params)
        environ = EnvironBuilder(
            method=method,
            path="/api.xro/2.0" + path,
            query_string=params,
            headers={"xero-tenant-id": DEMO_TENANT},
        ).get_environ()
        request = Request(environ)
        good = Response(resp.content, status=resp.status_code, mimetype="application/json")
        assert fast.check_response(request, good) == [] == slow.check_response(request, good)
        broken = resp.json()
        key = next(k for k, v in broken.items() if isinstance(v, list))
        broken[key] = "not-a-list"
        bad = Response(json.dumps(broken), status=resp.status_code, mimetype="application/json")
        assert fast.check_response(request, bad) and slow.check_response(request, bad), path
