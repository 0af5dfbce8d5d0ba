"""Shared by the bench and chaos scripts: Odoo in-process on a database of their own,
the Xero sandbox with Xero's real limits on a scaled clock, a connected company, and
counters (API calls, 429s, SQL queries, CPU, limiter waits).

Time: the sandbox clock and the addon's rate limiter both run ``TIME_SCALE`` times
faster than real time, so 60 calls/minute hold in sandbox time. Odoo's own work and the
HTTP round trips run at real speed; only the limiter's waits are shortened. Figures in
"real Xero time" therefore count those waits ``TIME_SCALE`` times longer:
``xero_seconds = wall - waited + waited * TIME_SCALE``.
"""

import os
import sys
import threading
import time
from urllib.parse import parse_qs, urlparse

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

TIME_SCALE = float(os.environ.get("XC_BENCH_TIME_SCALE", "4"))
# The scaled clocks of all bench processes (workers included) start from one instant,
# so that they agree on the database's shared rate budget.
EPOCH = float(os.environ.setdefault("XC_BENCH_EPOCH", str(time.time())))
DEMO_TENANT = "a1b2c3d4-0001-4000-8000-00000000d001"
CLIENT_ID = "sandbox-client-id"
CLIENT_SECRET = "sandbox-client-secret"


def figure(name, value):
    if isinstance(value, float):
        value = f"{value:.2f}" if abs(value) < 1000 else f"{value:.0f}"
    print(f"{name}: {value}", flush=True)


def note(text):
    print(f"# {text}", file=sys.stderr, flush=True)


def start_odoo(db):
    import odoo
    from odoo.tools import config

    config.parse_config(["-c", os.environ["ODOO_CONF"], "-d", db, "--log-level=warn"])
    odoo.modules.module.initialize_sys_path()
    return odoo.modules.registry.Registry(db)


class Waits:
    """The limiter's sleep, timed: how long (real seconds) calls waited for the limit."""

    def __init__(self, time_scale):
        self.time_scale = time_scale
        self.real = 0.0
        self.lock = threading.Lock()

    def sleep(self, seconds):
        if seconds > 0:
            real = seconds / self.time_scale
            time.sleep(real)
            with self.lock:
                self.real += real


def install_limiter(time_scale=TIME_SCALE):
    """Make every XeroClient of this process use a limiter on the sandbox's clock (the
    budget itself stays in the database, shared with the other processes)."""
    from odoo.addons.xero_connector.models.xero_rate_budget import configure_limiters
    from odoo.addons.xero_connector.xero import limiter

    waits = Waits(time_scale)
    clock = limiter.ScaledClock(time_scale, epoch=EPOCH)
    configure_limiters(time_scale=time_scale, clock=clock.now, sleep=waits.sleep)
    return waits


def start_sandbox(time_scale=TIME_SCALE, seed="demo", **options):
    from sandbox import Sandbox

    # Xero's real limits: 60 calls a minute, 5 at once (per organisation).
    sandbox = Sandbox(seed=seed, time_scale=time_scale, min_limit=60, concurrent_limit=5, **options)
    sandbox.start()
    return sandbox


def connect(env, sandbox, company=None, tenant=DEMO_TENANT):
    """Connect ``company`` to the sandbox organisation through the consent flow."""
    company = company or env.company
    # a system administrator's choice: connections may use their Xero Endpoint (sandbox)
    env["ir.config_parameter"].sudo().set_param("xero_connector.sandbox_mode", "1")
    connection = env["xero.connection"]._get_or_create_for_company(company)
    connection.write(
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "endpoint_url": sandbox.url}
    )
    action = connection.action_connect()
    query = {k: v[0] for k, v in parse_qs(urlparse(action["url"]).query).items()}
    answer = sandbox.authorize(
        client_id=query["client_id"],
        redirect_uri=query["redirect_uri"],
        scope=query["scope"],
        state=query["state"],
        code_challenge=query["code_challenge"],
        tenants=[tenant],
    )
    states = env["xero.oauth.state"].sudo()
    outcome, pending, _detail = states._complete_consent(answer["state"], answer["code"])
    if outcome == "choose":
        states._choose_tenant(pending.id, tenant)
    return connection


def api_calls(sandbox, since=0):
    """Accounting API calls the sandbox saw after ``since`` (token calls excluded)."""
    return [c for c in sandbox.calls(since) if c["path"].startswith("/api.xro/")]


def last_seq(sandbox):
    rows = sandbox.calls()
    return rows[-1]["seq"] if rows else 0


class Meter:
    """Wall, CPU, SQL queries, API calls and limiter waits over a block."""

    def __init__(self, sandbox, waits):
        self.sandbox, self.waits = sandbox, waits

    def __enter__(self):
        self.seq = last_seq(self.sandbox)
        thread = threading.current_thread()
        thread.query_count = 0
        thread.query_time = 0.0
        self.waited0 = self.waits.real if self.waits else 0.0
        self.cpu0 = time.process_time()
        self.wall0 = time.monotonic()
        return self

    def __exit__(self, *exc):
        self.wall = time.monotonic() - self.wall0
        self.cpu = time.process_time() - self.cpu0
        self.queries = threading.current_thread().query_count
        self.waited = (self.waits.real if self.waits else 0.0) - self.waited0
        self.calls = api_calls(self.sandbox, self.seq)
        self.refused = sum(1 for c in self.calls if c["status"] == 429)

    @property
    def xero_seconds(self):
        scale = self.waits.time_scale if self.waits else 1.0
        return self.wall - self.waited + self.waited * scale

    @property
    def accepted_calls(self):
        return [c for c in self.calls if c["status"] != 429]


def profiled(func, *args):
    """XC_BENCH_PROFILE=1: cProfile the call and print the top functions to stderr."""
    if not os.environ.get("XC_BENCH_PROFILE"):
        return func(*args)
    import cProfile
    import pstats

    prof = cProfile.Profile()
    try:
        return prof.runcall(func, *args)
    finally:
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(60)
