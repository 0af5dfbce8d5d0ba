"""OAuth 2.0 with Xero: consent URL (PKCE + state), code exchange, refresh, revoke,
client credentials (custom connections) and the list of connected organisations.

Base URLs are parameters, so the same code talks to Xero or to the local sandbox
(``XeroOAuth.for_base_url(sb.url, ...)``).
"""

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import requests

from .errors import (
    ReconnectNeeded,
    XeroAuthError,
    XeroError,
    XeroResponseError,
    XeroTransientError,
)
from .masking import mask
from .scopes import IDENTITY_SCOPES, requested_scopes
from .sdk import build_api_client, int_timeout
from .token_store import normalize_token
from .transport import Response, error_for, parse_json, perform

# Granular scopes: the only ones Xero offers an app created since March 2026.
DEFAULT_SCOPES = requested_scopes()
XERO_LOGIN_URL = "https://login.xero.com"
XERO_IDENTITY_URL = "https://identity.xero.com"
XERO_API_URL = "https://api.xero.com"


@dataclass
class AuthorizationRequest:
    """Where to send the admin, plus what to keep (server side) until the callback."""

    url: str
    state: str
    code_verifier: str


def pkce_pair():
    """Return ``(code_verifier, code_challenge)`` for the S256 method."""
    verifier = secrets.token_urlsafe(64)[:96]
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


def auth_event_id(token):
    """Which consent produced ``token``: the ``authentication_event_id`` claim of Xero's JWT
    access token (or the same field in the token answer), None when unknown."""
    if (token or {}).get("authentication_event_id"):
        return token["authentication_event_id"]
    access = (token or {}).get("access_token") or ""
    parts = access.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return None
    return claims.get("authentication_event_id") if isinstance(claims, dict) else None


class XeroOAuth:
    """Token and connection calls for one Xero app (client id/secret)."""

    def __init__(
        self,
        client_id,
        client_secret=None,
        redirect_uri=None,
        scopes=DEFAULT_SCOPES,
        login_url=XERO_LOGIN_URL,
        identity_url=XERO_IDENTITY_URL,
        api_url=XERO_API_URL,
        timeout=(5, 30),
        log_sink=None,
    ):
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.scopes = " ".join(scopes.split() if isinstance(scopes, str) else scopes)
        self.login_url = login_url.rstrip("/")
        self.identity_url = identity_url.rstrip("/")
        self.api_url = api_url.rstrip("/")
        self.timeout = int_timeout(timeout)
        self._log_sink = log_sink
        self._http = requests.Session()

    @classmethod
    def for_base_url(cls, base_url, client_id, client_secret=None, **kwargs):
        """All endpoints under one base URL (the sandbox serves login, identity and api)."""
        return cls(
            client_id,
            client_secret,
            login_url=base_url,
            identity_url=base_url,
            api_url=base_url,
            **kwargs,
        )

    # -- consent ------------------------------------------------------------------
    def authorization_request(self, state=None, redirect_uri=None, scopes=None):
        """Build the consent URL with a fresh PKCE verifier and an unguessable state."""
        state = state or secrets.token_urlsafe(24)
        verifier, challenge = pkce_pair()
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri or self.redirect_uri,
            "scope": scopes or self.scopes,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        url = f"{self.login_url}/identity/connect/authorize?{urlencode(params)}"
        return AuthorizationRequest(url=url, state=state, code_verifier=verifier)

    @staticmethod
    def check_callback(params, expected_state):
        """Validate the redirect back from Xero and return the authorisation code."""
        if params.get("error"):
            raise XeroAuthError(
                "Connection to Xero was not completed: %s"
                % (params.get("error_description") or params["error"])
            )
        state = params.get("state") or ""
        if not expected_state or not hmac.compare_digest(str(state), str(expected_state)):
            raise XeroAuthError(
                "The answer from Xero does not match this connection attempt "
                "(state mismatch); start the connection again."
            )
        if not params.get("code"):
            raise XeroAuthError("Xero did not return an authorisation code.")
        return params["code"]

    # -- token endpoint -----------------------------------------------------------
    def exchange_code(self, code, code_verifier, redirect_uri=None):
        """Trade the authorisation code for the first token set."""
        return self._token_call(
            "authorization_code",
            {
                "code": code,
                "redirect_uri": redirect_uri or self.redirect_uri,
                "code_verifier": code_verifier,
            },
        )

    def refresh(self, token):
        """Rotate a token set. The old refresh token is dead afterwards: save the result."""
        if not token or not token.get("refresh_token"):
            raise ReconnectNeeded("no refresh token stored")
        return self._token_call("refresh_token", {"refresh_token": token["refresh_token"]})

    def client_credentials(self, scopes=None):
        """Token for a Custom Connection (one organisation, no refresh token).

        ``scopes`` default to this app's accounting scopes (a custom connection has no
        identity scopes); ``""`` sends none, and Xero grants the scopes ticked for the
        connection at developer.xero.com."""
        if scopes is None:
            scopes = " ".join(s for s in self.scopes.split() if s not in IDENTITY_SCOPES)
        if not isinstance(scopes, str):
            scopes = " ".join(scopes)
        data = {"scope": scopes} if scopes else {}
        return self._token_call("client_credentials", data)

    def revoke(self, token):
        """Revoke the refresh token: Xero removes all the user's connections for this app."""
        if token and token.get("refresh_token"):
            self._post_form(
                "revoke",
                f"{self.identity_url}/connect/revocation",
                {"token": token["refresh_token"]},
            )

    def _token_call(self, grant, data):
        data = dict(data, grant_type=grant)
        raw = self._post_form("token:" + grant, f"{self.identity_url}/connect/token", data)
        if not isinstance(raw, dict) or not raw.get("access_token"):
            raise XeroResponseError("the token answer has no access token")
        return normalize_token(raw)

    def _post_form(self, operation, url, data):
        auth = None
        if self.client_secret:
            auth = (self.client_id, self.client_secret)
        else:
            data = dict(data, client_id=self.client_id)
        start = time.monotonic()
        event = {
            "operation": operation,
            "tenant_id": None,
            "method": "POST",
            "url": url,
            "request": mask(data),
        }
        try:
            resp = self._http.post(
                url,
                data=data,
                auth=auth,
                timeout=self.timeout,
                headers={"Accept": "application/json"},
            )
        except requests.Timeout:
            exc = XeroTransientError("timed out waiting for Xero login", maybe_committed=True)
            self._report(event, start, None, exc)
            raise exc from None
        except requests.RequestException as err:
            exc = XeroTransientError(f"network error ({type(err).__name__})", maybe_committed=True)
            self._report(event, start, None, exc)
            raise exc from None
        response = Response(resp.status_code, dict(resp.headers), resp.content)
        if resp.status_code >= 400:
            exc = error_for(response, operation)
            if resp.status_code in (400, 401) and not isinstance(exc, ReconnectNeeded):
                exc = ReconnectNeeded(
                    f"Xero refused the login ({exc.message})",
                    status=resp.status_code,
                    detail=exc.detail,
                )
            self._report(event, start, response, exc)
            raise exc
        try:
            payload = parse_json(response)
        except XeroError as exc:
            self._report(event, start, response, exc)
            raise
        self._report(event, start, response, None)
        return payload

    # -- connections --------------------------------------------------------------
    def connections(self, token, auth_event_id=None):
        """Organisations the token can reach: [{id, tenantId, tenantName, tenantType,
        authEventId, ...}]; ``auth_event_id`` keeps those authorised in one consent."""
        query = [("authEventId", auth_event_id)] if auth_event_id else []
        payload = self._identity_call("connections", "GET", "/connections", token, query)
        return payload or []

    def delete_connection(self, token, connection_id):
        """Disconnect one organisation (``connection_id`` is the connection ``id``)."""
        self._identity_call("delete_connection", "DELETE", f"/connections/{connection_id}", token)

    def _identity_call(self, operation, method, path, token, query=None):
        api_client, sdk_token = build_api_client(self.client_id, self.client_secret)
        sdk_token.use((token or {}).get("access_token"))
        url = self.api_url + path
        start = time.monotonic()
        event = {
            "operation": operation,
            "tenant_id": None,
            "method": method,
            "url": url,
            "request": mask(dict(query or [])),
        }
        try:
            resp = perform(
                api_client,
                method,
                url,
                query=query,
                timeout=self.timeout,
                headers={"Accept": "application/json"},
            )
        except XeroError as exc:
            self._report(event, start, None, exc)
            raise
        exc = error_for(resp, operation) if resp.status >= 300 else None
        payload = None
        if exc is None:
            try:
                payload = parse_json(resp)
            except XeroError as err:
                exc = err
        self._report(event, start, resp, exc)
        if exc:
            raise exc
        return payload

    def _report(self, event, start, response, exc):
        if not self._log_sink:
            return
        event = dict(event)
        event.update(
            url=mask(event["url"]),
            http_status=response.status if response is not None else None,
            duration_ms=int((time.monotonic() - start) * 1000),
            outcome="ok" if exc is None else "failed",
            xero_message=exc.user_message() if exc else None,
            response=mask(response.data, max_len=2000) if response is not None else None,
        )
        self._log_sink(event)
