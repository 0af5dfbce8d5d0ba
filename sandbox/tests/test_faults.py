"""Fault injection through the control API: 500, 503, hang, lost response, reset, 429."""

import time

import pytest
import requests


@pytest.fixture(autouse=True)
def no_faults(sb):
    sb.clear_faults()
    yield
    sb.clear_faults()


def contact_exists(api, name):
    return bool(api.ok("GET", "/Contacts", params={"where": f'Name=="{name}"'})["Contacts"])


def new_contact(api, name, **kw):
    return api.put("/Contacts", {"Contacts": [{"Name": name}]}, **kw)


@pytest.mark.parametrize("kind", ["500", "503"])
def test_server_errors_commit_nothing(api, sb, kind):
    sb.inject(kind, count=1, path="/Contacts$", method="PUT")
    resp = new_contact(api, f"Fault {kind} Ltd")
    assert resp.status_code == int(kind)
    assert not contact_exists(api, f"Fault {kind} Ltd")
    assert new_contact(api, f"Fault {kind} Ltd").status_code == 200


def test_fault_matches_path_and_method_and_count(api, sb):
    sb.inject("500", count=2, path="Invoices", method="PUT")
    assert api.get("/Invoices").status_code == 200  # method differs
    assert api.get("/Organisation").status_code == 200  # path differs
    assert [f["count"] for f in sb.faults()] == [2]
    assert api.put("/Invoices", {"Invoices": []}).status_code == 500
    assert api.put("/Invoices", {"Invoices": []}).status_code == 500
    assert sb.faults() == []
    assert api.put("/Invoices", {"Invoices": []}).status_code == 200


def test_hang_outlasts_client_timeout(api, sb):
    sb.inject("hang", count=1, path="/Contacts$", method="PUT", hang_seconds=1.5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        new_contact(api, "Slow Response Ltd", timeout=0.5)
    # the slow call still completes on the server afterwards, like a slow Xero call
    deadline = time.time() + 5
    while not contact_exists(api, "Slow Response Ltd") and time.time() < deadline:
        time.sleep(0.1)
    assert contact_exists(api, "Slow Response Ltd")


def test_lost_response_commits_but_drops_connection(api, sb):
    sb.inject("lost_response", count=1, path="/Contacts$", method="PUT")
    with pytest.raises(requests.exceptions.ConnectionError):
        new_contact(api, "Lost Response Ltd")
    assert contact_exists(api, "Lost Response Ltd")
    assert sb.calls()[-2]["path"].endswith("/Contacts")


def test_reset_drops_connection_before_processing(api, sb):
    sb.inject("reset", count=1, path="/Contacts$", method="PUT")
    with pytest.raises(requests.exceptions.ConnectionError):
        new_contact(api, "Reset Connection Ltd")
    assert not contact_exists(api, "Reset Connection Ltd")


def test_429_storm(api, sb):
    sb.inject("429", count=3, retry_after=7, problem="minute")
    for _ in range(3):
        resp = api.get("/Organisation")
        assert resp.status_code == 429
        assert resp.headers["Retry-After"] == "7"
        assert resp.headers["X-Rate-Limit-Problem"] == "minute"
    assert api.get("/Organisation").status_code == 200
    sb.inject("429", count=1, retry_after=3600, problem="day")
    assert api.get("/Organisation").headers["X-Rate-Limit-Problem"] == "day"


def test_faults_on_token_endpoint(sb):
    sb.inject("503", count=1, path="/connect/token")
    status, _ = sb.token_request(
        grant_type="client_credentials",
        client_id="sandbox-custom-id",
        client_secret="sandbox-custom-secret",
    )
    assert status == 503
    assert sb.client_credentials()["access_token"]


def test_unknown_fault_kind_is_rejected(sb):
    with pytest.raises(RuntimeError):
        sb.inject("explode")
