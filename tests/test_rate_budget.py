"""One Xero rate budget per organisation for the whole database: several processes
(separate PostgreSQL connections) share the minute window and the 5 concurrency slots,
a killed process gives its slots back, batch calls leave the end of the day to users."""

import json
import os
import subprocess
import sys
import time
import uuid

from odoo.tests import tagged
from odoo.tools import config

from ..models.xero_rate_budget import PgBudgetStore
from ..sandbox import Sandbox
from ..xero import RateLimiter, XeroRateLimited, normalize_token
from ..xero.limiter import Rules
from .common import DEMO_ORG, XeroCase, org_id

HERE = os.path.dirname(os.path.abspath(__file__))
# A burst larger than the window: these rules test the window and the slots alone.
RULES = Rules(window_cap=58, burst=100.0, rate=1.0, concurrent_limit=5, batch_reserve=0.10)
NOW = 1_900_000_000.0


@tagged("post_install", "-at_install")
class TestSharedBudget(XeroCase):
    """Two stores, each with its own connection, are two Odoo processes."""

    def setUp(self):
        super().setUp()
        self.tenant = f"budget-{uuid.uuid4()}"
        self.one = PgBudgetStore(self.env.cr.dbname)
        self.two = PgBudgetStore(self.env.cr.dbname)
        self.addCleanup(self.one.close)
        self.addCleanup(self.two.close)

    def take(self, store, now=NOW, batch=False):
        return store.take(self.tenant, now, batch, RULES)

    def test_two_processes_share_one_minute_window(self):
        for i in range(58):
            store = self.one if i % 2 else self.two
            grant, wait, problem = self.take(store, NOW + i * 0.1)
            self.assertIsNotNone(grant, f"call {i}: {problem}")
            store.give_back(grant, NOW + i * 0.1, None, None)
        for store in (self.one, self.two):
            grant, wait, problem = self.take(store, NOW + 10)
            self.assertIsNone(grant)
            self.assertEqual(problem, "minute")
            self.assertAlmostEqual(wait, 50.0, places=3)  # the first call leaves the window
        grant, _wait, _problem = self.take(self.two, NOW + 60.01)
        self.assertIsNotNone(grant, "a minute later the window has room again")

    def test_five_slots_for_all_processes_and_a_closed_one_gives_its_slots_back(self):
        held = [self.take(self.one)[0] for _ in range(3)] + [
            self.take(self.two)[0] for _ in range(2)
        ]
        self.assertTrue(all(held))
        self.assertEqual(len({(g[1], g[2]) for g in held}), 5, "five different slots")
        for store in (self.one, self.two):
            grant, wait, problem = self.take(store)
            self.assertIsNone(grant, "a sixth call at once is refused, whichever process asks")
            self.assertEqual(problem, "concurrent")
            self.assertLess(wait, 1)
        self.two.give_back(held[3], NOW, None, None)
        self.assertIsNotNone(self.take(self.one)[0], "a slot given back is free again")
        self.one.close()  # the process dies with three calls in flight
        third = PgBudgetStore(self.env.cr.dbname)
        self.addCleanup(third.close)
        grants = [self.take(store)[0] for store in (third, third, self.two, self.two)]
        self.assertEqual(sum(1 for g in grants if g), 4, "its four slots came back at once")
        self.assertIsNone(self.take(third)[0])

    def test_a_killed_process_gives_its_slots_back(self):
        script = (
            "import sys, time, odoo\n"
            "from odoo.tools import config\n"
            "config.parse_config(['-c', sys.argv[1], '--log-level=warn'])\n"
            "odoo.modules.module.initialize_sys_path()\n"
            "from odoo.addons.xero_connector.models.xero_rate_budget import PgBudgetStore\n"
            "from odoo.addons.xero_connector.xero.limiter import Rules\n"
            "rules = Rules(58, 100.0, 1.0, 5, 0.1)\n"
            "store = PgBudgetStore(sys.argv[2])\n"
            "got = [store.take(sys.argv[3], 1.9e9, False, rules)[0] for _ in range(5)]\n"
            "print('held', sum(1 for g in got if g), flush=True)\n"
            "time.sleep(60)\n"
        )
        proc = subprocess.Popen(
            [sys.executable, "-c", script, config.rcfile, self.env.cr.dbname, self.tenant],
            stdout=subprocess.PIPE,
            text=True,
        )
        self.addCleanup(proc.wait, 10)
        self.addCleanup(proc.kill)
        self.assertEqual(proc.stdout.readline().strip(), "held 5")
        grant, _wait, problem = self.take(self.one)
        self.assertEqual((grant, problem), (None, "concurrent"))
        proc.kill()  # SIGKILL: no clean-up code runs
        proc.wait(10)
        for _ in range(50):  # the server notices the closed socket within milliseconds
            grant, _wait, _problem = self.take(self.one)
            if grant:
                break
            time.sleep(0.1)
        self.assertIsNotNone(grant, "the killed process's slots were released")

    def test_xero_minute_header_slows_every_process(self):
        grant, _wait, _problem = self.take(self.one)
        self.one.give_back(grant, NOW, 1, None)  # Xero: 1 call left this minute
        grant, wait, problem = self.take(self.two, NOW + 5)
        self.assertEqual((grant, problem), (None, "minute"))
        self.assertAlmostEqual(wait, 55.0, places=3)
        self.assertIsNotNone(self.take(self.two, NOW + 60)[0])

    def test_xero_429_blocks_every_process_until_retry_after(self):
        RateLimiter(self.one).store.block(self.tenant, NOW + 30, "minute")
        grant, wait, problem = self.take(self.two, NOW + 1)
        self.assertEqual((grant, problem), (None, "minute"))
        self.assertAlmostEqual(wait, 29.0, places=3)
        self.assertIsNotNone(self.take(self.two, NOW + 31)[0])


@tagged("post_install", "-at_install")
class TestDailyAllowance(XeroCase):
    """The day's allowance is what Xero reports (a Starter app: 1,000), and batch calls
    stop at a tenth of it while users' calls go on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.connect()
        cls.tenant = cls.connection.tenant_id

    def setUp(self):
        super().setUp()
        self.sandbox.limits(day_limit=1000, reset=True)
        self.addCleanup(self.sandbox.limits, day_limit=5000, reset=True)
        self.env["xero.rate.budget"]._reset(self.tenant)
        self.addCleanup(self.env["xero.rate.budget"]._reset, self.tenant)

    def test_batch_calls_stop_at_the_reserve_of_a_starter_day_interactive_ones_go_on(self):
        user = self.connection._client()
        cron = self.connection._client("batch")
        user.get_organisation()  # Xero: 999 left today, so the day's allowance is 1,000
        since = self.sandbox.calls()[-1]["seq"]
        self.sandbox.limits(day_limit=302)  # 300 left: plenty for batch work (not half)
        cron.get_currencies()
        self.sandbox.limits(day_limit=104)  # 101 left once this call is counted
        cron.get_currencies()
        cron.get_currencies()  # 101 left before it: above the reserve of 100; 100 after
        with self.assertRaises(XeroRateLimited) as err:
            cron.get_currencies()
        self.assertEqual(err.exception.problem, "day")
        self.assertIn("kept for users", err.exception.user_message())
        self.assertGreater(err.exception.retry_at.timestamp(), time.time())
        self.assertEqual(user.get_organisation()["Name"], DEMO_ORG)
        calls = [c for c in self.sandbox.calls(since) if c["path"].startswith("/api.xro/")]
        self.assertEqual([c["status"] for c in calls], [200, 200, 200, 200])

    def test_every_odoo_client_uses_the_database_budget(self):
        client = self.connection._client("batch")
        self.assertIsInstance(client.limiter.store, PgBudgetStore)
        self.assertIs(client.limiter, self.connection._client().limiter, "one per process")
        client.get_organisation()
        # The row is committed by the budget's own connection: read it from another one.
        reader = PgBudgetStore(self.env.cr.dbname)
        self.addCleanup(reader.close)
        with reader._cursor() as cr:
            cr.execute(
                "SELECT day_remaining, day_peak, company_id, cardinality(call_starts) "
                "FROM xero_rate_budget WHERE tenant_id = %s",
                [self.tenant],
            )
            self.assertEqual(cr.fetchone(), (999, 999, self.connection.company_id.id, 1))


@tagged("post_install", "-at_install")
class TestProcessesShareTheBudget(XeroCase):
    """Three separate processes, three threads each, against a sandbox with Xero's
    limits (60 a minute, 5 at once) on a clock 10 times faster: Xero never says 429."""

    TIME_SCALE = 10

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fast = Sandbox(seed="demo", time_scale=cls.TIME_SCALE, min_limit=60, concurrent_limit=5)
        cls.fast.start()
        cls.addClassCleanup(cls.fast.stop)

    def run_workers(self, mode="pg", processes=3, threads=3, calls=10):
        tenant = org_id(self.fast, DEMO_ORG)
        self.env["xero.rate.budget"]._reset(tenant)
        self.addCleanup(self.env["xero.rate.budget"]._reset, tenant)
        token = json.dumps(normalize_token(self.fast.tokens(tenants=[tenant])), default=str)
        # every call takes 0.1 s (1 sandbox second): nine threads would overlap
        self.fast.inject("hang", count=10000, path="Currencies$", hang_seconds=0.1)
        self.addCleanup(self.fast.clear_faults)
        since = self.fast.calls()[-1]["seq"] if self.fast.calls() else 0
        argv = [config.rcfile, self.env.cr.dbname, self.fast.url, tenant, token]
        argv += [str(threads), str(calls), str(self.TIME_SCALE), str(time.time()), mode]
        procs = [
            subprocess.Popen(
                [sys.executable, os.path.join(HERE, "rate_budget_worker.py"), *argv],
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(processes)
        ]
        outputs = [proc.communicate(timeout=120)[0].strip() for proc in procs]
        calls_seen = [c for c in self.fast.calls(since) if c["path"].endswith("/Currencies")]
        return outputs, calls_seen

    def test_three_processes_get_no_429(self):
        outputs, calls = self.run_workers()
        self.assertEqual([o.split()[:2] for o in outputs], [["done", "30"]] * 3, outputs)
        statuses = [c["status"] for c in calls]
        self.assertEqual(statuses.count(429), 0, "the sandbox refused no call")
        self.assertEqual(len(calls), 90)
        self.assertEqual(self.fast.violations(), [])
