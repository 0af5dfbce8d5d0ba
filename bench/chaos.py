"""make chaos: every write reaches Xero exactly once while Odoo runs as several servers
on one database, Xero fails calls and servers die.

- The sandbox fails calls as it is told by a fault injector: about 10% 500/503, 5%
  answers lost after Xero committed (the client times out), 2% bursts of three 429s.
- Three real Odoo servers (``odoo-bin --workers 2 --max-cron-threads 2``, one port
  each, the same database) run the addon's crons by themselves: posting a bill, approving
  a purchase order, posting a payment or editing a supplier triggers them. This script
  only makes the work, through the ORM (as ``odoo-bin shell`` would), and waits.
- Work (``CHAOS_SCALE`` scales it; 0.1 for development): 1,000 vendor bills, 300
  purchase orders, 500 payments on bills already in Xero (a third partial; a fifth reset
  to draft and posted again, half of them at once, half once the Xero copy was deleted),
  200 supplier edits (e-mail, a synced field) on suppliers linked to Xero contacts.
- Two servers are killed with SIGKILL (their whole process group, at the moment one of
  their processes holds a Xero call slot, i.e. is talking to Xero) at different moments
  and started again.
- Then, from the sandbox's store against Odoo, per kind: expected, in Xero, duplicates,
  missing; 429s by cause; what a user would have to act on. Then the token race: two
  workers renew 1-minute tokens for 30 minutes of sandbox time.

Prints ``name: value`` lines on stdout; notes on stderr; servers' logs in .build/."""

import collections
import logging
import math
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import common
import psycopg2
from common import DEMO_TENANT, connect, figure, note, start_odoo, start_sandbox

from odoo import SUPERUSER_ID, api

SCALE = float(os.environ.get("CHAOS_SCALE", "1"))


def scaled(count):
    return max(1, round(count * SCALE))


BILLS = scaled(1000)
POS = scaled(300)
PAYMENTS = scaled(500)
SUPPLIER_EDITS = scaled(200)
SUPPLIERS = SUPPLIER_EDITS  # each edited once, once linked to its Xero contact
SERVERS = 3
TIMEOUT = float(os.environ.get("CHAOS_TIMEOUT", 2400 if SCALE >= 0.5 else 1200))
LEASE_SECONDS = 20  # a killed server's claimed batch is taken again after this
API = "/api.xro/2.0/"
BUILD = os.path.join(common.REPO, ".build")
ODOO_BIN = os.path.join(os.environ.get("ODOO_PATH", "/opt/odoo18"), "odoo-bin")
LOCK_SPACE = int.from_bytes(b"XRBG", "big")  # the rate budget's slots (xero_rate_budget)


class FaultInjector(threading.Thread):
    """After each API call it sees, decides what a next one meets: 10% a 500/503, 5% an
    answer lost after Xero committed, 2% the start of a burst of three 429s."""

    def __init__(self, sandbox, seed=7):
        super().__init__(daemon=True)
        self.sandbox, self.random = sandbox, random.Random(seed)
        self.stop = threading.Event()
        self.injected = collections.Counter()

    def run(self):
        seen = common.last_seq(self.sandbox)
        while not self.stop.is_set():
            try:
                rows = [c for c in self.sandbox.calls(seen) if c["path"].startswith(API)]
                pending = self.sandbox.faults()
            except OSError:
                time.sleep(0.5)
                continue
            if pending or not rows:
                if rows:
                    seen = rows[-1]["seq"]
                time.sleep(0.05)
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


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One ``odoo-bin`` server (prefork: 2 HTTP workers, 2 cron workers) in a process
    group of its own, so that SIGKILL takes all its processes at once, as a crash of
    the machine it runs on would."""

    def __init__(self, number, db):
        self.number, self.db = number, db
        self.port = free_port()
        self.log = os.path.join(BUILD, f"chaos-server-{number}.log")
        self.proc = None
        if os.path.exists(self.log):
            os.unlink(self.log)

    def start(self):
        argv = [
            sys.executable,
            ODOO_BIN,
            "-c",
            os.environ["ODOO_CONF"],
            "-d",
            self.db,
            "--db-filter",
            f"^{self.db}$",
            "--workers",
            "2",
            "--max-cron-threads",
            "2",
            "--http-port",
            str(self.port),
            "--gevent-port",
            str(free_port()),
            "--limit-time-real-cron",
            "900",
            "--log-level",
            "info",
            "--logfile",
            self.log,
        ]
        self.proc = subprocess.Popen(
            argv, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def wait_ready(self, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Odoo server {self.number} exited; see {self.log}")
            try:
                url = f"http://127.0.0.1:{self.port}/web/health"
                with urllib.request.urlopen(url, timeout=5) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            time.sleep(1)
        raise RuntimeError(f"Odoo server {self.number} did not answer; see {self.log}")

    def pids(self):
        """The processes of this server (its process group)."""
        out = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.getpgid(int(entry)) == self.proc.pid:
                        out.append(int(entry))
                except OSError:
                    pass
        return out

    def kill(self):
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.kill()


def retrying(registry, work, attempts=20):
    """Run ``work(env)`` in a transaction of its own; again when it met a concurrent
    update (the servers write the same rows)."""
    for attempt in range(attempts):
        try:
            with registry.cursor() as cr:
                return work(api.Environment(cr, SUPERUSER_ID, {}))
        except (psycopg2.errors.SerializationFailure, psycopg2.errors.LockNotAvailable):
            time.sleep(0.2 * (attempt + 1))
    raise RuntimeError("gave up after repeated concurrent updates")


def sql(registry, query, params=None):
    with registry.cursor() as cr:
        cr.execute(query, params or [])
        return cr.fetchall()


class Killer(threading.Thread):
    """Kills two servers with SIGKILL, at different moments of the run: once a third of
    the bill batches reached Xero, then once a third of the payments did. The next call
    of that kind is made slow (3 s) and the server whose process holds one of the
    organisation's call slots meanwhile (a call to Xero in flight) is killed, then started
    again a few seconds later."""

    def __init__(self, registry, sandbox, servers):
        super().__init__(daemon=True)
        self.registry, self.sandbox, self.servers = registry, sandbox, servers
        self.kills, self.stop, self.notes = 0, threading.Event(), []
        self.done = threading.Event()

    def puts(self, collection):
        return sum(
            1
            for c in self.sandbox.calls()
            if c["method"] in ("PUT", "POST")
            and c["path"] == API + collection
            and c["status"] == 200
        )

    def calling(self):
        """The server whose process is in a Xero call now (holds a budget slot)."""
        rows = sql(
            self.registry,
            """SELECT a.application_name FROM pg_locks l
                 JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.classid = %s AND l.granted""",
            [LOCK_SPACE],
        )
        pids = {int(name.split("-")[1]) for (name,) in rows if (name or "").startswith("odoo-")}
        for server in self.servers:
            if pids & set(server.pids()):
                return server
        return None

    def wait_for(self, collection, count):
        while not self.stop.is_set():
            if self.puts(collection) >= count:
                return True
            time.sleep(0.2)
        return False

    def kill_one(self, collection, fallback, label):
        # The next call there is slow (Xero takes 3 s, then commits): its caller is
        # killed while it waits for the answer.
        self.sandbox.inject("hang", 1, path=f"{API}{collection}$", hang_seconds=3)
        victim, deadline = None, time.monotonic() + 30
        while victim is None and time.monotonic() < deadline and not self.stop.is_set():
            victim = self.calling()
            if victim is None:
                time.sleep(0.05)
        in_call = victim is not None
        victim = victim or fallback
        victim.kill()
        self.kills += 1
        text = f"server {victim.number} killed {label} ({'in a Xero call' if in_call else 'idle'})"
        self.notes.append(text)
        note(text)
        time.sleep(5)
        victim.start()
        victim.wait_ready()
        note(f"server {victim.number} started again")

    def run(self):
        try:
            batches = math.ceil(BILLS / 50)
            if self.wait_for("Invoices", max(1, batches // 3)):
                self.kill_one("Invoices", self.servers[0], "while bills were exported")
            if self.wait_for("Payments", max(1, math.ceil(PAYMENTS / 50) // 3)):
                # not the same one: a different server, a different moment
                self.kill_one("Payments", self.servers[1], "while payments were sent")
        finally:
            self.done.set()


def setup(registry, sandbox):
    import export_docs

    def work(env):
        connection = connect(env, sandbox)
        params = env["ir.config_parameter"]
        params.set_param("xero_connector.export_lease_seconds", str(LEASE_SECONDS))
        expense, tax, _product, suppliers = export_docs.setup_master_data(
            env, sandbox, connection, suppliers=SUPPLIERS
        )
        company = env.company
        company.write({"xero_document_status": "AUTHORISED", "xero_push_payments": True})
        banks = env["xero.bank.account"]._xero_load(connection)
        journal = env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "bank")], limit=1
        )
        journal.xero_bank_account_id = banks.filtered(lambda a: a.code == "090")
        return connection.id, expense.id, tax.id, _product.id, suppliers.ids, journal.id

    return retrying(registry, work)


def make_pos(registry, product, suppliers):
    from odoo import Command

    for start in range(0, POS, 50):

        def work(env, start=start):
            vals = [
                {
                    "partner_id": suppliers[i % len(suppliers)],
                    "order_line": [
                        Command.create({"product_id": product, "product_qty": n + 1})
                        for n in range(3)
                    ],
                }
                for i in range(start, min(POS, start + 50))
            ]
            env["purchase.order"].create(vals).button_confirm()

        retrying(registry, work)


def match(payment, bill):
    """Reconcile a re-posted payment with its bill, as the user does from the bill."""
    line = payment.move_id.line_ids.filtered(
        lambda aml: aml.account_id.account_type == "liability_payable" and not aml.reconciled
    )
    if line:
        bill.js_assign_outstanding_line(line.id)


def make_payments(registry, journal, stop):
    """PAYMENTS payments, each on its own bill once the bill is in Xero (approved); a
    third partial. Returns {payment id: bill id}."""
    made = {}
    used = set()
    deadline = time.monotonic() + TIMEOUT
    while len(made) < PAYMENTS and time.monotonic() < deadline and not stop.is_set():
        rows = sql(
            registry,
            """SELECT id FROM account_move
                WHERE move_type = 'in_invoice' AND xero_state = 'sent'
                  AND xero_status = 'AUTHORISED' AND payment_state = 'not_paid'
                ORDER BY id""",
        )
        ready = [r[0] for r in rows if r[0] not in used][: min(50, PAYMENTS - len(made))]
        if not ready:
            time.sleep(2)
            continue

        def work(env, ready=ready):
            out = {}
            for n, bill in enumerate(env["account.move"].browse(ready)):
                partial = (len(made) + n) % 3 == 0
                vals = {"journal_id": journal}
                if partial:
                    vals["amount"] = bill.currency_id.round(bill.amount_total / 3)
                wizard = (
                    env["account.payment.register"]
                    .with_context(active_model="account.move", active_ids=bill.ids)
                    .create(vals)
                )
                out[wizard._create_payments().id] = bill.id
            return out

        made.update(retrying(registry, work))
        used.update(ready)
    return made


def push_state(registry, ids):
    return dict(
        sql(registry, "SELECT id, xero_push_state FROM account_payment WHERE id = ANY(%s)", [ids])
    )


def reset_payments(registry, made, stop):
    """A fifth of the payments, once in Xero, reset to draft and posted again: half at
    once (the delete may still be queued; a new amount), half once Xero deleted the copy
    (so both the delete and the new create reach Xero)."""
    chosen = list(made)[::5]
    at_once, after_delete = set(chosen[::2]), set(chosen[1::2])
    pending_reset, waiting_delete, done = set(chosen), set(), 0
    deadline = time.monotonic() + TIMEOUT
    while (pending_reset or waiting_delete) and time.monotonic() < deadline:
        if stop.is_set():
            break
        states = push_state(registry, list(pending_reset | waiting_delete))
        for pid in [p for p in pending_reset if states.get(p) == "sent"]:

            def reset(env, pid=pid):
                payment = env["account.payment"].browse(pid)
                if payment.state != "draft":
                    payment.action_draft()

            def post_again(env, pid=pid):
                # the user saves the draft, then posts it again with a new amount
                payment = env["account.payment"].browse(pid)
                if payment.state == "draft":
                    payment.amount = payment.amount - 1
                    payment.action_post()
                    match(payment, env["account.move"].browse(made[pid]))

            retrying(registry, reset)
            if pid in at_once:
                retrying(registry, post_again)
            pending_reset.discard(pid)
            if pid in after_delete:
                waiting_delete.add(pid)
            else:
                done += 1
        for pid in [p for p in waiting_delete if states.get(p) == "deleted"]:

            def repost(env, pid=pid):
                payment = env["account.payment"].browse(pid)
                if payment.state == "draft":
                    payment.action_post()
                    match(payment, env["account.move"].browse(made[pid]))

            retrying(registry, repost)
            waiting_delete.discard(pid)
            done += 1
        time.sleep(1)
    if pending_reset or waiting_delete:
        note(f"resets not done in time: {len(pending_reset)} to reset, {len(waiting_delete)}")
    return done


def edit_suppliers(registry, suppliers, stop):
    """SUPPLIER_EDITS suppliers, each once linked to its Xero contact: a new e-mail, one
    user edit (transaction) each. Returns {partner id: e-mail}."""
    edited = {}
    deadline = time.monotonic() + TIMEOUT
    while len(edited) < SUPPLIER_EDITS and time.monotonic() < deadline and not stop.is_set():
        rows = sql(
            registry,
            """SELECT res_id FROM xero_link
                WHERE res_model = 'res.partner' AND xero_type = 'contact'
                  AND res_id = ANY(%s)""",
            [suppliers],
        )
        ready = [r[0] for r in rows if r[0] not in edited]
        if not ready:
            time.sleep(2)
            continue
        for pid in ready[: SUPPLIER_EDITS - len(edited)]:
            email = f"chaos-{pid}@supplier.example"

            def work(env, pid=pid, email=email):
                env["res.partner"].browse(pid).email = email

            retrying(registry, work)
            edited[pid] = email
    return edited


def pending(registry):
    """What the crons still have to do: documents queued, payments to send or delete,
    edited contacts not sent."""
    (row,) = sql(
        registry,
        """SELECT (SELECT count(*) FROM account_move WHERE xero_state = 'queued'),
                  (SELECT count(*) FROM purchase_order WHERE xero_state = 'queued'),
                  (SELECT count(*) FROM account_payment
                    WHERE xero_push_state IN ('queued', 'to_delete')),
                  (SELECT count(*) FROM xero_contact_sync WHERE state = 'queued')""",
    )
    return dict(zip(("bills", "pos", "payments", "suppliers"), row, strict=True))


def make_work(registry, ids, stop, result):
    try:
        _make_work(registry, ids, stop, result)
    except Exception as exc:  # reported with the figures; the run then fails
        result["error"] = f"{type(exc).__name__}: {exc}"
        note(f"making the work failed: {result['error']}")
        raise


def _make_work(registry, ids, stop, result):
    import export_docs

    _connection, expense, tax, product, suppliers, journal = ids
    t0 = time.monotonic()
    export_docs.make_bills(registry, expense, tax, suppliers, count=BILLS, batch=50)
    note(f"{BILLS} bills posted in {time.monotonic() - t0:.0f} s")
    make_pos(registry, product, suppliers)
    note(f"{POS} purchase orders approved after {time.monotonic() - t0:.0f} s")
    edits = {}
    editor = threading.Thread(
        target=lambda: edits.update(edit_suppliers(registry, suppliers, stop)), daemon=True
    )
    editor.start()
    made = make_payments(registry, journal, stop)
    note(f"{len(made)} payments posted after {time.monotonic() - t0:.0f} s")
    result["resets"] = reset_payments(registry, made, stop)
    note(f"{result['resets']} payments reset and posted again after {time.monotonic() - t0:.0f} s")
    editor.join()
    note(f"{len(edits)} suppliers edited after {time.monotonic() - t0:.0f} s")
    result.update(payments=made, edits=edits)


def live(doc):
    return doc.get("Status") not in ("DELETED", "VOIDED")


def tally(kind, expected_keys, xero_keys):
    """Figures of one kind: ``expected_keys`` from Odoo, ``xero_keys`` one per live Xero
    record (the same key twice: a duplicate)."""
    per_key = collections.Counter(k for k in xero_keys if k in expected_keys)
    figure(f"chaos_{kind}_expected", len(expected_keys))
    figure(f"chaos_{kind}_in_xero", len(per_key))
    figure(f"chaos_{kind}_duplicates", sum(n - 1 for n in per_key.values()))
    figure(f"chaos_{kind}_missing", len(expected_keys) - len(per_key))


def count_outcome(registry, sandbox, result):
    from odoo.addons.xero_connector.xero.mapping.documents import url_key

    manual = collections.Counter()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        bills = env["account.move"].search([("move_type", "=", "in_invoice")])
        urls = {url_key(bill._xero_url_back()) for bill in bills}
        invoices = sandbox.records(DEMO_TENANT, "Invoices")
        tally("bills", urls, [url_key(d.get("Url")) for d in invoices if live(d)])
        manual["bills"] = sum(1 for b in bills if b.xero_state != "sent")
        note(f"bills in Odoo: {dict(collections.Counter(bills.mapped('xero_state')))}")

        pos = env["purchase.order"].search([("state", "in", ("purchase", "done"))])
        orders = sandbox.records(DEMO_TENANT, "PurchaseOrders")
        tally("pos", set(pos.mapped("name")), [d["PurchaseOrderNumber"] for d in orders if live(d)])
        manual["pos"] = sum(1 for p in pos if p.xero_state != "sent")
        note(f"POs in Odoo: {dict(collections.Counter(pos.mapped('xero_state')))}")

        payments = env["account.payment"].browse(list(result.get("payments", {})))
        payments = payments.filtered(lambda p: p.state not in ("draft", "canceled"))
        xero_payments = sandbox.records(DEMO_TENANT, "Payments")
        refs = {p.name: p for p in payments}
        tally("payments", set(refs), [d.get("Reference") for d in xero_payments if live(d)])
        wrong = [
            d["Reference"]
            for d in xero_payments
            if live(d)
            and d.get("Reference") in refs
            and abs(d["Amount"] - refs[d["Reference"]].amount) > 0.001
        ]
        manual["payments"] = sum(1 for p in payments if p.xero_push_state != "sent")
        note(
            f"payments in Odoo: {dict(collections.Counter(payments.mapped('xero_push_state')))};"
            f" live in Xero with another amount than Odoo's: {wrong[:10]} ({len(wrong)})"
        )

        edits = result.get("edits", {})
        links = env["xero.link"].search(
            [
                ("res_model", "=", "res.partner"),
                ("xero_type", "=", "contact"),
                ("res_id", "in", list(edits)),
            ]
        )
        contact_of = {link.res_id: link.xero_id for link in links}
        contacts = {c["ContactID"]: c for c in sandbox.records(DEMO_TENANT, "Contacts")}
        names = collections.Counter(
            c["Name"] for c in contacts.values() if c.get("ContactStatus") != "ARCHIVED"
        )
        expected = set(edits)
        in_xero = {
            pid
            for pid in expected
            if contacts.get(contact_of.get(pid), {}).get("EmailAddress") == edits[pid]
        }
        partners = env["res.partner"].browse(list(expected))
        figure("chaos_suppliers_expected", len(expected))
        figure("chaos_suppliers_in_xero", len(in_xero))
        figure(
            "chaos_suppliers_duplicates", sum(names[p.name] - 1 for p in partners if names[p.name])
        )
        figure("chaos_suppliers_missing", len(expected - in_xero))
        syncs = env["xero.contact.sync"].search([("partner_id", "in", list(edits))])
        manual["suppliers"] = len(
            expected - set(syncs.filtered(lambda r: r.state == "sent").partner_id.ids)
        )
        note(f"edited suppliers' pushes: {dict(collections.Counter(syncs.mapped('state')))}")
    return manual


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
    registry = start_odoo(db)
    # This script's own transactions meet the servers' (retried): not worth a traceback.
    logging.getLogger("odoo.sql_db").setLevel(logging.CRITICAL)
    # Real time on both sides: the servers' rate limiter runs on the real clock.
    sandbox = start_sandbox(time_scale=1)
    servers = [Server(n, db) for n in range(1, SERVERS + 1)]
    injector = FaultInjector(sandbox)
    stop = threading.Event()
    try:
        ids = setup(registry, sandbox)
        connection_id = ids[0]
        wall0 = time.monotonic()
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        note(f"{SERVERS} Odoo servers up in {time.monotonic() - wall0:.0f} s (scale {SCALE})")
        injector.start()
        killer = Killer(registry, sandbox, servers)
        killer.start()
        result = {}
        maker = threading.Thread(target=make_work, args=(registry, ids, stop, result))
        maker.start()
        deadline = time.monotonic() + TIMEOUT
        left = None
        while time.monotonic() < deadline:
            time.sleep(5)
            left = pending(registry)
            if not maker.is_alive() and killer.done.is_set() and not any(left.values()):
                break
            if not maker.is_alive() and not killer.done.is_set() and not any(left.values()):
                killer.stop.set()  # nothing left to kill during
        else:
            note(f"timeout after {TIMEOUT:.0f} s; still to do: {left}")
        stop.set()
        killer.stop.set()
        maker.join(60)
        killer.join(60)
        wall = time.monotonic() - wall0
        injector.stop.set()
        injector.join(5)
        sandbox.clear_faults()
        for server in servers:
            server.stop()
        note(f"faults injected: {dict(injector.injected)}; {killer.notes}")
        manual = count_outcome(registry, sandbox, result)
        refused = sandbox.control("GET", "limits").get("refused", {})
        figure("chaos_servers", SERVERS)
        figure("chaos_kills", killer.kills)
        figure("chaos_429_minute", refused.get("minute", 0))
        figure("chaos_429_concurrency", refused.get("concurrent", 0))
        figure("chaos_429_day", refused.get("day", 0) + refused.get("appminute", 0))
        figure("chaos_429_injected", refused.get("injected", 0))
        for kind in ("500", "503", "lost_response"):
            figure(f"chaos_faults_{kind}", injector.injected.get(kind, 0))
        note(f"left for a user: {dict(manual)}")
        figure("chaos_manual_steps", sum(manual.values()))
        figure("chaos_wall_seconds", round(wall))
        common.install_limiter()
        invalid_grant, renewals, state = token_race(registry, sandbox, connection_id)
        figure("token_invalid_grant", invalid_grant)
        figure("token_renewals", renewals)
        figure("token_connection_state", state)
        if result.get("error"):
            sys.exit(f"the work was not all made: {result['error']}")
    finally:
        stop.set()
        injector.stop.set()
        for server in servers:
            if server.proc is not None and server.proc.poll() is None:
                server.kill()
        sandbox.stop()


if __name__ == "__main__":
    main(sys.argv[1])
