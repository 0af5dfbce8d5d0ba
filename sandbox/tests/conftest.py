"""Shared fixtures: one sandbox subprocess for the whole test session, plus a small
HTTP helper that carries a bearer token and tenant id."""

import pytest
import requests

from sandbox import Sandbox
from sandbox.seed_gen import DEMO_TENANT, SECOND_TENANT

HIGH_LIMITS = {"min_limit": 100000, "day_limit": 1000000, "concurrent_limit": 50}


class Api:
    """Thin requests wrapper speaking to the sandbox's Accounting API."""

    def __init__(self, sb, token, tenant=DEMO_TENANT, renew=False):
        self.renew = renew
        self.sb = sb
        self.token = token
        self.tenant = tenant
        self.http = requests.Session()

    def headers(self, extra=None):
        headers = {
            "Authorization": f"Bearer {self.token['access_token']}",
            "xero-tenant-id": self.tenant,
            "Accept": "application/json",
        }
        headers.update(extra or {})
        return headers

    def call(self, method, path, json=None, params=None, headers=None, data=None, timeout=10):
        url = self.sb.accounting_url + path
        resp = self.http.request(
            method,
            url,
            json=json,
            params=params,
            data=data,
            headers=self.headers(headers),
            timeout=timeout,
        )
        if resp.status_code == 401 and self.renew:
            # another test moved the sandbox clock past the token's expiry
            self.token = self.sb.tokens()
            resp = self.http.request(
                method,
                url,
                json=json,
                params=params,
                data=data,
                headers=self.headers(headers),
                timeout=timeout,
            )
        return resp

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def put(self, path, json=None, **kw):
        return self.call("PUT", path, json=json, **kw)

    def post(self, path, json=None, **kw):
        return self.call("POST", path, json=json, **kw)

    def ok(self, method, path, json=None, **kw):
        resp = self.call(method, path, json=json, **kw)
        assert resp.status_code == 200, resp.text
        return resp.json()


@pytest.fixture(scope="session", autouse=True)
def load_registry():
    """These tests need no Odoo: neutralise pytest-odoo's registry loading if installed."""
    yield


@pytest.fixture(scope="session")
def sb():
    sandbox = Sandbox(seed="demo", **HIGH_LIMITS)
    sandbox.start()
    yield sandbox
    try:
        violations = sandbox.violations()
    finally:
        sandbox.stop()
    assert violations == [], f"responses violating the OpenAPI spec: {violations}"


@pytest.fixture(scope="module")
def api(sb):
    return Api(sb, sb.tokens(), renew=True)


@pytest.fixture(scope="module")
def second_api(sb):
    return Api(sb, sb.tokens(), tenant=SECOND_TENANT, renew=True)


@pytest.fixture
def supplier(api):
    """An active supplier of the demo organisation."""
    contacts = api.ok("GET", "/Contacts", params={"where": 'Name.StartsWith("Acme")'})
    return contacts["Contacts"][0]


def bill(contact_id, *lines, **fields):
    """An ACCPAY invoice payload."""
    body = {
        "Type": "ACCPAY",
        "Contact": {"ContactID": contact_id},
        "LineItems": list(lines) or [line()],
        "Date": "2026-11-02",
        "DueDate": "2026-12-02",
    }
    body.update(fields)
    return body


def line(amount=100.0, qty=1, account="300", tax="INPUT", **extra):
    row = {
        "Description": "Widgets",
        "Quantity": qty,
        "UnitAmount": amount,
        "AccountCode": account,
        "TaxType": tax,
    }
    row.update(extra)
    return row
