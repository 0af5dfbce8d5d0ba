"""Idempotency-Key: replays, conflicts, and the retry-after-lost-response case."""

import uuid

import pytest
import requests

from .conftest import bill


def key():
    return str(uuid.uuid4())


def test_same_key_same_body_replays_without_creating(api, supplier, sb):
    k = key()
    payload = {"Invoices": [bill(supplier["ContactID"], InvoiceNumber="IDEM-1")]}
    first = api.put("/Invoices", payload, headers={"Idempotency-Key": k})
    second = api.put("/Invoices", payload, headers={"Idempotency-Key": k})
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert "X-MinLimit-Remaining" in second.headers
    found = api.ok("GET", "/Invoices", params={"InvoiceNumbers": "IDEM-1"})["Invoices"]
    assert len(found) == 1
    assert [c["idempotency_key"] for c in sb.calls()[-3:-1]] == [k, k]


def test_same_key_different_body_is_400(api, supplier):
    k = key()
    api.ok(
        "PUT",
        "/Invoices",
        {"Invoices": [bill(supplier["ContactID"])]},
        headers={"Idempotency-Key": k},
    )
    resp = api.put(
        "/Invoices",
        {"Invoices": [bill(supplier["ContactID"], Reference="x")]},
        headers={"Idempotency-Key": k},
    )
    assert resp.status_code == 400
    assert "Idempotency-Key" in resp.json()["Message"]


def test_key_too_long(api, supplier):
    resp = api.put(
        "/Invoices",
        {"Invoices": [bill(supplier["ContactID"])]},
        headers={"Idempotency-Key": "k" * 129},
    )
    assert resp.status_code == 400


def test_validation_failures_are_replayed_too(api, supplier):
    k = key()
    payload = {"Invoices": [bill(supplier["ContactID"], InvoiceNumber="IDEM-BAD", LineItems=[])]}
    assert api.put("/Invoices", payload, headers={"Idempotency-Key": k}).status_code == 400
    assert api.put("/Invoices", payload, headers={"Idempotency-Key": k}).status_code == 400


def test_retry_after_lost_response_returns_first_result(api, supplier, sb):
    k = key()
    payload = {"Invoices": [bill(supplier["ContactID"], InvoiceNumber="IDEM-LOST")]}
    sb.inject("lost_response", count=1, path="/Invoices$", method="PUT")
    with pytest.raises(requests.exceptions.ConnectionError):
        api.put("/Invoices", payload, headers={"Idempotency-Key": k})
    retry = api.put("/Invoices", payload, headers={"Idempotency-Key": k})
    assert retry.status_code == 200
    found = api.ok("GET", "/Invoices", params={"InvoiceNumbers": "IDEM-LOST"})["Invoices"]
    assert [i["InvoiceID"] for i in found] == [retry.json()["Invoices"][0]["InvoiceID"]]


def test_injected_server_error_does_not_burn_the_key(api, supplier, sb):
    k = key()
    payload = {"Invoices": [bill(supplier["ContactID"], InvoiceNumber="IDEM-500")]}
    sb.inject("500", count=1, path="/Invoices$", method="PUT")
    assert api.put("/Invoices", payload, headers={"Idempotency-Key": k}).status_code == 500
    assert api.put("/Invoices", payload, headers={"Idempotency-Key": k}).status_code == 200


def test_retry_during_a_slow_call_conflicts_then_replays(api, supplier, sb):
    import time

    k = key()
    payload = {"Invoices": [bill(supplier["ContactID"], InvoiceNumber="IDEM-SLOW")]}
    sb.inject("hang", count=1, path="/Invoices$", method="PUT", hang_seconds=1.0)
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.put("/Invoices", payload, headers={"Idempotency-Key": k}, timeout=0.3)
    busy = api.put("/Invoices", payload, headers={"Idempotency-Key": k})
    assert busy.status_code == 409
    deadline = time.time() + 5
    done = busy
    while done.status_code == 409 and time.time() < deadline:
        time.sleep(0.1)
        done = api.put("/Invoices", payload, headers={"Idempotency-Key": k})
    assert done.status_code == 200 and done.headers.get("Idempotent-Replayed") == "true"
    found = api.ok("GET", "/Invoices", params={"InvoiceNumbers": "IDEM-SLOW"})["Invoices"]
    assert len(found) == 1


def test_forgotten_keys_are_processed_again(api, supplier, sb):
    """Xero keeps keys for a while only; the control API forgets them on demand."""
    k = key()
    payload = {"Invoices": [bill(supplier["ContactID"], InvoiceNumber="IDEM-FORGOT")]}
    api.ok("PUT", "/Invoices", payload, headers={"Idempotency-Key": k})
    assert sb.control("GET", "idempotency")["keys"] >= 1
    assert sb.forget_idempotency_keys() == {"keys": 0}
    again = api.put("/Invoices", payload, headers={"Idempotency-Key": k})
    assert again.status_code == 200 and "Idempotent-Replayed" not in again.headers
    found = api.ok("GET", "/Invoices", params={"InvoiceNumbers": "IDEM-FORGOT"})["Invoices"]
    assert len(found) == 2
