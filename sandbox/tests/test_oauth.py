"""Identity: consent page, authorization code + PKCE, refresh rotation, client
credentials, revocation, connections, token expiry and tenant access."""

import base64
import hashlib
import json
import secrets

import requests

from sandbox.runner import DEFAULT_REDIRECT
from sandbox.seed_gen import DEMO_TENANT, SECOND_TENANT

from .conftest import Api


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def claims(jwt):
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def exchange(sb, code, **extra):
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": DEFAULT_REDIRECT,
        "client_id": "sandbox-client-id",
    }
    form.update(extra)
    return sb.token_request(**form)


def test_consent_page_lists_organisations(sb):
    resp = requests.get(
        sb.authorize_url,
        params={
            "response_type": "code",
            "client_id": "sandbox-client-id",
            "redirect_uri": DEFAULT_REDIRECT,
            "scope": "offline_access accounting.invoices",
            "state": "abc",
        },
        timeout=10,
    )
    assert resp.status_code == 200
    assert "Demo Company (Global)" in resp.text and "Second Org Ltd" in resp.text
    assert 'type="checkbox"' in resp.text and "Allow access" in resp.text


def test_consent_rejects_unknown_client_and_foreign_redirect(sb):
    base = {"response_type": "code", "client_id": "nope", "redirect_uri": DEFAULT_REDIRECT}
    assert requests.get(sb.authorize_url, params=base, timeout=10).status_code == 400
    base.update(client_id="sandbox-client-id", redirect_uri="https://evil.example.com/cb")
    assert requests.get(sb.authorize_url, params=base, timeout=10).status_code == 400


def test_consent_deny_redirects_with_error(sb):
    result = sb.authorize(deny=True, state="s1")
    assert result["error"] == "access_denied" and result["state"] == "s1"


def test_authorization_code_with_client_secret(sb):
    result = sb.authorize(state="xyz")
    assert result["state"] == "xyz"
    status, body = exchange(sb, result["code"], client_secret="sandbox-client-secret")
    assert status == 200
    assert body["expires_in"] == 1800 and body["token_type"] == "Bearer"
    assert body["refresh_token"] and body["access_token"] and body["id_token"]


def test_code_is_single_use_and_short_lived(sb):
    code = sb.authorize()["code"]
    assert exchange(sb, code, client_secret="sandbox-client-secret")[0] == 200
    status, body = exchange(sb, code, client_secret="sandbox-client-secret")
    assert (status, body["error"]) == (400, "invalid_grant")
    code = sb.authorize()["code"]
    sb.advance(301)
    status, body = exchange(sb, code, client_secret="sandbox-client-secret")
    assert (status, body["error"]) == (400, "invalid_grant")


def test_pkce_s256_verifier_checked(sb):
    verifier, challenge = pkce_pair()
    code = sb.authorize(code_challenge=challenge)["code"]
    status, body = exchange(sb, code, code_verifier="wrong-" + verifier)
    assert (status, body["error"]) == (400, "invalid_grant")
    code = sb.authorize(code_challenge=challenge)["code"]
    status, body = exchange(sb, code, code_verifier=verifier)
    assert status == 200 and body["refresh_token"]
    # a public client refreshes without a secret
    status, again = sb.token_request(
        grant_type="refresh_token",
        client_id="sandbox-client-id",
        refresh_token=body["refresh_token"],
    )
    assert status == 200 and again["refresh_token"] != body["refresh_token"]


def test_no_refresh_token_without_offline_access(sb):
    code = sb.authorize(scope="openid accounting.invoices")["code"]
    status, body = exchange(sb, code, client_secret="sandbox-client-secret")
    assert status == 200 and "refresh_token" not in body


def refresh(sb, token):
    return sb.token_request(
        grant_type="refresh_token",
        refresh_token=token,
        client_id="sandbox-client-id",
        client_secret="sandbox-client-secret",
    )


def test_refresh_rotation_with_grace_period(sb):
    first = sb.tokens()
    status, second = refresh(sb, first["refresh_token"])
    assert status == 200 and second["refresh_token"] != first["refresh_token"]
    # the previous refresh token still works within 30 minutes (lost response retry)
    sb.advance(20 * 60)
    status, retry = refresh(sb, first["refresh_token"])
    assert status == 200
    sb.advance(11 * 60)
    status, body = refresh(sb, first["refresh_token"])
    assert (status, body) == (400, {"error": "invalid_grant"})
    assert refresh(sb, retry["refresh_token"])[0] == 200


def test_refresh_with_wrong_secret_or_unknown_token(sb):
    token = sb.tokens()["refresh_token"]
    status, body = sb.token_request(
        grant_type="refresh_token",
        refresh_token=token,
        client_id="sandbox-client-id",
        client_secret="bad",
    )
    assert (status, body["error"]) == (400, "invalid_client")
    assert refresh(sb, "not-a-token") == (400, {"error": "invalid_grant"})


def test_access_token_expires_after_30_minutes(sb):
    api = Api(sb, sb.tokens())
    assert api.get("/Organisation").status_code == 200
    sb.advance(1801)
    resp = api.get("/Organisation")
    assert resp.status_code == 401
    assert resp.json()["Detail"] == "AuthenticationUnsuccessful"


def test_missing_or_bad_bearer_is_401(sb):
    resp = requests.get(
        sb.accounting_url + "/Organisation", headers={"xero-tenant-id": DEMO_TENANT}, timeout=10
    )
    assert resp.status_code == 401 and resp.json()["Title"] == "Unauthorized"
    api = Api(sb, {"access_token": "forged"})
    assert api.get("/Organisation").status_code == 401


def test_tenant_not_granted_is_403(sb):
    sb.register_app("one-org-app", "one-org-secret")
    token = sb.tokens(
        client_id="one-org-app", client_secret="one-org-secret", tenants=[DEMO_TENANT]
    )
    api = Api(sb, token, tenant=SECOND_TENANT)
    assert api.get("/Organisation").status_code == 403
    api.tenant = "00000000-0000-0000-0000-000000000000"
    assert api.get("/Organisation").status_code == 403
    api.tenant = DEMO_TENANT
    assert api.get("/Organisation").status_code == 200


def test_client_credentials_grant(sb):
    token = sb.client_credentials()
    assert "refresh_token" not in token and token["expires_in"] == 1800
    api = Api(sb, token, tenant="")
    org = api.ok("GET", "/Organisation")["Organisations"][0]
    assert org["OrganisationID"] == DEMO_TENANT
    api.tenant = SECOND_TENANT
    assert api.get("/Organisation").status_code == 403
    status, body = sb.token_request(
        grant_type="client_credentials", client_id="sandbox-custom-id", client_secret="bad"
    )
    assert status == 400 and body["error"] == "invalid_client"
    status, body = sb.token_request(
        grant_type="client_credentials",
        client_id="sandbox-client-id",
        client_secret="sandbox-client-secret",
    )
    assert status == 400 and body["error"] == "unauthorized_client"


def test_unsupported_grant(sb):
    status, body = sb.token_request(
        grant_type="password", client_id="sandbox-client-id", client_secret="sandbox-client-secret"
    )
    assert (status, body["error"]) == (400, "unsupported_grant_type")


def test_connections_list_filter_and_delete(sb):
    sb.register_app("connections-app", "connections-secret")
    app = {"client_id": "connections-app", "client_secret": "connections-secret"}
    token = sb.tokens(**app, tenants=[DEMO_TENANT])
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    event = claims(token["access_token"])["authentication_event_id"]
    # a later consent adds an organisation and keeps the authEventId of the one
    # already connected (XeroAPI/xero-php-oauth2#18)
    later = sb.tokens(**app, tenants=[DEMO_TENANT, SECOND_TENANT])
    later_event = claims(later["access_token"])["authentication_event_id"]
    rows = requests.get(sb.url + "/connections", headers=headers, timeout=10).json()
    assert {r["tenantId"]: r["authEventId"] for r in rows} == {
        DEMO_TENANT: event,
        SECOND_TENANT: later_event,
    }
    same = requests.get(
        sb.url + "/connections", params={"authEventId": later_event}, headers=headers, timeout=10
    ).json()
    assert [r["tenantId"] for r in same] == [SECOND_TENANT]
    second = next(r for r in rows if r["tenantId"] == SECOND_TENANT)
    resp = requests.delete(f"{sb.url}/connections/{second['id']}", headers=headers, timeout=10)
    assert resp.status_code == 204
    assert Api(sb, token, SECOND_TENANT).get("/Organisation").status_code == 403
    resp = requests.delete(f"{sb.url}/connections/{second['id']}", headers=headers, timeout=10)
    assert resp.status_code == 404


def test_revocation_removes_connections_and_tokens(sb):
    token = sb.tokens()
    resp = requests.post(
        sb.revocation_url,
        data={
            "token": token["refresh_token"],
            "client_id": "sandbox-client-id",
            "client_secret": "sandbox-client-secret",
        },
        timeout=10,
    )
    assert resp.status_code == 200
    assert refresh(sb, token["refresh_token"]) == (400, {"error": "invalid_grant"})
    assert Api(sb, token).get("/Organisation").status_code == 401
    # consent again restores access
    assert Api(sb, sb.tokens()).get("/Organisation").status_code == 200


def test_scopes_are_enforced_per_endpoint(sb):
    token = sb.tokens(scope="offline_access accounting.settings.read")
    api = Api(sb, token)
    assert api.get("/Organisation").status_code == 200
    resp = api.get("/Invoices")
    assert resp.status_code == 401 and resp.json()["Detail"] == "AuthorizationUnsuccessful"
    assert api.put("/Accounts", {"Code": "x1", "Name": "x", "Type": "EXPENSE"}).status_code == 401


def test_granular_scopes_are_accepted(sb):
    api = Api(sb, sb.tokens(scope="offline_access accounting.invoices.read accounting.payments"))
    assert api.get("/Invoices").status_code == 200
    assert api.get("/Payments").status_code == 200
    assert api.put("/Invoices", {"Invoices": []}).status_code == 401
    assert api.get("/Contacts").status_code == 401


def test_client_credentials_connections(sb):
    token = sb.client_credentials()
    rows = requests.get(
        sb.url + "/connections",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=10,
    ).json()
    assert [r["tenantId"] for r in rows] == [DEMO_TENANT]


def _consent_page(sb, client_id, scope):
    return requests.get(
        sb.authorize_url,
        params={
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": DEFAULT_REDIRECT,
            "scope": scope,
            "state": "abc",
        },
        timeout=10,
    )


def test_app_created_today_is_refused_the_broad_scopes(sb):
    broad = "offline_access accounting.transactions accounting.contacts"
    resp = _consent_page(sb, "sandbox-client-id", broad)
    assert resp.status_code == 400 and "unauthorized_client" in resp.text
    try:
        sb.authorize(scope=broad)
    except RuntimeError as exc:
        assert "Invalid scope for client" in str(exc)
    else:
        raise AssertionError("a new app must not get accounting.transactions")
    granular = "offline_access accounting.invoices accounting.payments accounting.contacts"
    assert _consent_page(sb, "sandbox-client-id", granular).status_code == 200


def test_app_created_before_march_2026_keeps_broad_scopes(sb):
    sb.register_app("legacy-app", "legacy-secret", created="2025-06-01")
    token = sb.tokens(
        client_id="legacy-app",
        client_secret="legacy-secret",
        scope="offline_access accounting.transactions accounting.contacts",
    )
    assert Api(sb, token).get("/Payments").status_code == 200
    sb.register_app("march-app", "march-secret", created="2026-03-02")
    resp = _consent_page(sb, "march-app", "offline_access accounting.transactions")
    assert resp.status_code == 400


def test_new_custom_connection_gets_granular_scopes_only(sb):
    status, body = sb.token_request(
        grant_type="client_credentials",
        client_id="sandbox-custom-id",
        client_secret="sandbox-custom-secret",
        scope="accounting.transactions accounting.contacts",
    )
    assert (status, body) == (400, {"error": "invalid_scope"})
    # without a scope: the scopes ticked for the connection at developer.xero.com
    token = sb.client_credentials()
    assert set(token["scope"].split()) == {
        "accounting.invoices",
        "accounting.payments",
        "accounting.contacts",
        "accounting.settings",
        "accounting.attachments",
        "accounting.reports.trialbalance.read",
    }
    # a scope the connection was not given is refused too
    sb.register_app(
        "narrow-custom",
        "narrow-secret",
        kind="custom",
        tenant_id=DEMO_TENANT,
        scopes="accounting.invoices accounting.contacts accounting.settings",
    )
    status, body = sb.token_request(
        grant_type="client_credentials",
        client_id="narrow-custom",
        client_secret="narrow-secret",
        scope="accounting.invoices accounting.payments",
    )
    assert (status, body) == (400, {"error": "invalid_scope"})
    narrow = sb.client_credentials("narrow-custom", "narrow-secret", scope="accounting.invoices")
    api = Api(sb, narrow, "")
    assert api.get("/Invoices").status_code == 200
    assert api.get("/Payments").status_code == 401


def test_custom_connection_created_before_29_april_keeps_broad_scopes(sb):
    sb.register_app(
        "old-custom", "old-secret", kind="custom", tenant_id=DEMO_TENANT, created="2026-04-28"
    )
    token = sb.client_credentials(
        "old-custom", "old-secret", scope="accounting.transactions accounting.settings"
    )
    assert Api(sb, token, "").get("/Payments").status_code == 200
