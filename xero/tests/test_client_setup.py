"""The SDK traps are avoided, and nothing secret leaks to logs or sync-log events."""

import logging

from xero import MemoryTokenStore, RateLimiter, XeroClient
from xero.sdk import int_timeout

from .conftest import CLIENT_SECRET, DEMO_ORG, make_client


def test_each_client_has_its_own_sdk_configuration_without_retries():
    a = XeroClient("t1", MemoryTokenStore(), "client-a", "secret-a", limiter=RateLimiter())
    b = XeroClient("t2", MemoryTokenStore(), "client-b", "secret-b", limiter=RateLimiter())
    assert a.api_client.configuration is not b.api_client.configuration
    assert a.api_client.configuration.oauth2_token.client_id == "client-a"
    assert b.api_client.configuration.oauth2_token.client_id == "client-b"
    for client in (a, b):
        assert client.api_client.rest_client.pool_manager.connection_pool_kw["retries"] is False
        assert client.timeout == (5, 30)


def test_float_timeouts_become_integers():
    assert int_timeout((2.5, 30.0)) == (3, 30)
    assert int_timeout(7.2) == 8
    assert all(isinstance(v, int) for v in int_timeout((0.1, 0.1)))


def test_no_secret_in_events_or_python_logs(sb, connected, caplog):
    token, tenants = connected
    events = []
    store = MemoryTokenStore(dict(token, expires_at=0))  # forces a refresh
    client = make_client(sb, tenants[DEMO_ORG], store, log_sink=events.append)
    with caplog.at_level(logging.DEBUG):
        assert client.get_organisation()["Name"] == DEMO_ORG
    rotated = store.load()
    secrets = [
        token["access_token"],
        token["refresh_token"],
        rotated["access_token"],
        rotated["refresh_token"],
        CLIENT_SECRET,
    ]
    dumped = repr(events) + caplog.text
    assert [e["operation"] for e in events] == ["token:refresh_token", "get_organisation"]
    for secret in secrets:
        assert secret not in dumped
    event = events[-1]
    assert event["http_status"] == 200 and event["outcome"] == "ok"
    assert event["duration_ms"] >= 0 and event["tenant_id"] == tenants[DEMO_ORG]
    assert DEMO_ORG in event["response"]
    assert event["min_remaining"] is not None
