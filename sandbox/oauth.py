"""Xero Identity emulation: consent page, token endpoint, revocation and /connections."""

import base64
import hashlib
import html
import json
import secrets
import uuid
from datetime import UTC, datetime
from urllib.parse import urlencode, urlparse

from werkzeug.wrappers import Response

from . import scopes as scope_rules

ACCESS_TTL = 1800
CODE_TTL = 300
REFRESH_GRACE = 1800
REFRESH_TTL = 60 * 86400


def _json(status, obj, headers=None):
    resp = Response(
        json.dumps(obj), status=status, mimetype="application/json", headers=headers or {}
    )
    resp.sandbox_body = obj
    return resp


def oauth_error(error, status=400, description=None):
    body = {"error": error}
    if description:
        body["error_description"] = description
    return _json(status, body)


def unauthorized(detail="AuthenticationUnsuccessful", instance=None):
    return _json(
        401,
        {
            "Type": None,
            "Title": "Unauthorized",
            "Status": 401,
            "Detail": detail,
            "Instance": instance or str(uuid.uuid4()),
            "Extensions": {},
        },
        {"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def forbidden(detail="AuthenticationUnsuccessful"):
    return _json(
        403,
        {
            "Type": None,
            "Title": "Forbidden",
            "Status": 403,
            "Detail": detail,
            "Instance": str(uuid.uuid4()),
            "Extensions": {},
        },
    )


def _iso(ts):
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")


def _b64(obj):
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def redirect_allowed(uri):
    try:
        parsed = urlparse(uri or "")
    except ValueError:
        return False
    return parsed.scheme in ("http", "https") and parsed.hostname in ("localhost", "127.0.0.1")


class Identity:
    def __init__(self, server):
        self.server = server
        self.state = server.state
        self.clock = server.clock

    # ---- consent ----------------------------------------------------------------------
    def authorize_page(self, request):
        args = request.values
        app = self.state.apps.get(args.get("client_id", ""))
        if args.get("response_type") != "code":
            return Response("unsupported_response_type", status=400)
        if app is None or app.get("kind") == "custom":
            return Response("Invalid client_id (unauthorized_client)", status=400)
        if not redirect_allowed(args.get("redirect_uri")):
            return Response("Invalid redirect_uri", status=400)
        method = args.get("code_challenge_method")
        if args.get("code_challenge") and method not in ("S256",):
            return Response("code_challenge_method must be S256", status=400)
        if scope_rules.refused_scopes(app, args.get("scope")):
            # An app created on or after 2 March 2026 is not offered the broad scopes:
            # Xero shows its error page and never comes back to the app.
            return Response("Error: unauthorized_client : Invalid scope for client", status=400)
        if request.method == "POST":
            return self._consent(args, app)
        email = args.get("login_hint") or args.get("user") or "demo@example.com"
        user = self.state.user_by_email(email)
        if user is None:
            return Response(f"Unknown user {html.escape(email)}", status=400)
        rows = []
        for tid in user["tenants"]:
            org = self.state.org(tid)
            if org:
                rows.append(
                    f'<li><label><input type="checkbox" name="tenant" value="{tid}" '
                    f"checked> {html.escape(org.name)}</label></li>"
                )
        hidden = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(v)}">'
            for k, v in args.items()
            if k not in ("tenant", "action", "user")
        )
        page = (
            "<!doctype html><html><head><title>Xero Sandbox - Allow access</title></head><body>"
            f"<h1>{html.escape(app.get('name', app['client_id']))} wants to access "
            "your Xero data</h1>"
            f"<p>Signed in as <b>{html.escape(user['email'])}</b>. "
            f"Scopes: <code>{html.escape(args.get('scope', ''))}</code></p>"
            '<form method="post"><input type="hidden" name="user" '
            f'value="{html.escape(user["email"])}">{hidden}'
            f"<p>Select the organisations to connect:</p><ul>{''.join(rows)}</ul>"
            '<button type="submit" name="action" value="allow">Allow access</button> '
            '<button type="submit" name="action" value="deny">Cancel</button>'
            "</form></body></html>"
        )
        return Response(page, mimetype="text/html")

    def _consent(self, args, app):
        redirect = args["redirect_uri"]
        sep = "&" if "?" in redirect else "?"
        extra = {"state": args["state"]} if args.get("state") else {}
        if args.get("action") == "deny":
            query = urlencode(dict({"error": "access_denied"}, **extra))
            return Response(status=302, headers={"Location": f"{redirect}{sep}{query}"})
        user = self.state.user_by_email(args.get("user") or "demo@example.com")
        if user is None:
            return Response("Unknown user", status=400)
        tenants = [t for t in args.getlist("tenant") if t in user["tenants"]]
        if not tenants:
            return Response("Select at least one organisation", status=400)
        now = self.clock.now()
        auth_event = str(uuid.uuid4())
        code = secrets.token_urlsafe(24)
        with self.state.lock:
            for tid in tenants:
                self._connect(user["user_id"], app["client_id"], tid, auth_event, now)
            self.state.codes[code] = {
                "client_id": app["client_id"],
                "redirect_uri": redirect,
                "scope": args.get("scope", ""),
                "user_id": user["user_id"],
                "challenge": args.get("code_challenge"),
                "expires": now + CODE_TTL,
                "auth_event": auth_event,
            }
        query = urlencode(dict({"code": code, "scope": args.get("scope", "")}, **extra))
        return Response(status=302, headers={"Location": f"{redirect}{sep}{query}"})

    def _connect(self, user_id, client_id, tenant_id, auth_event, now):
        for conn in self.state.connections.values():
            if (conn["_user"], conn["_app"], conn["tenantId"]) == (user_id, client_id, tenant_id):
                # Re-consent of an organisation already connected: Xero keeps the
                # connection and may keep its authEventId (XeroAPI/xero-php-oauth2#18).
                conn["updatedDateUtc"] = _iso(now)
                return conn
        org = self.state.org(tenant_id)
        conn = {
            "id": str(uuid.uuid4()),
            "authEventId": auth_event,
            "tenantId": tenant_id,
            "tenantType": "ORGANISATION",
            "tenantName": org.name,
            "createdDateUtc": _iso(now),
            "updatedDateUtc": _iso(now),
            "_user": user_id,
            "_app": client_id,
        }
        self.state.connections[conn["id"]] = conn
        return conn

    # ---- token endpoint ---------------------------------------------------------------
    def _client(self, request):
        form = request.form
        client_id, secret = form.get("client_id"), form.get("client_secret")
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                decoded = base64.b64decode(auth[6:]).decode()
                client_id, secret = decoded.split(":", 1)
            except (ValueError, UnicodeDecodeError):
                return None, None
        return self.state.apps.get(client_id or ""), secret

    def token(self, request):
        form = request.form
        grant = form.get("grant_type")
        app, secret = self._client(request)
        if app is None:
            return oauth_error("invalid_client")
        with self.state.lock:
            if grant == "authorization_code":
                return self._grant_code(app, secret, form)
            if grant == "refresh_token":
                return self._grant_refresh(app, secret, form)
            if grant == "client_credentials":
                if app.get("kind") != "custom" or secret != app["client_secret"]:
                    return oauth_error(
                        "unauthorized_client" if app.get("kind") != "custom" else "invalid_client"
                    )
                return self._client_credentials(app, form.get("scope"))
        return oauth_error("unsupported_grant_type")

    def _client_credentials(self, app, requested):
        """A custom connection gets the scopes ticked for it at developer.xero.com, or
        the subset it asks for; a scope it was not given (a broad one, for a connection
        created from 29 April 2026) is ``invalid_scope``."""
        configured = scope_rules.configured_scopes(app).split()
        asked = (requested or "").split()
        if scope_rules.refused_scopes(app, requested) or set(asked) - set(configured):
            return oauth_error("invalid_scope")
        return self._issue(
            app, None, " ".join(asked or configured), tenant_id=app["tenant_id"], refresh=False
        )

    def _grant_code(self, app, secret, form):
        code = self.state.codes.pop(form.get("code", ""), None)  # single use
        now = self.clock.now()
        if code is None or code["expires"] < now or code["client_id"] != app["client_id"]:
            return oauth_error("invalid_grant")
        if form.get("redirect_uri") != code["redirect_uri"]:
            return oauth_error("invalid_grant", description="redirect_uri mismatch")
        if code["challenge"]:
            verifier = form.get("code_verifier") or ""
            digest = hashlib.sha256(verifier.encode()).digest()
            expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if not verifier or expected != code["challenge"]:
                return oauth_error("invalid_grant", description="code_verifier is invalid")
        elif secret != app["client_secret"]:
            return oauth_error("invalid_client")
        if secret and secret != app["client_secret"]:
            return oauth_error("invalid_client")
        public = bool(code["challenge"]) and not secret
        return self._issue(
            app, code["user_id"], code["scope"], auth_event=code["auth_event"], public=public
        )

    def _grant_refresh(self, app, secret, form):
        now = self.clock.now()
        entry = self.state.refresh_tokens.get(form.get("refresh_token", ""))
        if entry is None or entry["client_id"] != app["client_id"] or entry.get("revoked"):
            return oauth_error("invalid_grant")
        if not entry["public"] and secret != app["client_secret"]:
            return oauth_error("invalid_client")
        if entry["expires"] < now:
            return oauth_error("invalid_grant")
        if entry.get("rotated_at") is not None and now > entry["rotated_at"] + REFRESH_GRACE:
            return oauth_error("invalid_grant")
        if entry.get("rotated_at") is None:
            entry["rotated_at"] = now
        return self._issue(
            app, entry["user_id"], entry["scope"], public=entry["public"], family=entry["family"]
        )

    def _issue(
        self,
        app,
        user_id,
        scope,
        tenant_id=None,
        refresh=True,
        auth_event=None,
        public=False,
        family=None,
    ):
        now = self.clock.now()
        family = family or str(uuid.uuid4())
        access = self._access_jwt(app, user_id, scope, now, auth_event)
        self.state.access_tokens[access] = {
            "client_id": app["client_id"],
            "user_id": user_id,
            "scope": scope,
            "expires": now + ACCESS_TTL,
            "tenant_id": tenant_id,
            "family": family,
        }
        body = {
            "access_token": access,
            "expires_in": ACCESS_TTL,
            "token_type": "Bearer",
            "scope": scope,
        }
        scopes = scope.split()
        if refresh and "offline_access" in scopes:
            token = secrets.token_urlsafe(32)
            self.state.refresh_tokens[token] = {
                "client_id": app["client_id"],
                "user_id": user_id,
                "scope": scope,
                "expires": now + REFRESH_TTL,
                "public": public,
                "family": family,
                "rotated_at": None,
            }
            body["refresh_token"] = token
        if user_id and "openid" in scopes:
            body["id_token"] = self._id_token(app, user_id, now)
        return _json(200, body, {"Cache-Control": "no-store"})

    def _access_jwt(self, app, user_id, scope, now, auth_event):
        """An access token shaped like Xero's (a JWT with the authentication_event_id
        claim). Its signature is random: the sandbox looks tokens up, never verifies."""
        claims = {
            "nbf": int(now),
            "exp": int(now) + ACCESS_TTL,
            "iss": "https://identity.xero.com",
            "aud": "https://identity.xero.com/resources",
            "client_id": app["client_id"],
            "jti": secrets.token_hex(16),
            "scope": scope.split(),
        }
        if user_id:
            claims.update({"sub": user_id, "xero_userid": user_id, "auth_time": int(now)})
        if auth_event:
            claims["authentication_event_id"] = auth_event
        return f"{_b64({'alg': 'RS256', 'typ': 'JWT'})}.{_b64(claims)}.{secrets.token_urlsafe(32)}"

    def _id_token(self, app, user_id, now):
        b64 = _b64
        user = self.state.users[user_id]
        claims = {
            "iss": "https://identity.xero.com",
            "aud": app["client_id"],
            "sub": user_id,
            "xero_userid": user_id,
            "email": user["email"],
            "iat": int(now),
            "exp": int(now) + 300,
        }
        return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."

    def revoke(self, request):
        app, _secret = self._client(request)
        if app is None:
            return oauth_error("invalid_client")
        token = request.form.get("token", "")
        with self.state.lock:
            entry = self.state.refresh_tokens.get(token)
            if entry is None or entry["client_id"] != app["client_id"]:
                return Response(status=200)
            user_id = entry["user_id"]
            for tok in self.state.refresh_tokens.values():
                if tok["client_id"] == app["client_id"] and tok["user_id"] == user_id:
                    tok["revoked"] = True
            for tok in self.state.access_tokens.values():
                if tok["client_id"] == app["client_id"] and tok["user_id"] == user_id:
                    tok["expires"] = 0
            for cid in [
                c["id"]
                for c in self.state.connections.values()
                if c["_app"] == app["client_id"] and c["_user"] == user_id
            ]:
                del self.state.connections[cid]
        return Response(status=200)

    # ---- bearer tokens and connections -----------------------------------------------------
    def bearer(self, request):
        """Return the token entry for the request's bearer token, or None."""
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return None
        entry = self.state.access_tokens.get(auth[7:].strip())
        if entry is None or entry["expires"] <= self.clock.now():
            return None
        return entry

    def user_connections(self, token):
        return [
            c
            for c in self.state.connections.values()
            if c["_app"] == token["client_id"] and c["_user"] == token["user_id"]
        ]

    def may_access(self, token, tenant_id):
        if token["tenant_id"]:
            return tenant_id in ("", None, token["tenant_id"])
        return any(c["tenantId"] == tenant_id for c in self.user_connections(token))

    def _custom_connection(self, token):
        """The single connection of a custom-connection (client credentials) app."""
        org = self.state.org(token["tenant_id"])
        app = token["client_id"]
        conn_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"custom:{app}:{org.tenant_id}"))
        stamp = "2026-01-01T00:00:00.0000000Z"  # the seed organisations' creation date
        return {
            "id": conn_id,
            "authEventId": conn_id,
            "tenantId": org.tenant_id,
            "tenantType": "ORGANISATION",
            "tenantName": org.name,
            "createdDateUtc": stamp,
            "updatedDateUtc": stamp,
        }

    def connections(self, request, connection_id=None):
        token = self.bearer(request)
        if token is None:
            return unauthorized()
        with self.state.lock:
            mine = self.user_connections(token) if token["user_id"] else []
            if token["tenant_id"]:
                mine = [self._custom_connection(token)]
            if request.method == "DELETE":
                for conn in mine:
                    if conn["id"] == connection_id:
                        del self.state.connections[conn["id"]]
                        return Response(status=204)
                return Response(status=404)  # the identity spec declares no body
            event = request.args.get("authEventId")
            rows = [
                {k: v for k, v in c.items() if not k.startswith("_")}
                for c in mine
                if not event or c["authEventId"] == event
            ]
        return _json(200, rows)
