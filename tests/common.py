"""Test helpers: one Xero sandbox (a real HTTP server in a subprocess) for the whole run,
and connecting a company to it the way an administrator does."""

import atexit
from urllib.parse import parse_qs, urlparse

from odoo.tests import HttpCase, TransactionCase

from ..sandbox import Sandbox
from ..xero import normalize_token

CLIENT_ID = "sandbox-client-id"
CLIENT_SECRET = "sandbox-client-secret"
DEMO_ORG = "Demo Company (Global)"
SECOND_ORG = "Second Org Ltd"

_sandbox = None


def shared_sandbox():
    """The sandbox of this test run, started on first use and stopped at exit."""
    global _sandbox
    if _sandbox is None:
        _sandbox = Sandbox(seed="demo")
        _sandbox.start()
        atexit.register(_sandbox.stop)
    return _sandbox


SANDBOX_MODE_PARAM = "xero_connector.sandbox_mode"


def use_sandbox(env):
    """Put the database in Xero sandbox mode (as a system administrator does), so that
    connections use their Xero Endpoint instead of Xero's own hosts."""
    env["ir.config_parameter"].sudo().set_param(SANDBOX_MODE_PARAM, "1")


def org_id(sandbox, name):
    return next(o["tenant_id"] for o in sandbox.orgs() if o["name"] == name)


def consent(sandbox, url, tenants):
    """Tick `tenants` on the sandbox's consent page for the authorize `url`; return the
    values Xero appends to the redirect (code and state)."""
    query = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
    return sandbox.authorize(
        client_id=query["client_id"],
        redirect_uri=query["redirect_uri"],
        scope=query["scope"],
        state=query["state"],
        code_challenge=query["code_challenge"],
        tenants=tenants,
    )


def fresh_rate_limits(case):
    """Each test starts with Xero's minute fully available, as a scenario of its own:
    the sandbox's counters and the database's shared rate budget both start empty
    (tests about rate limits set the limits they need inside the test)."""
    case.sandbox.limits(reset=True)
    case.env["xero.rate.budget"]._reset()


class XeroCase(TransactionCase):
    """A company with a Xero connection record pointed at the sandbox (not yet
    connected). New cursors opened by the code under test (token store, sync log)
    share the test transaction."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.sandbox = shared_sandbox()
        cls.sandbox.reset("demo")  # its rate-limit counters included
        cls.env["xero.rate.budget"]._reset()
        use_sandbox(cls.env)
        cls.company = cls.env.company
        cls.connection = cls.env["xero.connection"]._get_or_create_for_company(cls.company)
        cls.connection.write(
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "endpoint_url": cls.sandbox.url,
            }
        )

    def setUp(self):
        super().setUp()
        fresh_rate_limits(self)

    @classmethod
    def connect(cls, connection=None, tenants=(DEMO_ORG,)):
        """Run the consent flow for `connection` with the organisations named."""
        connection = connection or cls.connection
        action = connection.action_connect()
        tenant_ids = [org_id(cls.sandbox, name) for name in tenants]
        answer = consent(cls.sandbox, action["url"], tenant_ids)
        states = cls.env["xero.oauth.state"].sudo()
        outcome, pending, _detail = states._complete_consent(answer["state"], answer["code"])
        if outcome == "choose":
            states._choose_tenant(pending.id, tenant_ids[0])
        return outcome


class XeroHttpCase(HttpCase):
    """The same company connection record for tests that go through Odoo's HTTP server
    (HttpCase runs the server on the test transaction itself)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = shared_sandbox()
        cls.sandbox.reset("demo")  # its rate-limit counters included
        cls.env["xero.rate.budget"]._reset()
        use_sandbox(cls.env)
        cls.connection = cls.env.company.xero_connection_id
        cls.connection.write(
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "endpoint_url": cls.sandbox.url,
            }
        )

    def setUp(self):
        super().setUp()
        fresh_rate_limits(self)

    @classmethod
    def connect_with_tokens(cls, org=DEMO_ORG):
        """Connected as after a consent, without going through the pages."""
        tenant = org_id(cls.sandbox, org)
        cls.connection.write(
            {
                "tenant_id": tenant,
                "tenant_name": org,
                "state": "connected",
                "token_data": normalize_token(cls.sandbox.tokens(tenants=[tenant])),
            }
        )
        return tenant
