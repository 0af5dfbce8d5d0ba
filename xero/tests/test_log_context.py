"""Each call says which records it concerns; the log sink is fixed at construction."""

import pytest

from xero import MemoryTokenStore, XeroClient

from .conftest import CONTACT, DEMO_ORG, bill, make_client

A, B, C = ("account.move", 1), ("account.move", 2), ("account.move", 3)


def _concerns(events, operation):
    return [e["concerns"] for e in events if e["operation"] == operation]


def test_a_call_is_logged_against_the_records_it_concerns(demo_client):
    doc = demo_client.concerning([A])
    doc.get_organisation()
    demo_client.get_currencies()
    assert _concerns(demo_client.events, "get_organisation") == [(A,)]
    assert _concerns(demo_client.events, "get_currencies") == [()], "the client is unchanged"
    assert demo_client.concerns == () and doc.concerns == (A,)
    assert doc.tenant_id == demo_client.tenant_id and doc.limiter is demo_client.limiter


def test_two_views_of_one_client_never_log_against_each_other(demo_client):
    first, second = demo_client.concerning([A]), demo_client.concerning([B, B, None])
    second.get_currencies()
    first.get_organisation()
    second.get_organisation()
    assert _concerns(demo_client.events, "get_currencies") == [(B,)]
    assert _concerns(demo_client.events, "get_organisation") == [(A,), (B,)]


def test_each_chunk_of_a_batch_is_logged_against_its_own_elements(demo_client):
    records = [
        ("k1", bill("CTX-1", CONTACT), A),
        ("k2", bill("CTX-2", CONTACT), B),
        ("k3", bill("CTX-3", CONTACT), C),
    ]
    results = demo_client.concerning([("purchase.order", 9)]).send_batch(
        "invoices", records, create_only=True, chunk_size=2
    )
    assert all(r.ok for r in results), [r.errors for r in results]
    assert [r.key for r in results] == ["k1", "k2", "k3"]
    assert _concerns(demo_client.events, "create_invoices") == [(A, B), (C,)]


def test_batch_elements_without_reference_use_the_clients_concerns(demo_client):
    records = [("k1", bill("CTX-4", CONTACT)), ("k2", bill("CTX-5", CONTACT))]
    demo_client.concerning([C]).send_batch("invoices", records, create_only=True)
    assert _concerns(demo_client.events, "create_invoices") == [(C,)]
    with pytest.raises(ValueError):
        demo_client.send_batch("invoices", [("k", bill("CTX-6", CONTACT), A, B)])


def test_every_retry_is_logged_against_the_same_records(sb, demo_client):
    sb.fault("503", count=1, path="/Organisation$")
    demo_client.concerning([A]).get_organisation()
    events = [e for e in demo_client.events if e["operation"] == "get_organisation"]
    assert [e["outcome"] for e in events] == ["retrying", "ok"]
    assert [e["concerns"] for e in events] == [(A,), (A,)]


def test_a_token_renewal_concerns_no_record(sb, connected):
    token, tenants = connected
    events = []
    store = MemoryTokenStore(dict(token, expires_at=0))  # forces a refresh
    client = make_client(sb, tenants[DEMO_ORG], store, log_sink=events.append)
    client.concerning([A]).get_organisation()
    assert [(e["operation"], e["concerns"]) for e in events] == [
        ("token:refresh_token", ()),
        ("get_organisation", (A,)),
    ]


def test_the_log_sink_cannot_be_swapped_on_a_live_client():
    events = []
    client = XeroClient("t1", MemoryTokenStore(), "client", log_sink=events.append)
    with pytest.raises(AttributeError, match="concerning"):
        client.logger_hook = print
    assert client.logger_hook == events.append
