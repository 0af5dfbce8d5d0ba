"""Token rotation: proactive refresh, one refresh for many threads, dead tokens."""

import threading
import time

import pytest
from freezegun import freeze_time

from xero import MemoryTokenStore, ReconnectNeeded

from .conftest import DEMO_ORG, make_client, oauth_for


def token_calls(sb, since):
    return [c for c in sb.calls(since) if c["path"] == "/connect/token"]


def test_refresh_happens_before_expiry(sb, connected):
    token, tenants = connected
    store = MemoryTokenStore(token)
    client = make_client(sb, tenants[DEMO_ORG], store)
    client.get_organisation()
    since = sb.last_seq()
    sb.advance(1700)  # 28 min 20 s later on Xero's side...
    with freeze_time(
        time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + 1700)), tick=True
    ):  # ...and in this process
        assert client.get_organisation()["Name"] == DEMO_ORG
    calls = sb.calls(since)
    assert [c["path"] for c in calls] == ["/connect/token", "/api.xro/2.0/Organisation"]
    assert all(c["status"] == 200 for c in calls), "no 401 should ever be seen"
    assert store.load()["refresh_token"] != token["refresh_token"]


def test_two_threads_refreshing_leave_one_token_chain(sb, connected):
    token, tenants = connected
    store = MemoryTokenStore(dict(token, expires_at=time.time() + 30))  # about to expire
    clients = [make_client(sb, tenants[DEMO_ORG], store) for _ in range(2)]
    since = sb.last_seq()
    barrier, names, errors = threading.Barrier(2), [], []

    def work(client):
        barrier.wait()
        try:
            names.append(client.get_organisation()["Name"])
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and names == [DEMO_ORG, DEMO_ORG]
    assert len(token_calls(sb, since)) == 1, "exactly one refresh for both threads"
    assert len(store.saved) == 1
    # The chain continues: the stored refresh token is the live one.
    rotated = store.load()
    clients[0].refresh_token(stale=rotated)
    assert store.load()["refresh_token"] not in (rotated["refresh_token"], token["refresh_token"])
    assert clients[1].get_organisation()["Name"] == DEMO_ORG


def test_invalid_grant_means_reconnect(sb, connected):
    token, tenants = connected
    events = []
    store = MemoryTokenStore(dict(token, refresh_token="not-a-live-token", expires_at=0))
    client = make_client(sb, tenants[DEMO_ORG], store, log_sink=events.append)
    with pytest.raises(ReconnectNeeded) as err:
        client.get_organisation()
    assert "invalid_grant" in str(err.value)
    assert err.value.user_message().endswith("Reconnect Xero in Settings.")
    assert not err.value.retryable
    outcomes = [(e["operation"], e["http_status"], e["outcome"]) for e in events]
    assert outcomes == [
        ("token:refresh_token", 400, "failed"),
        ("get_organisation", None, "failed"),
    ]
    assert events[-1]["error_class"] == "ReconnectNeeded"
    assert "not-a-live-token" not in repr(events)


def test_old_refresh_token_dies_after_the_grace_period(sb, connected):
    token, _tenants = connected
    oauth = oauth_for(sb)
    oauth.refresh(token)
    sb.advance(31 * 60)
    with pytest.raises(ReconnectNeeded):
        oauth.refresh(token)


def test_401_refreshes_once_then_succeeds(sb, connected):
    token, tenants = connected
    store = MemoryTokenStore(dict(token, access_token="revoked-or-garbage"))
    events = []
    client = make_client(sb, tenants[DEMO_ORG], store, log_sink=events.append)
    assert client.get_organisation()["Name"] == DEMO_ORG
    statuses = [(e["operation"], e["http_status"]) for e in events]
    assert statuses == [
        ("get_organisation", 401),
        ("token:refresh_token", 200),
        ("get_organisation", 200),
    ]


def test_lost_refresh_answer_keeps_the_connection(sb, connected):
    """Xero rotated the token but its answer never arrived: the old refresh token still
    works during the grace period, so the retry recovers and nothing is lost."""
    token, tenants = connected
    store = MemoryTokenStore(dict(token, expires_at=0))
    client = make_client(sb, tenants[DEMO_ORG], store)
    since = sb.last_seq()
    sb.fault("lost_response", path="^/connect/token$")
    assert client.get_organisation()["Name"] == DEMO_ORG
    assert len(token_calls(sb, since)) == 2
    assert len(store.saved) == 1
    assert client.refresh_token(stale=store.load())["access_token"]  # the chain lives on
