"""The control API, the HTML page, seeds and the two ways of running the sandbox."""

import json
import subprocess
import sys

import requests

from sandbox import Sandbox
from sandbox.runner import REPO_ROOT
from sandbox.seed_gen import DEMO_TENANT, EMPTY_TENANT, SECOND_TENANT

from .conftest import Api, bill
from .test_invoices import create


def test_clock_advance_and_set(sb):
    before = sb.control("GET", "clock")
    assert before["time_scale"] == 1.0
    sb.set_clock("2030-01-01T00:00:00Z")
    assert sb.now().startswith("2030-01-01T00:00")
    sb.advance(86400)
    assert sb.now().startswith("2030-01-02")


def test_calls_log(api, sb):
    last = sb.calls()[-1]["seq"] if sb.calls() else 0
    api.get("/Organisation", headers={"Idempotency-Key": "ignored-on-get"})
    rows = sb.calls(since=last)
    assert rows[-1]["path"] == "/api.xro/2.0/Organisation" and rows[-1]["status"] == 200
    assert rows[-1]["tenant"] == DEMO_TENANT and rows[-1]["method"] == "GET"


def test_orgs_and_records(sb):
    orgs = {o["tenant_id"]: o for o in sb.orgs()}
    assert set(orgs) == {DEMO_TENANT, SECOND_TENANT}
    assert orgs[DEMO_TENANT]["counts"]["Contacts"] >= 160
    accounts = sb.records(DEMO_TENANT, "Accounts")
    assert any(a["Code"] == "090" for a in accounts)


def test_patch_records_as_if_done_in_xero(api, supplier, sb):
    inv = create(api, bill(supplier["ContactID"], Status="SUBMITTED"))
    sb.put_records(
        DEMO_TENANT, "Invoices", [{"InvoiceID": inv["InvoiceID"], "Status": "AUTHORISED"}]
    )
    assert api.ok("GET", f"/Invoices/{inv['InvoiceID']}")["Invoices"][0]["Status"] == "AUTHORISED"


def test_html_page_lists_documents_and_pays_bills(api, supplier, sb):
    inv = create(api, bill(supplier["ContactID"], InvoiceNumber="UI-BILL-1", Status="AUTHORISED"))
    page = requests.get(sb.url + "/", timeout=10).text
    assert "Demo Company (Global)" in page and "UI-BILL-1" in page and "Pay" in page
    resp = requests.post(
        f"{sb.url}/_sandbox/orgs/{DEMO_TENANT}/pay",
        data={"InvoiceID": inv["InvoiceID"], "AccountCode": "090"},
        allow_redirects=False,
        timeout=10,
    )
    assert resp.status_code == 303
    assert api.ok("GET", f"/Invoices/{inv['InvoiceID']}")["Invoices"][0]["Status"] == "PAID"


def test_register_app(sb):
    sb.register_app("another-app", "another-secret")
    token = sb.tokens(client_id="another-app", client_secret="another-secret")
    assert Api(sb, token).get("/Organisation").status_code == 200
    sb.register_app("custom-2", "s2", kind="custom", tenant_id=SECOND_TENANT)
    cc = sb.client_credentials("custom-2", "s2")
    org = Api(sb, cc, tenant="").ok("GET", "/Organisation")["Organisations"][0]
    assert org["OrganisationID"] == SECOND_TENANT


def test_thread_mode_with_empty_seed_and_reset(tmp_path):
    with Sandbox(seed="empty", mode="thread") as sb:
        orgs = sb.orgs()
        assert [o["tenant_id"] for o in orgs] == [EMPTY_TENANT]
        api = Api(sb, sb.tokens(), tenant=EMPTY_TENANT)
        codes = {a["Code"] for a in api.ok("GET", "/Accounts")["Accounts"]}
        assert {"090", "200", "300", "800"} <= codes
        assert api.ok("GET", "/Contacts")["Contacts"] == []
        seed_file = tmp_path / "seed.json"
        from sandbox.seed_gen import empty_seed

        data = empty_seed()
        data["organisations"][0]["Organisation"]["Name"] = "From File Ltd"
        seed_file.write_text(json.dumps(data))
        sb.reset(str(seed_file))
        assert sb.orgs()[0]["name"] == "From File Ltd"
        assert sb.violations() == []


def test_command_line_prints_port_line():
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox",
            "--port",
            "0",
            "--seed",
            "empty",
            "--min-limit",
            "10",
            "--day-limit",
            "1000",
            "--concurrent-limit",
            "3",
            "--time-scale",
            "2",
        ],
        cwd=str(REPO_ROOT),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("SANDBOX LISTENING http://127.0.0.1:")
        url = line.split()[-1]
        limits = requests.get(url + "/_sandbox/limits", timeout=10).json()
        assert (limits["min_limit"], limits["day_limit"], limits["concurrent_limit"]) == (
            10,
            1000,
            3,
        )
        assert requests.get(url + "/_sandbox/clock", timeout=10).json()["time_scale"] == 2
    finally:
        proc.terminate()
        proc.wait(5)
