"""``Sandbox``: start the emulator in a subprocess (default) or a thread, plus thin
helpers over the control API for tests."""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCOPE = (
    "openid profile email offline_access accounting.invoices accounting.payments "
    "accounting.contacts accounting.settings accounting.attachments"
)
DEFAULT_REDIRECT = "http://localhost:8069/xero/oauth/callback"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Sandbox:
    def __init__(
        self,
        seed="demo",
        time_scale=1.0,
        min_limit=60,
        day_limit=5000,
        concurrent_limit=5,
        webhook_url=None,
        webhook_key=None,
        mode="subprocess",
        validate=True,
        attachment_limit=None,
        host="127.0.0.1",
        port=0,
        response_validation=None,
    ):
        if mode not in ("subprocess", "thread"):
            raise ValueError("mode must be 'subprocess' or 'thread'")
        self.options = {
            "seed": seed,
            "time_scale": time_scale,
            "min_limit": min_limit,
            "day_limit": day_limit,
            "concurrent_limit": concurrent_limit,
            "webhook_url": webhook_url,
            "webhook_key": webhook_key,
            "attachment_limit": attachment_limit,
            "response_validation": response_validation,
        }
        self.mode, self.validate, self.host, self.port = mode, validate, host, port
        self.url = None
        self.proc = None
        self.httpd = None
        self.app = None

    # ---- lifecycle -----------------------------------------------------------------------
    def _argv(self):
        argv = ["--host", self.host, "--port", str(self.port)]
        for key, value in self.options.items():
            if value is not None:
                argv += ["--" + key.replace("_", "-"), str(value)]
        if not self.validate:
            argv.append("--no-validate")
        return argv

    def start(self, timeout=30):
        if self.mode == "thread":
            from .__main__ import build_parser, serve

            self.app, self.httpd = serve(build_parser().parse_args(self._argv()))
            threading.Thread(
                target=self.httpd.serve_forever, daemon=True, name="sandbox-http"
            ).start()
            self.url = f"http://{self.host}:{self.httpd.server_port}"
        else:
            env = dict(os.environ, PYTHONUNBUFFERED="1")
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "sandbox", *self._argv()],
                cwd=str(REPO_ROOT),
                stdout=subprocess.PIPE,
                stderr=None,
                env=env,
                text=True,
            )
            line = self.proc.stdout.readline().strip()
            if not line.startswith("SANDBOX LISTENING "):
                self.proc.kill()
                raise RuntimeError(f"sandbox did not start: {line!r}")
            self.url = line.split(" ", 2)[2]
            threading.Thread(target=self._drain, daemon=True).start()
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                self.control("GET", "clock")
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("sandbox did not answer")

    def _drain(self):
        for _ in self.proc.stdout:
            pass

    def stop(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
            self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def accounting_url(self):
        return self.url + "/api.xro/2.0"

    @property
    def token_url(self):
        return self.url + "/connect/token"

    @property
    def revocation_url(self):
        return self.url + "/connect/revocation"

    @property
    def authorize_url(self):
        return self.url + "/identity/connect/authorize"

    # ---- control API ---------------------------------------------------------------------
    def control(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.url}/_sandbox/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise RuntimeError(
                f"control API {method} {path}: {exc.code} {exc.read().decode(errors='replace')}"
            ) from None

    def advance(self, seconds):
        return self.control("POST", "clock", {"advance": seconds})

    def set_clock(self, when):
        return self.control("POST", "clock", {"set": when})

    def now(self):
        return self.control("GET", "clock")["now"]

    def inject(self, kind, count=1, **options):
        return self.control("POST", "faults", dict(options, kind=kind, count=count))

    def clear_faults(self):
        return self.control("DELETE", "faults")

    def forget_idempotency_keys(self):
        """Xero keeps Idempotency-Keys for a while only: forget them all now."""
        return self.control("DELETE", "idempotency")

    def faults(self):
        return self.control("GET", "faults")

    def calls(self, since=0):
        return self.control("GET", f"calls?since={since}")

    def orgs(self):
        return self.control("GET", "orgs")

    def records(self, tenant_id, collection):
        return self.control("GET", f"orgs/{tenant_id}/{collection}")

    def put_records(self, tenant_id, collection, rows):
        return self.control("POST", f"orgs/{tenant_id}/{collection}", rows)

    def pay(self, tenant_id, invoice_id, amount=None, account_code="090", date=None):
        body = {"InvoiceID": invoice_id, "AccountCode": account_code}
        if amount is not None:
            body["Amount"] = amount
        if date:
            body["Date"] = date
        return self.control("POST", f"orgs/{tenant_id}/pay", body)

    def pay_many(self, tenant_id, rows):
        """Several payments made in Xero, each {InvoiceID, Amount?, AccountCode?, Date?};
        one answer per row (the payment, or {"errors": [...]})."""
        return self.control("POST", f"orgs/{tenant_id}/pay", rows)

    def approve(self, tenant_id, document_id, collection="Invoices"):
        """Approve a document as a Xero user would (AUTHORISED, webhook sent)."""
        return self.control(
            "POST", f"orgs/{tenant_id}/approve", {"Collection": collection, "ID": document_id}
        )

    def violations(self):
        return self.control("GET", "violations")

    def reset(self, seed="demo"):
        return self.control("POST", "reset", {"seed": seed})

    def register_app(
        self,
        client_id,
        client_secret="",
        kind="standard",
        tenant_id=None,
        name=None,
        created=None,
        scopes=None,
    ):
        """Create an app; ``created`` (YYYY-MM-DD, default today) decides whether Xero
        still offers it the broad scopes; ``scopes`` are a custom connection's."""
        return self.control(
            "POST",
            "apps",
            {
                "client_id": client_id,
                "kind": kind,
                "client_secret": client_secret,
                "tenant_id": tenant_id,
                "name": name,
                "created": created,
                "scopes": scopes,
            },
        )

    def limits(self, **limits):
        return self.control("POST", "limits", limits)

    def webhooks(self, url=None, key=None):
        if url is None and key is None:
            return self.control("GET", "webhooks")
        return self.control("POST", "webhooks", {"url": url, "key": key})

    def webhook_intent(self, url=None, key=None):
        return self.control("POST", "webhooks/intent", {"url": url, "key": key})

    # ---- OAuth helpers -------------------------------------------------------------------
    def authorize(
        self,
        client_id="sandbox-client-id",
        redirect_uri=DEFAULT_REDIRECT,
        scope=DEFAULT_SCOPE,
        tenants=None,
        state="sandbox-state",
        code_challenge=None,
        user="demo@example.com",
        deny=False,
    ):
        """Submit the consent page as a user would. Returns the redirect's query values
        (``code``, ``state`` or ``error``) and the full ``location``."""
        form = [
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("scope", scope),
            ("state", state),
            ("user", user),
            ("action", "deny" if deny else "allow"),
        ]
        if code_challenge:
            form += [("code_challenge", code_challenge), ("code_challenge_method", "S256")]
        if tenants is None:
            tenants = [o["tenant_id"] for o in self.orgs()]
        form += [("tenant", t) for t in tenants]
        req = urllib.request.Request(
            self.authorize_url, method="POST", data=urllib.parse.urlencode(form).encode()
        )
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            opener.open(req, timeout=30)
        except urllib.error.HTTPError as exc:
            if exc.code != 302:
                raise RuntimeError(f"authorize failed: {exc.code} {exc.read()!r}") from None
            location = exc.headers["Location"]
        else:
            raise RuntimeError("authorize did not redirect")
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(location).query))
        query["location"] = location
        return query

    def token_request(self, **form):
        req = urllib.request.Request(
            self.token_url, method="POST", data=urllib.parse.urlencode(form).encode()
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            raw = exc.read() or b"{}"
            try:
                return exc.code, json.loads(raw)
            except ValueError:
                return exc.code, {"error": raw.decode(errors="replace")}

    def tokens(
        self,
        client_id="sandbox-client-id",
        client_secret="sandbox-client-secret",
        redirect_uri=DEFAULT_REDIRECT,
        scope=DEFAULT_SCOPE,
        tenants=None,
    ):
        """Run the whole authorization-code flow and return the token response."""
        code = self.authorize(client_id, redirect_uri, scope, tenants)["code"]
        status, body = self.token_request(
            grant_type="authorization_code",
            code=code,
            redirect_uri=redirect_uri,
            client_id=client_id,
            client_secret=client_secret,
        )
        if status != 200:
            raise RuntimeError(f"token exchange failed: {body}")
        return body

    def client_credentials(
        self, client_id="sandbox-custom-id", client_secret="sandbox-custom-secret", scope=None
    ):
        form = {"scope": scope} if scope else {}
        status, body = self.token_request(
            grant_type="client_credentials",
            client_id=client_id,
            client_secret=client_secret,
            **form,
        )
        if status != 200:
            raise RuntimeError(f"client credentials failed: {body}")
        return body
