"""One Xero rate budget per organisation for the whole database.

Xero counts calls per app and organisation, whichever Odoo worker, thread or server
makes them. The budget's counters therefore live in PostgreSQL, in one row per
organisation (``xero_rate_budget``), and the 5 concurrency slots are session advisory
locks. Both are used through one extra autocommit connection per Odoo process
(``PgBudgetStore``), never through the request's transaction:

- no lock is held during the HTTP call: taking a call is one statement (the row lock
  lasts that statement), giving it back with Xero's headers is another;
- a process that dies (killed worker, crashed server) closes its connection, which
  releases its slots at once;
- the budget survives the request's rollback, as Xero's own counters do.

The rules are those of ``xero/limiter.py`` (``MemoryBudgetStore`` is the same logic in
Python); here they are two SQL functions, created by ``init()``.
"""

import logging
import os
import threading

import psycopg2

from odoo import fields, models
from odoo.sql_db import connection_info_for

from ..xero.limiter import SLOT_POLL, WINDOW, RateLimiter

_logger = logging.getLogger(__name__)

# Namespace of the advisory locks (two-key form): "XRBG". The second key is
# budget id * 8 + slot number.
LOCK_SPACE = int.from_bytes(b"XRBG", "big")

# Options of the limiters this process builds (the bench runs them on a faster clock).
LIMITER_OPTIONS = {}
_LIMITERS = {}
_LIMITERS_LOCK = threading.Lock()

TAKE_SQL = f"""
CREATE OR REPLACE FUNCTION xero_rate_budget_take(
    p_tenant varchar, p_company integer, p_now float8, p_batch boolean, p_held integer[],
    p_cap integer, p_burst float8, p_rate float8, p_slots integer, p_reserve float8,
    OUT budget_id integer, OUT slot integer, OUT wait float8, OUT problem varchar)
LANGUAGE plpgsql AS $fn$
DECLARE
    b xero_rate_budget%ROWTYPE;
    v_calls float8[];
    v_tokens float8;
    v_expires float8;
    v_left integer;
BEGIN
    SELECT * INTO b FROM xero_rate_budget WHERE tenant_id = p_tenant FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO xero_rate_budget (tenant_id, company_id)
        VALUES (p_tenant, (SELECT id FROM res_company WHERE id = p_company))
        ON CONFLICT (tenant_id) DO NOTHING;
        SELECT * INTO b FROM xero_rate_budget WHERE tenant_id = p_tenant FOR UPDATE;
    END IF;
    budget_id := b.id;
    wait := 0;
    -- Xero said 429 (minute or day): nobody calls before its Retry-After.
    IF b.blocked_until > p_now THEN
        wait := b.blocked_until - p_now;
        problem := b.blocked_problem;
    END IF;
    -- The day, as Xero last reported it (X-DayLimit-Remaining), minus the calls since;
    -- batch calls leave a share of the day's allowance to interactive ones.
    IF b.day_remaining IS NOT NULL THEN
        v_expires := least((floor(b.day_seen_at / 86400) + 1) * 86400, b.day_seen_at + 3600);
        v_left := b.day_remaining - coalesce(b.since_day, 0);
        IF p_now >= v_expires THEN
            b.day_remaining := NULL;  -- too old: the next answer tells again
        ELSIF v_left <= 0 THEN
            wait := v_expires - p_now;
            problem := 'day';
            RETURN;
        ELSIF p_batch AND v_left <= ceil(p_reserve * coalesce(b.day_peak, b.day_remaining)) THEN
            wait := v_expires - p_now;
            problem := 'reserve';
            RETURN;
        END IF;
    END IF;
    -- Xero's minute counter (X-MinLimit-Remaining), for calls we cannot see.
    IF b.min_remaining IS NOT NULL AND p_now - b.min_seen_at < {WINDOW}
            AND b.min_remaining - coalesce(b.since_min, 0) <= 1
            AND b.min_seen_at + {WINDOW} - p_now > wait THEN
        wait := b.min_seen_at + {WINDOW} - p_now;
        problem := 'minute';
    END IF;
    -- Our sliding window: at most p_cap calls start in any minute.
    v_calls := ARRAY(SELECT t FROM unnest(coalesce(b.call_starts, '{{}}')) t
                     WHERE t > p_now - {WINDOW} ORDER BY t);
    IF cardinality(v_calls) >= p_cap
            AND v_calls[cardinality(v_calls) - p_cap + 1] + {WINDOW} - p_now > wait THEN
        wait := v_calls[cardinality(v_calls) - p_cap + 1] + {WINDOW} - p_now;
        problem := 'minute';
    END IF;
    -- The token bucket spreads the calls over the minute.
    v_tokens := coalesce(b.tokens, p_burst);
    IF b.refilled_at IS NOT NULL THEN
        v_tokens := least(p_burst, v_tokens + greatest(0, p_now - b.refilled_at) * p_rate);
    END IF;
    IF v_tokens < 1 AND (1 - v_tokens) / p_rate > wait THEN
        wait := (1 - v_tokens) / p_rate;
        problem := 'minute';
    END IF;
    IF wait > 0 THEN
        RETURN;
    END IF;
    -- One of the concurrency slots (held by this session until given back).
    FOR s IN 0 .. p_slots - 1 LOOP
        CONTINUE WHEN s = ANY(p_held);
        IF pg_try_advisory_lock({LOCK_SPACE}, b.id * 8 + s) THEN
            slot := s;
            EXIT;
        END IF;
    END LOOP;
    IF slot IS NULL THEN
        wait := {SLOT_POLL};
        problem := 'concurrent';
        RETURN;
    END IF;
    UPDATE xero_rate_budget
       SET call_starts = v_calls || p_now,
           tokens = v_tokens - 1,
           refilled_at = p_now,
           since_min = coalesce(since_min, 0) + 1,
           since_day = coalesce(since_day, 0) + 1,
           day_remaining = b.day_remaining
     WHERE id = b.id;
END
$fn$;

CREATE OR REPLACE FUNCTION xero_rate_budget_give_back(
    p_id integer, p_slot integer, p_now float8, p_min integer, p_day integer)
RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pg_advisory_unlock({LOCK_SPACE}, p_id * 8 + p_slot);
    IF p_min IS NULL AND p_day IS NULL THEN
        RETURN;
    END IF;
    -- Xero's headers are the truth: they replace what was counted since the last ones.
    UPDATE xero_rate_budget
       SET min_remaining = coalesce(p_min, min_remaining),
           min_seen_at = CASE WHEN p_min IS NULL THEN min_seen_at ELSE p_now END,
           since_min = CASE WHEN p_min IS NULL THEN since_min ELSE 0 END,
           day_remaining = coalesce(p_day, day_remaining),
           day_seen_at = CASE WHEN p_day IS NULL THEN day_seen_at ELSE p_now END,
           since_day = CASE WHEN p_day IS NULL THEN since_day ELSE 0 END,
           day_peak = CASE WHEN p_day IS NOT NULL AND (day_peak IS NULL
                               OR day_peak_at <= p_now - 86400 OR p_day > day_peak)
                           THEN p_day ELSE day_peak END,
           day_peak_at = CASE WHEN p_day IS NOT NULL AND (day_peak IS NULL
                                  OR day_peak_at <= p_now - 86400 OR p_day > day_peak)
                              THEN p_now ELSE day_peak_at END
     WHERE id = p_id;
END
$fn$;
"""


class XeroRateBudget(models.Model):
    """Counters of one Xero organisation's rate budget, shared by every process of the
    database. Written only by ``PgBudgetStore`` (through SQL, outside transactions);
    readable by Xero administrators."""

    _name = "xero.rate.budget"
    _description = "Xero Rate Budget"
    _log_access = False

    tenant_id = fields.Char(string="Xero Tenant ID", required=True, readonly=True)
    company_id = fields.Many2one(
        "res.company",
        readonly=True,
        ondelete="set null",
        help="The company whose connection first called this organisation.",
    )
    # Times are POSIX seconds (float) of the limiter's clock. ``call_starts`` (the
    # start times of the last minute's calls, a float8[] the ORM has no field for) is
    # added by init().
    tokens = fields.Float(readonly=True)
    refilled_at = fields.Float(readonly=True)
    blocked_until = fields.Float(readonly=True)
    blocked_problem = fields.Char(readonly=True)
    min_remaining = fields.Integer(readonly=True)
    min_seen_at = fields.Float(readonly=True)
    since_min = fields.Integer(readonly=True)
    day_remaining = fields.Integer(readonly=True, help="X-DayLimit-Remaining, last seen.")
    day_seen_at = fields.Float(readonly=True)
    since_day = fields.Integer(readonly=True, help="Calls started since that reading.")
    day_peak = fields.Integer(
        readonly=True, help="The most Xero reported left within the last day: the allowance."
    )
    day_peak_at = fields.Float(readonly=True)

    _sql_constraints = [
        ("tenant_uniq", "unique(tenant_id)", "One rate budget per Xero organisation."),
    ]

    def init(self):
        self.env.cr.execute(
            "ALTER TABLE xero_rate_budget ADD COLUMN IF NOT EXISTS call_starts float8[]"
        )
        self.env.cr.execute(TAKE_SQL)

    def _limiter(self, connection):
        """The limiter of this database for ``connection``'s organisation."""
        limiter = shared_limiter(self.env.cr.dbname)
        limiter.store.companies[connection.sudo().tenant_id or ""] = connection.company_id.id
        return limiter

    def _reset(self, tenant_id=None):
        """Forget the counters (one organisation, or all)."""
        shared_limiter(self.env.cr.dbname).reset(tenant_id)


def shared_limiter(dbname):
    """This process's limiter for ``dbname``: rules in Python, budget in PostgreSQL."""
    with _LIMITERS_LOCK:
        limiter = _LIMITERS.get(dbname)
        if limiter is None:
            limiter = _LIMITERS[dbname] = RateLimiter(PgBudgetStore(dbname), **LIMITER_OPTIONS)
        return limiter


def configure_limiters(**options):
    """Build this process's limiters with ``options`` (e.g. ``time_scale``) from now on."""
    with _LIMITERS_LOCK:
        LIMITER_OPTIONS.clear()
        LIMITER_OPTIONS.update(options)
        _LIMITERS.clear()


class PgBudgetStore:
    """The ``BudgetStore`` of ``xero/limiter.py`` in the database ``dbname``.

    One autocommit connection per process, shared by its threads (one statement at a
    time). Session advisory locks are re-entrant, so the slots this connection already
    holds are remembered here and skipped.
    """

    def __init__(self, dbname, connect=None):
        self.dbname = dbname
        self.companies = {}  # tenant id -> company id, for the row's record rule
        self._connect = connect or self._odoo_connect
        self._lock = threading.Lock()
        self._cnx = None
        self._pid = None
        self._held = {}  # tenant id -> {slot}
        self._forked = []  # connections inherited from a parent process: never touched

    def _odoo_connect(self):
        _db, info = connection_info_for(self.dbname)
        return psycopg2.connect(**info)

    def _cursor(self):
        if self._cnx is not None and self._pid != os.getpid():
            # Forked: the parent's socket is not ours. Keep the object alive (closing
            # or collecting it would end the parent's session) and open our own.
            self._forked.append(self._cnx)
            self._cnx = None
        if self._cnx is None or self._cnx.closed:
            self._cnx = self._connect()
            self._cnx.autocommit = True
            with self._cnx.cursor() as cr:
                # Counters, not records: a crash may lose the last milliseconds of them
                # (Xero's headers correct them), so commits need not wait for the disk.
                cr.execute("SET synchronous_commit TO off")
            self._pid = os.getpid()
            self._held = {}
        return self._cnx.cursor()

    def _lost(self):
        """The connection broke: its slots are gone with it."""
        if self._cnx is not None and not self._cnx.closed:
            self._cnx.close()
        self._cnx = None
        self._held = {}

    def take(self, tenant_id, now, batch, rules):
        with self._lock:
            for attempt in (1, 2):
                try:
                    with self._cursor() as cr:
                        cr.execute(
                            "SELECT * FROM xero_rate_budget_take("
                            "%s, %s, %s, %s, %s::integer[], %s, %s, %s, %s, %s)",
                            (
                                tenant_id,
                                self.companies.get(tenant_id),
                                now,
                                batch,
                                sorted(self._held.get(tenant_id, ())),
                                rules.window_cap,
                                rules.burst,
                                rules.rate,
                                rules.concurrent_limit,
                                rules.batch_reserve,
                            ),
                        )
                        budget_id, slot, wait, problem = cr.fetchone()
                    break
                except (psycopg2.OperationalError, psycopg2.InterfaceError):
                    self._lost()
                    if attempt == 2:
                        raise
            if slot is None:
                return None, wait, problem
            self._held.setdefault(tenant_id, set()).add(slot)
            return (tenant_id, budget_id, slot, self._cnx), 0.0, None

    def give_back(self, grant, now, min_remaining, day_remaining):
        tenant_id, budget_id, slot, cnx = grant
        with self._lock:
            if cnx is not self._cnx:
                return  # that connection is gone, and its slot with it
            self._held.get(tenant_id, set()).discard(slot)
            try:
                with self._cursor() as cr:
                    cr.execute(
                        "SELECT xero_rate_budget_give_back(%s, %s, %s, %s, %s)",
                        (budget_id, slot, now, min_remaining, day_remaining),
                    )
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                _logger.warning("Xero rate budget: connection lost; its slots are released")
                self._lost()

    def block(self, tenant_id, until, problem):
        self._write(
            """
            INSERT INTO xero_rate_budget AS b
                   (tenant_id, company_id, blocked_until, blocked_problem)
            VALUES (%s, (SELECT id FROM res_company WHERE id = %s), %s, %s)
            ON CONFLICT (tenant_id) DO UPDATE
               SET blocked_until = excluded.blocked_until,
                   blocked_problem = excluded.blocked_problem
             WHERE coalesce(b.blocked_until, 0) < excluded.blocked_until
            """,
            (tenant_id, self.companies.get(tenant_id), until, problem),
        )

    def reset(self, tenant_id=None):
        columns = (
            "call_starts = NULL, tokens = NULL, refilled_at = NULL, blocked_until = NULL, "
            "blocked_problem = NULL, min_remaining = NULL, min_seen_at = NULL, "
            "since_min = NULL, day_remaining = NULL, day_seen_at = NULL, since_day = NULL, "
            "day_peak = NULL, day_peak_at = NULL"
        )
        if tenant_id is None:
            self._write(f"UPDATE xero_rate_budget SET {columns}", ())
        else:
            self._write(f"UPDATE xero_rate_budget SET {columns} WHERE tenant_id = %s", (tenant_id,))

    def _write(self, query, params):
        with self._lock:
            try:
                with self._cursor() as cr:
                    cr.execute(query, params)
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                self._lost()
                raise

    def close(self):
        """Close the connection (its slots are released): what a killed process does."""
        with self._lock:
            self._lost()
