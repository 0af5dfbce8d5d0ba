"""make chaos: 1,000 bills exported while the sandbox fails calls (10% 5xx, 5% answers
lost after Xero committed, bursts of 429) and the exporting Odoo process is killed with
SIGKILL twice in the middle of a batch and started again. Then two workers renew
1-minute tokens for 30 minutes of sandbox time. Prints ``name: value`` lines."""

import collections
import os
import random
import signal
import subprocess
import sys
import threading
import time

import common
import psycopg2
from common import DEMO_TENANT, connect, figure, note, start_odoo, start_sandbox

from odoo import SUPERUSER_ID, api

BILLS = int(os.environ.get("XC_CHAOS_BILLS", 1000))
SUPPLIERS = 100
KILL_AFTER_PUTS = (3, 9)  # SIGKILL when the sandbox has answered this many bill batches
API = "/api.xro/2.0/"


class FaultInjector(threading.Thread):
    """Before each API call, decides what the next one meets: 10% a 500/503, 5% an
    answer lost after Xero committed, 2% the start of a burst of three 429s."""

    def __init__(self, sandbox, seed=7):
        super().__init__(daemon=True)
        self.sandbox, self.random = sandbox, random.Random(seed)
        self.stop = threading.Event()
        self.injected = collections.Counter()

    def run(self):
        seen = common.last_seq(self.sandbox)
        while not self.stop.is_set():
            rows = [c for c in self.sandbox.calls(seen) if c["path"].startswith(API)]
            if self.sandbox.faults() or not rows:
                if rows:
                    seen = rows[-1]["seq"]
                time.sleep(0.02)
                continue
            seen = rows[-1]["seq"]
            r = self.random.random()
            if r < 0.10:
                kind = self.random.choice(["500", "503"])
                self.sandbox.inject(kind, 1, path=API)
            elif r < 0.15:
                kind = "lost_response"
                self.sandbox.inject(kind, 1, path=API)
            elif r < 0.17:
                kind = "429"
                self.sandbox.inject(kind, 3, path=API, retry_after=2)
            else:
                continue
            self.injected[kind] += 1


def spawn_worker(db):
    return subprocess.Popen(
        [sys.executable, "chaos_worker.py", db],
        cwd=os.path.dirname(os.path.abspath(__file__)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def bill_puts(sandbox):
    return [
        c
        for c in sandbox.calls()
        if c["method"] == "PUT" and c["path"] == API + "Invoices" and c["status"] == 200
    ]


def export_under_fire(db, registry, sandbox):
    injector = FaultInjector(sandbox)
    injector.start()
    kills, restarts = 0, 0
    worker = spawn_worker(db)
    deadline = time.monotonic() + 600
    try:
        for threshold in KILL_AFTER_PUTS:
            while len(bill_puts(sandbox)) < threshold and worker.poll() is None:
                time.sleep(0.01)
            if worker.poll() is None:
                os.kill(worker.pid, signal.SIGKILL)  # mid-batch: Xero has the batch
                worker.wait()
                kills += 1
                note(f"worker killed after {threshold} bill batches reached Xero")
                worker = spawn_worker(db)
                restarts += 1
        while worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
        if worker.poll() is None:
            worker.kill()
            note("worker did not finish in time")
        out = worker.stdout.read() if worker.stdout else ""
        note("last worker: " + " | ".join(out.strip().splitlines()[-3:]))
    finally:
        injector.stop.set()
        injector.join(5)
        sandbox.clear_faults()
    return kills, restarts, injector.injected


def count_outcome(registry, sandbox):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        bills = env["account.move"].search([("move_type", "=", "in_invoice")])
        urls = {bill._xero_url_back(): bill for bill in bills}
        states = collections.Counter(bills.mapped("xero_state"))
        per_bill = collections.Counter()
        for doc in sandbox.records(DEMO_TENANT, "Invoices"):
            if doc.get("Status") != "DELETED" and doc.get("Url") in urls:
                per_bill[doc["Url"]] += 1
        ids_match = sum(
            1
            for doc in sandbox.records(DEMO_TENANT, "Invoices")
            if doc.get("Url") in urls and urls[doc["Url"]].xero_id == doc["InvoiceID"]
        )
    return len(bills), per_bill, states, ids_match


def expire_soon(registry, connection_id):
    """Make the stored access token expire within the refresh margin (in one statement,
    again if a worker renewed it at that very moment)."""
    for _attempt in range(20):
        try:
            with registry.cursor() as cr:
                cr.execute(
                    """UPDATE xero_token
                          SET token_data = jsonb_set(token_data, '{expires_at}', to_jsonb(%s))
                        WHERE connection_id = %s""",
                    [time.time() + 30, connection_id],
                )
            return
        except psycopg2.errors.SerializationFailure:
            time.sleep(0.05)


def token_race(registry, sandbox, connection_id, minutes=30):
    """Two workers call Xero for ``minutes`` of sandbox time; every sandbox minute the
    stored token is made to expire (1-minute tokens), so both race to renew it."""
    stop = threading.Event()
    errors, calls = [], collections.Counter()

    def worker(name):
        while not stop.is_set():
            try:
                with registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    env["xero.connection"].browse(connection_id)._client().get_currencies()
                calls[name] += 1
            except Exception as exc:  # counted and reported below
                errors.append(f"{type(exc).__name__}: {exc}")
                time.sleep(0.2)

    since = common.last_seq(sandbox)
    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in "AB"]
    for thread in threads:
        thread.start()
    for _minute in range(minutes):
        expire_soon(registry, connection_id)
        sandbox.advance(60)  # one sandbox minute
        time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join(30)
    token_calls = [c for c in sandbox.calls(since) if c["path"] == "/connect/token"]
    invalid = [c for c in token_calls if c["status"] != 200]
    invalid_grant = len(invalid) + sum("invalid_grant" in e for e in errors)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        state = env["xero.connection"].browse(connection_id).state
    note(
        f"token race: {sum(calls.values())} calls, {len(token_calls)} renewals, "
        f"errors {errors[:3]}, connection {state}"
    )
    return invalid_grant, len(token_calls), state


def main(db):
    import export_docs

    registry = start_odoo(db)
    sandbox = start_sandbox()
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            connection = connect(env, sandbox)
            connection_id = connection.id
            env["ir.config_parameter"].set_param("xero_connector.export_lease_seconds", "20")
            expense, tax, _product, suppliers = export_docs.setup_master_data(
                env, sandbox, connection, suppliers=SUPPLIERS
            )
            ids = (expense.id, tax.id, suppliers.ids)
        t0 = time.monotonic()
        export_docs.make_bills(registry, *ids, count=BILLS)
        note(f"{BILLS} bills posted in {time.monotonic() - t0:.0f} s")
        t0 = time.monotonic()
        kills, restarts, injected = export_under_fire(db, registry, sandbox)
        note(
            f"export under fire took {time.monotonic() - t0:.0f} s; faults injected: "
            f"{dict(injected)}; workers killed {kills}, restarted {restarts}"
        )
        total, per_bill, states, ids_match = count_outcome(registry, sandbox)
        note(f"Odoo states: {dict(states)}; Odoo ids matching Xero: {ids_match}")
        figure("chaos_documents", total)
        figure("chaos_in_xero", len(per_bill))
        figure("chaos_duplicates", sum(n - 1 for n in per_bill.values()))
        figure("chaos_missing", total - len(per_bill))
        figure("chaos_manual_steps", total - states.get("sent", 0))
        figure("chaos_kills", kills)
        for kind in ("500", "503", "lost_response", "429"):
            figure(f"chaos_faults_{kind}", injected.get(kind, 0))
        common.install_limiter()
        invalid_grant, renewals, state = token_race(registry, sandbox, connection_id)
        figure("token_invalid_grant", invalid_grant)
        figure("token_renewals", renewals)
        figure("token_connection_state", state)
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main(sys.argv[1])
