"""The outbox: every write to Xero goes through this one engine. In travel order:

1. Start: an Odoo event (bill posted, order approved, payment posted or reset) sets
   the record ``queued`` (payments also ``to_delete``) and ``_xero_outbox_trigger()``
   wakes the model's cron.
2. Claim: ``_xero_outbox_run`` (per connected organisation, in its company) calls
   ``_xero_outbox_claim``: ``FOR UPDATE SKIP LOCKED``, a lease (``retry_at``) and a key
   per record and send generation, ``{database.uuid}/{model}/{id}/{generation}``: the
   "maybe sent" marker, committed before Xero is called.
3. Send: ``_xero_outbox_send`` calls the model's ``_xero_outbox_push`` (payloads, one
   client call per batch); records whose marker survived an unknown outcome are first
   looked up (the model's ``_xero_outbox_find``) and adopted, never created again.
4. Write back: ``_xero_outbox_answer`` maps the client's results. A definite answer
   settles (``_xero_outbox_settle``, the only step that clears the marker besides
   Xero's own refusal); an unknown outcome keeps it and retries later; rate limits and
   lost access release the batch and stop the organisation for this run. Every failure
   is recorded by ``_xero_outbox_fail``.
The models (xero_document_export.py, account_payment.py) implement hooks only and name
their stored fields once, in ``_xero_outbox_fields``.
"""

import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import SQL

from ..xero import XeroAuthError, XeroRateLimited, XeroResponseError, XeroTransientError

_logger = logging.getLogger(__name__)

BATCH_SIZE = 50  # records per call, as Xero recommends
MAX_BATCHES = 10  # per organisation and lane in one cron run
LEASE = timedelta(minutes=10)  # a claimed batch is not taken by another worker meanwhile
LEASE_PARAM = "xero_connector.export_lease_seconds"  # overrides LEASE (chaos runs)
RETRY_DELAY = timedelta(minutes=2)  # after Xero or the network failed

# The states every outbox shares, with the same words; models append their own.
OUTBOX_STATES = [
    ("not_sent", "Not sent"),
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("error", "Error"),
]
# Logical name -> the model's stored field (None: the model has no such field).
OUTBOX_FIELDS = ("state", "error", "key", "attempt_at", "retry_at", "count", "xero_id")


class XeroOutboxMixin(models.AbstractModel):
    _name = "xero.outbox.mixin"
    _description = "Outbox to Xero"

    # The model's stored fields for the engine's logical names (see OUTBOX_FIELDS).
    _xero_outbox_fields = {}
    # The states the cron claims.
    _xero_outbox_states = ("queued",)
    # The cron that sends this model's outbox (xml id).
    _xero_outbox_cron = None

    # -- hooks the models implement ---------------------------------------------------
    @api.model
    def _xero_outbox_lanes(self):
        """Groups sent separately (document kinds); one lane by default."""
        return [None]

    @api.model
    def _xero_outbox_lane_sql(self, lane):
        """SQL condition selecting this model's claimable rows of ``lane``."""
        return SQL("TRUE")

    @api.model
    def _xero_outbox_domain(self):
        """Further condition on the rows counted as left to send."""
        return []

    @api.model
    def _xero_outbox_prepare_run(self, connection, lane, limit):
        """Before the batches of a run (e.g. create the contacts they need at once)."""

    def _xero_outbox_claim_values(self, connection):
        """Values written on a claimed record besides the lease and the key."""
        return {}

    def _xero_outbox_needs_key(self):
        """Whether this claimed record gets a key (it is about to be written to Xero)."""
        return True

    def _xero_outbox_push(self, connection, lane, lookups):
        """Send the claimed batch (one lane). Returns True to stop the organisation."""
        raise NotImplementedError

    def _xero_outbox_after_batch(self):
        """After a batch's answer is written (e.g. tell open forms)."""

    def _xero_outbox_store(self, vals):
        """Write the bookkeeping fields (models may bypass their own ``write``)."""
        return self.write(vals)

    def _xero_outbox_connection(self):
        """The organisation a record goes to (for its Sync Log rows)."""
        return self.company_id.sudo().xero_connection_id

    def _xero_outbox_responsible(self):
        """Who fixes a record that did not reach Xero."""
        for name in ("user_id", "invoice_user_id"):
            if name in self._fields and self[name]:
                return self[name]
        return self.create_uid

    # -- field access -----------------------------------------------------------------
    def _xero_outbox_field(self, name):
        return self._xero_outbox_fields.get(name)

    def _xero_outbox_get(self, name):
        field = self._xero_outbox_field(name)
        return self[field] if field else False

    def _xero_outbox_set(self, vals):
        """Write ``vals`` given by logical names (others are the model's own fields)."""
        stored = {}
        for name, value in vals.items():
            if name in OUTBOX_FIELDS:
                if self._xero_outbox_field(name):
                    stored[self._xero_outbox_field(name)] = value
            else:
                stored[name] = value
        return self._xero_outbox_store(stored)

    def _xero_outbox_cron_xmlid(self):
        return self._xero_outbox_cron

    def _xero_outbox_trigger(self, at=None):
        cron = self.env.ref(self._xero_outbox_cron_xmlid(), raise_if_not_found=False)
        if cron:
            cron._trigger(at=at)

    # -- the cron ---------------------------------------------------------------------
    @api.model
    def _xero_outbox_connections(self):
        return self.env["xero.connection"].search([("state", "=", "connected")])

    @api.model
    def _xero_outbox_run(self, batch_size=BATCH_SIZE, max_batches=MAX_BATCHES):
        """Send what is queued, per organisation, in batches. Returns how many records
        were taken."""
        done, stopped = 0, False
        for connection in self._xero_outbox_connections():
            if connection.company_id.xero_connection_id != connection:
                continue
            # Company-dependent values (product accounts, partner payment terms and
            # currencies) are read in the company whose records are sent.
            model = self.with_company(connection.company_id)
            stop = False
            for lane in model._xero_outbox_lanes():
                model._xero_outbox_prepare_run(connection, lane, batch_size * max_batches)
                for _i in range(max_batches):
                    records, lookups = model._xero_outbox_claim(connection, lane, batch_size)
                    if not records:
                        break
                    # Crons may commit (as account_peppol does): the claim, its keys and
                    # "maybe sent" markers are durable before Xero is called, so that a
                    # worker killed during the call leaves a trace.
                    self.env.cr.commit()
                    stop = records._xero_outbox_send(connection, lane, lookups)
                    records._xero_outbox_after_batch()
                    self.env.cr.commit()  # Xero's answer is durable at once
                    done += len(records)
                    if stop:
                        break
                if stop or connection.state != "connected":
                    break  # this organisation is done for this run
            stopped = stopped or stop
        remaining = self.search_count(self._xero_outbox_claimable_domain())
        self.env["ir.cron"]._notify_progress(done=done, remaining=0 if stopped else remaining)
        if remaining and not stopped:
            self._xero_outbox_trigger()
        elif not remaining:
            self._xero_outbox_trigger_when_due()
        return done

    @api.model
    def _xero_outbox_trigger_when_due(self):
        """Records not claimable yet (leased by a run that died, or waiting out a
        retry time) wake the cron when the first of them is due, not at its next
        scheduled run."""
        retry_at = self._xero_outbox_field("retry_at")
        first = self.search(
            [*self._xero_outbox_waiting_domain(), (retry_at, ">", fields.Datetime.now())],
            order=f"{retry_at}, id",
            limit=1,
        )
        if first:
            self._xero_outbox_trigger(at=first[retry_at])

    @api.model
    def _xero_outbox_waiting_domain(self):
        """Records waiting in the outbox of a connected organisation, due or not."""
        return [
            *self._xero_outbox_domain(),
            ("company_id.xero_connection_ids.state", "=", "connected"),
            (self._xero_outbox_field("state"), "in", list(self._xero_outbox_states)),
        ]

    @api.model
    def _xero_outbox_claimable_domain(self):
        retry_at = self._xero_outbox_field("retry_at")
        return [
            *self._xero_outbox_waiting_domain(),
            "|",
            (retry_at, "=", False),
            (retry_at, "<=", fields.Datetime.now()),
        ]

    @api.model
    def _xero_outbox_claim(self, connection, lane, limit):
        """Take up to ``limit`` claimable records under a row lock (other workers skip
        them), lease them and give each record about to be written a key. Returns
        (records, lookups): ``lookups`` are those whose previous send has no known
        outcome (a key and no Xero id): looked up in Xero before anything is created."""
        self.env.flush_all()
        now = fields.Datetime.now()
        retry_at = SQL.identifier(self._xero_outbox_field("retry_at"))
        self.env.cr.execute(
            SQL(
                """SELECT id FROM %s
                    WHERE %s IN %s AND company_id = %s AND %s
                      AND (%s IS NULL OR %s <= %s)
                    ORDER BY id LIMIT %s
                    FOR UPDATE SKIP LOCKED""",
                SQL.identifier(self._table),
                SQL.identifier(self._xero_outbox_field("state")),
                tuple(self._xero_outbox_states),
                connection.company_id.id,
                self._xero_outbox_lane_sql(lane),
                retry_at,
                retry_at,
                now,
                limit,
            )
        )
        records = self.browse([row[0] for row in self.env.cr.fetchall()])
        lookups = records.filtered(
            lambda r: r._xero_outbox_get("key") and not r._xero_outbox_get("xero_id")
        )
        params = self.env["ir.config_parameter"].sudo()
        uuid = params.get_param("database.uuid")
        # How long a claimed batch is left to the worker sending it; after a crash its
        # records are taken again once it runs out. Longer than any send can take.
        lease = timedelta(seconds=int(params.get_param(LEASE_PARAM) or LEASE.total_seconds()))
        for rec in records:
            vals = {"retry_at": now + lease, **rec._xero_outbox_claim_values(connection)}
            if not rec._xero_outbox_get("key") and rec._xero_outbox_needs_key():
                # The key names the record and its send generation, never the batch:
                # the same key however often and in whatever company it is retried.
                count = rec._xero_outbox_get("count") + 1
                vals.update(count=count, key=f"{uuid}/{rec._name}/{rec.id}/{count}", attempt_at=now)
            rec._xero_outbox_set(vals)
        return records, lookups

    # -- one batch --------------------------------------------------------------------
    def _xero_outbox_send(self, connection, lane, lookups):
        """Send the claimed batch. Returns True when the organisation must not be
        called again in this run (rate limit, lost access, Xero down)."""
        try:
            return self._xero_outbox_push(connection, lane, lookups)
        except XeroRateLimited as exc:
            # Not processed by Xero: nothing to look up later, no sleeping here.
            retry_at = exc.retry_at.replace(tzinfo=None)
            self._xero_outbox_release(retry_at, lookups, exc.user_message())
            self._xero_outbox_trigger(at=retry_at)
            return True
        except XeroAuthError as exc:
            # Tokens dead or access refused: the records wait for the reconnection.
            self._xero_outbox_release(False, lookups, exc.user_message())
            self._xero_outbox_lost_access(connection, exc)
            return True
        except (XeroTransientError, XeroResponseError) as exc:
            retry_at = fields.Datetime.now() + RETRY_DELAY
            self._xero_outbox_release(retry_at, lookups, exc.user_message())
            self._xero_outbox_trigger(at=retry_at)
            _logger.info("Xero send postponed: %s", exc.user_message())
            return True

    @api.model
    def _xero_outbox_lost_access(self, connection, exc):
        """Xero no longer accepts the connection: the admins are asked to reconnect."""
        connection.invalidate_recordset(["state"])  # the token store may have said it
        if connection.state == "connected":
            connection._mark_reconnect_needed(exc.user_message())

    def _xero_outbox_answer(self, connection, results, on_ok):
        """Write back Xero's answer to one call: ``self`` are the records sent, in the
        order of ``results`` (the client's, one per record); ``on_ok(record, result)``
        applies an accepted one. Returns True to stop the organisation."""
        failed = next((r.exception for r in results if r.exception is not None), None)
        if isinstance(failed, (XeroRateLimited, XeroAuthError)):
            raise failed  # not processed by Xero: handled for the whole batch
        if isinstance(failed, XeroTransientError):
            # Xero may have created them: every marker stays, looked up next time.
            retry_at = fields.Datetime.now() + RETRY_DELAY
            self._xero_outbox_release(retry_at, self, failed.user_message())
            self._xero_outbox_trigger(at=retry_at)
            _logger.info("Xero send outcome unknown, will look up: %s", failed.user_message())
            return True
        if isinstance(failed, XeroResponseError):
            self._xero_outbox_unreadable(failed.message, connection)
            return True
        if failed is not None:  # the whole request refused: nothing created
            self._xero_outbox_refuse([failed.user_message()], connection, by_xero=True)
            return False
        for rec, result in zip(self, results, strict=True):
            if result.ok and not isinstance(result.xero_id, str):
                rec._xero_outbox_unreadable(_("it gives no id"), connection)
            elif result.ok:
                on_ok(rec, result)
            else:
                rec._xero_outbox_refuse(result.errors, connection, by_xero=True)
        return False

    # -- outcomes ---------------------------------------------------------------------
    def _xero_outbox_release(self, retry_at, unknown, message=None):
        """Leave the records in the queue until ``retry_at``. Those whose last send may
        have reached Xero (``unknown``) keep their marker, so that the next attempt
        looks them up first; the others lose it (a new key next time)."""
        for rec in self:
            if rec._xero_outbox_get("state") not in rec._xero_outbox_states:
                continue  # settled or refused before the failure
            vals = {"retry_at": retry_at, "error": message or False}
            if rec not in unknown and rec._xero_outbox_get("state") == "queued":
                vals.update(key=False, attempt_at=False)
            rec._xero_outbox_set(vals)

    def _xero_outbox_settle(self, vals=None, state="sent"):
        """A definite answer: Xero holds the record (or nothing is left to do there).
        The only step, with Xero's own refusal, that clears the "maybe sent" marker."""
        settled = {"error": False, "key": False, "attempt_at": False, "retry_at": False}
        if state:
            settled["state"] = state
        self._xero_outbox_set({**settled, **(vals or {})})
        self._xero_outbox_fixed()

    def _xero_outbox_adopt(self, connection, record, **kwargs):
        """Found in Xero by the lookup: a send whose answer was lost did create it.
        The model keeps Xero's record (``_xero_outbox_apply``), which settles it."""
        self.ensure_one()
        return self._xero_outbox_apply(connection, record, **kwargs)

    def _xero_outbox_apply(self, connection, record, **kwargs):
        raise NotImplementedError

    def _xero_outbox_refuse(self, problems, connection, by_xero=False):
        """Stop the records in error. Only Xero's own refusal of a send clears the
        marker: after a refusal made here, an earlier send whose answer was lost may
        still have created the record, and the next send must look it up first."""
        message = "\n".join(str(p) for p in problems)
        if by_xero:
            message = _("Refused by Xero: %s", message)
            self._xero_outbox_set({"key": False, "attempt_at": False})
        self._xero_outbox_fail(message, connection)

    def _xero_outbox_unreadable(self, reason, connection):
        """Xero's answer could not be read (cut-off JSON, an HTML page, an unexpected
        shape). The records may or may not be in Xero: they stop in error (sending again
        would likely meet the same answer) but keep their marker, so that sending again
        first looks them up in Xero and never creates them twice."""
        message = _(
            "Xero's answer could not be read (%s). It may have reached Xero: sending again "
            "looks it up there first and never creates it twice.",
            reason,
        )
        self._xero_outbox_fail(message, connection, operation="unreadable", notify=False)

    def _xero_outbox_fail(self, message, connection=None, operation="refused", notify=True):
        """The one record of a failure: state error with the message, a Sync Log row,
        a chatter message and a to-do for the person responsible (where the model has
        a chatter and activities). The marker is left as it is."""
        if not self:
            return
        self._xero_outbox_set({"state": "error", "error": message, "retry_at": False})
        event = {"operation": operation, "outcome": "failed", "xero_message": message}
        if connection:
            self.env["xero.log"]._log_event(connection, event, record=self)
        else:
            for rec in self:
                if rec._xero_outbox_connection():
                    self.env["xero.log"]._log_event(rec._xero_outbox_connection(), event, rec)
        if hasattr(self, "message_post"):
            body = _("Not sent to Xero: %s", message)
            for rec in self:
                if notify:
                    rec.message_post(body=body)
                else:
                    rec._message_log(body=body)
        self._xero_outbox_schedule_fix(message)

    def _xero_outbox_schedule_fix(self, message):
        """One to-do per record that did not reach Xero (not one per retry), for the
        person responsible for it; done when the record reaches Xero."""
        activity_type = self.env.ref(
            "xero_connector.mail_activity_xero_export", raise_if_not_found=False
        )
        if not activity_type or "activity_ids" not in self._fields:
            return
        for rec in self:
            user = rec._xero_outbox_responsible()
            if not user or not user.active or user._is_public() or user.share:
                continue
            existing = rec.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
            if existing:
                existing[:1].sudo().note = message
                continue
            rec.sudo().activity_schedule(
                activity_type_id=activity_type.id, note=message, user_id=user.id
            )

    def _xero_outbox_fixed(self):
        """The record reached Xero (or left its flow): its to-do is done."""
        activity_type = self.env.ref(
            "xero_connector.mail_activity_xero_export", raise_if_not_found=False
        )
        if activity_type and self.ids and "activity_ids" in self._fields:
            self.env["mail.activity"].sudo().search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            ).unlink()
