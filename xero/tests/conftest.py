"""Fixtures: the local Xero sandbox over real HTTP, and helpers to connect to it."""

import html
import re
import time
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
import requests

from xero import MemoryTokenStore, RateLimiter, XeroClient, XeroOAuth

CLIENT_ID = "sandbox-client-id"
CLIENT_SECRET = "sandbox-client-secret"
REDIRECT_URI = "http://localhost:8069/xero/oauth/callback"
DEMO_ORG = "Demo Company (Global)"
SECOND_ORG = "Second Org Ltd"
CONTACT = "59abb933-70c0-5d48-8ac7-f8f05bdfd7e9"  # a supplier of the demo seed


class Sb:
    """Thin access to the sandbox control API (documented in the shared contract)."""

    def __init__(self, url):
        self.url = url
        self.http = requests.Session()

    def _call(self, method, path, json=None):
        resp = self.http.request(method, self.url + "/_sandbox" + path, json=json, timeout=10)
        resp.raise_for_status()
        return resp.json() if resp.content else None

    def reset(self, seed="demo"):
        return self._call("POST", "/reset", {"seed": seed})

    def fault(self, kind, **spec):
        return self._call("POST", "/faults", dict(spec, kind=kind))

    def clear_faults(self):
        return self._call("DELETE", "/faults")

    def calls(self, since=0):
        return self._call("GET", f"/calls?since={since}")

    def last_seq(self):
        calls = self.calls()
        return calls[-1]["seq"] if calls else 0

    def advance(self, seconds):
        return self._call("POST", "/clock", {"advance": seconds})

    def records(self, tenant_id, collection):
        return self._call("GET", f"/orgs/{tenant_id}/{collection}")

    def orgs(self):
        return self._call("GET", "/orgs")

    def violations(self):
        return self._call("GET", "/violations")

    def limits(self, **values):
        return self._call("POST", "/limits", values)


@pytest.fixture(scope="session")
def sandbox_server():
    sandbox = pytest.importorskip("sandbox", reason="sandbox/ is not merged into this branch")
    server = sandbox.Sandbox(seed="demo")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sb(sandbox_server):
    """The shared sandbox, reset to the demo seed for each test."""
    ctl = Sb(sandbox_server.url)
    ctl.reset("demo")
    yield ctl
    ctl.clear_faults()
    assert ctl.violations() == [], "the sandbox produced answers outside Xero's spec"


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields, self.action = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs.get("action")
        elif tag == "input" and attrs.get("name"):
            if attrs.get("type") == "checkbox" and "checked" not in attrs:
                return
            self.fields.append((attrs["name"], html.unescape(attrs.get("value") or "")))


def consent(auth_url, allow=True):
    """Play the user on the consent page; return the callback's query parameters."""
    page = requests.get(auth_url, timeout=10)
    assert page.status_code == 200, page.text[:300]
    parser = _FormParser()
    parser.feed(page.text)
    fields = [*parser.fields, ("action", "allow" if allow else "deny")]
    target = urljoin(auth_url, parser.action) if parser.action else auth_url
    resp = requests.post(target, data=fields, allow_redirects=False, timeout=10)
    assert resp.status_code in (302, 303), resp.text[:300]
    location = resp.headers["Location"]
    assert location.startswith(REDIRECT_URI)
    return dict(parse_qsl(urlsplit(location).query))


def oauth_for(sb, **kwargs):
    return XeroOAuth.for_base_url(
        sb.url, CLIENT_ID, CLIENT_SECRET, redirect_uri=REDIRECT_URI, **kwargs
    )


def connect(sb):
    """Full consent + PKCE + code exchange: returns (token, {tenant name: tenant id})."""
    oauth = oauth_for(sb)
    request = oauth.authorization_request()
    params = consent(request.url)
    code = XeroOAuth.check_callback(params, request.state)
    token = oauth.exchange_code(code, request.code_verifier)
    tenants = {c["tenantName"]: c["tenantId"] for c in oauth.connections(token)}
    return token, tenants


@pytest.fixture
def connected(sb):
    token, tenants = connect(sb)
    return token, tenants


def make_client(sb, tenant_id, store, **kwargs):
    kwargs.setdefault("limiter", RateLimiter(burst=30))  # pacing has its own tests
    kwargs.setdefault("timeout", (5, 10))
    return XeroClient(tenant_id, store, CLIENT_ID, CLIENT_SECRET, api_url=sb.url, **kwargs)


@pytest.fixture
def demo_client(sb, connected):
    token, tenants = connected
    events = []
    client = make_client(sb, tenants[DEMO_ORG], MemoryTokenStore(token), log_sink=events.append)
    client.events = events
    return client


def bill(reference, contact_id, amount="100.00", account="429", **extra):
    """A supplier bill payload (ACCPAY) as the addon's mapping layer would build it."""
    return dict(
        {
            "Type": "ACCPAY",
            "Contact": {"ContactID": contact_id},
            "InvoiceNumber": reference,
            "Date": "2026-11-20",
            "DueDate": "2026-12-20",
            "Status": "DRAFT",
            "LineAmountTypes": "Exclusive",
            "LineItems": [
                {
                    "Description": f"Goods for {reference}",
                    "Quantity": 1,
                    "UnitAmount": Decimal(amount),
                    "AccountCode": account,
                }
            ],
        },
        **extra,
    )


def count_by_number(sb, tenant_id, number):
    return sum(1 for inv in sb.records(tenant_id, "Invoices") if inv.get("InvoiceNumber") == number)


def writes(calls, path_regex=r"/Invoices$"):
    return [c for c in calls if c["method"] in ("PUT", "POST") and re.search(path_regex, c["path"])]


class Stopwatch:
    def __enter__(self):
        self.start = time.monotonic()
        return self

    def __exit__(self, *exc):
        self.seconds = time.monotonic() - self.start
