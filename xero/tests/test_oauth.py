"""Connecting an organisation: consent with PKCE, code exchange, connections, revoke."""

from urllib.parse import parse_qs, urlsplit

import pytest

from xero import (
    MemoryTokenStore,
    RateLimiter,
    ReconnectNeeded,
    XeroAuthError,
    XeroClient,
    XeroOAuth,
    auth_event_id,
    needs_refresh,
)

from .conftest import DEMO_ORG, SECOND_ORG, consent, make_client, oauth_for


def test_authorize_pkce_exchange_and_two_organisations(sb):
    oauth = oauth_for(sb)
    request = oauth.authorization_request()
    query = parse_qs(urlsplit(request.url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"] == [request.state]
    assert "offline_access" in query["scope"][0].split()
    assert request.code_verifier not in request.url

    params = consent(request.url)
    code = XeroOAuth.check_callback(params, request.state)
    token = oauth.exchange_code(code, request.code_verifier)
    assert token["refresh_token"] and not needs_refresh(token)
    assert isinstance(token["scope"], list) and "accounting.invoices" in token["scope"]

    connections = oauth.connections(token)
    assert {c["tenantName"] for c in connections} == {DEMO_ORG, SECOND_ORG}
    event = auth_event_id(token)
    assert event, "the token should tell which consent it came from"
    assert {c["tenantId"] for c in oauth.connections(token, auth_event_id=event)} == {
        c["tenantId"] for c in connections
    }
    assert oauth.connections(token, auth_event_id="00000000-0000-0000-0000-000000000000") == []

    for conn in connections:  # one client per organisation, same token set
        client = make_client(sb, conn["tenantId"], MemoryTokenStore(token))
        assert client.get_organisation()["Name"] == conn["tenantName"]


def test_consent_refused_wrong_state_and_wrong_verifier(sb):
    oauth = oauth_for(sb)
    request = oauth.authorization_request()
    denied = consent(request.url, allow=False)
    with pytest.raises(XeroAuthError, match="not completed"):
        XeroOAuth.check_callback(denied, request.state)

    params = consent(request.url)
    with pytest.raises(XeroAuthError, match="state mismatch"):
        XeroOAuth.check_callback(params, "another-state")
    code = XeroOAuth.check_callback(params, request.state)
    with pytest.raises(ReconnectNeeded) as err:
        oauth.exchange_code(code, "not-the-verifier")
    assert "Reconnect Xero in Settings" in err.value.user_message()


def test_custom_connection_uses_client_credentials(sb):
    oauth = XeroOAuth.for_base_url(sb.url, "sandbox-custom-id", "sandbox-custom-secret")
    token = oauth.client_credentials()
    assert "refresh_token" not in token
    store = MemoryTokenStore(dict(token, expires_at=0))  # expired: the client gets a new one
    client = XeroClient(
        "",
        store,
        "sandbox-custom-id",
        "sandbox-custom-secret",
        api_url=sb.url,
        custom_connection=True,
        limiter=RateLimiter(),
    )
    assert client.get_organisation()["Name"] == DEMO_ORG
    assert store.load()["access_token"] != token["access_token"]


def test_delete_connection_then_revoke(sb, connected):
    token, tenants = connected
    oauth = oauth_for(sb)
    second = next(c for c in oauth.connections(token) if c["tenantName"] == SECOND_ORG)
    oauth.delete_connection(token, second["id"])
    assert [c["tenantName"] for c in oauth.connections(token)] == [DEMO_ORG]
    client = make_client(sb, tenants[SECOND_ORG], MemoryTokenStore(token))
    with pytest.raises(XeroAuthError) as err:
        client.get_organisation()
    assert "Reconnect Xero in Settings" in err.value.user_message()

    oauth.revoke(token)
    with pytest.raises(ReconnectNeeded):
        oauth.refresh(token)
