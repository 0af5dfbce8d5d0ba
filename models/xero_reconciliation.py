from datetime import timedelta
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..xero import ReconnectNeeded, XeroError, XeroNotFound, XeroRateLimited
from ..xero.errors import XeroScopeMissing
from ..xero.mapping import report as report_map

CRON_XMLID = "xero_connector.ir_cron_xero_reconciliation"
# The statuses of the documents Xero has booked in its ledger.
XERO_BOOKED_STATUSES = ("AUTHORISED", "PAID")
MAX_LOOKUPS = 200  # single-record reads per run for documents missing from Xero's period list
CREATE_CHUNK = 1000
KINDS = ("invoices", "credit_notes", "purchase_orders", "payments")
ISSUES = ("differ", "odoo_only", "xero_only", "payment_odoo_only", "payment_xero_only")
# Xero document type -> (doc_type of the line, control account side, debit sign on it)
XERO_TYPES = {
    "ACCPAY": ("vendor_bill", "payable", -1),
    "ACCPAYCREDIT": ("vendor_refund", "payable", 1),
    "ACCREC": ("customer_invoice", "receivable", 1),
    "ACCRECCREDIT": ("customer_refund", "receivable", -1),
    "PURCHASEORDER": ("purchase_order", False, 0),
}
MOVE_XERO_TYPES = {
    "in_invoice": "ACCPAY",
    "in_refund": "ACCPAYCREDIT",
    "out_invoice": "ACCREC",
    "out_refund": "ACCRECCREDIT",
}
# Xero payment type -> (control account side, debit sign on it)
PAYMENT_SIDES = {
    "ACCRECPAYMENT": ("receivable", -1),
    "ACCPAYPAYMENT": ("payable", 1),
    "ARCREDITPAYMENT": ("receivable", 1),
    "APCREDITPAYMENT": ("payable", -1),
}
GONE = ("DELETED", "VOIDED")
EXPECTED_KEY_FIELDS = ["category", "res_model", "res_id", "xero_id"]


def _dec(value):
    return Decimal(str(value or 0))


class XeroReconciliation(models.Model):
    """One month-end check of a company against its Xero organisation: every document
    and payment of the period compared one by one, and the payables and receivables
    balances compared with Xero's Trial Balance. Runs in the background; the results
    stay for later reading."""

    _name = "xero.reconciliation"
    _description = "Xero Reconciliation"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_to desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    connection_id = fields.Many2one(
        "xero.connection", compute="_compute_connection", store=True, readonly=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date(required=True, default=lambda self: self._default_period()[0])
    date_to = fields.Date(required=True, default=lambda self: self._default_period()[1])
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("queued", "Waiting"),
            ("running", "Running"),
            ("done", "Done"),
            ("failed", "Failed"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    progress = fields.Integer(readonly=True, copy=False)
    progress_message = fields.Char(readonly=True, copy=False)
    error_message = fields.Text(readonly=True, copy=False)
    started_at = fields.Datetime(readonly=True, copy=False)
    finished_at = fields.Datetime(readonly=True, copy=False)
    xero_calls = fields.Integer(readonly=True, copy=False, help="Calls made to Xero.")
    scheduled = fields.Boolean(readonly=True, copy=False, help="Started by the monthly schedule.")
    line_ids = fields.One2many("xero.reconciliation.line", "reconciliation_id", readonly=True)
    # -- counts and amounts (set at the end of a run) ---------------------------------------
    match_count = fields.Integer(string="Equal", readonly=True, copy=False)
    differ_count = fields.Integer(string="Different", readonly=True, copy=False)
    odoo_only_count = fields.Integer(string="Odoo only", readonly=True, copy=False)
    xero_only_count = fields.Integer(string="Xero only", readonly=True, copy=False)
    payment_odoo_only_count = fields.Integer(
        string="Payments in Odoo only", readonly=True, copy=False
    )
    payment_xero_only_count = fields.Integer(
        string="Payments in Xero only", readonly=True, copy=False
    )
    expected_count = fields.Integer(string="Marked expected", compute="_compute_expected")
    match_amount = fields.Monetary(string="Total equal", readonly=True, copy=False)
    differ_amount = fields.Monetary(string="Total different", readonly=True, copy=False)
    odoo_only_amount = fields.Monetary(string="Total in Odoo only", readonly=True, copy=False)
    xero_only_amount = fields.Monetary(string="Total in Xero only", readonly=True, copy=False)
    payment_odoo_only_amount = fields.Monetary(
        string="Payments total in Odoo only", readonly=True, copy=False
    )
    payment_xero_only_amount = fields.Monetary(
        string="Payments total in Xero only", readonly=True, copy=False
    )
    # -- balances at date_to (company currency, debit positive as in a trial balance) ---------
    balance_state = fields.Selection(
        [("ok", "Compared"), ("scope", "Reports scope missing"), ("error", "Not read")],
        readonly=True,
        copy=False,
    )
    balance_message = fields.Text(readonly=True, copy=False)
    odoo_payable = fields.Monetary(string="Payables in Odoo", readonly=True, copy=False)
    xero_payable = fields.Monetary(string="Payables in Xero", readonly=True, copy=False)
    payable_difference = fields.Monetary(readonly=True, copy=False)
    payable_explained = fields.Monetary(
        readonly=True, copy=False, help="Part of the difference the document differences explain."
    )
    payable_unexplained = fields.Monetary(readonly=True, copy=False)
    odoo_receivable = fields.Monetary(string="Receivables in Odoo", readonly=True, copy=False)
    xero_receivable = fields.Monetary(string="Receivables in Xero", readonly=True, copy=False)
    receivable_difference = fields.Monetary(readonly=True, copy=False)
    receivable_explained = fields.Monetary(readonly=True, copy=False)
    receivable_unexplained = fields.Monetary(readonly=True, copy=False)
    xero_accounts_used = fields.Char(
        readonly=True, copy=False, help="The Xero accounts read as payables and receivables."
    )
    health = fields.Selection(
        [("ok", "All agree"), ("warning", "To look at"), ("danger", "Differences")],
        readonly=True,
        copy=False,
    )
    issue_count = fields.Integer(string="Open differences", readonly=True, copy=False)
    expected_marks = fields.Json(
        readonly=True, copy=False, help="Differences marked expected, kept when run again."
    )

    _sql_constraints = [
        ("period_check", "CHECK(date_from <= date_to)", "The period ends before it starts."),
    ]

    @api.model
    def _default_period(self):
        """The previous calendar month: what a month-end close looks at."""
        today = fields.Date.context_today(self)
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last

    @api.depends("company_id.name", "date_from", "date_to")
    def _compute_name(self):
        for run in self:
            run.name = _(
                "%(company)s: %(start)s to %(end)s",
                company=run.company_id.name or "",
                start=run.date_from or "",
                end=run.date_to or "",
            )

    @api.depends("company_id")
    def _compute_connection(self):
        for run in self:
            run.connection_id = self.env["xero.connection"].sudo()._for_company(run.company_id)

    def _compute_expected(self):
        counts = dict(
            self.env["xero.reconciliation.line"]._read_group(
                [("reconciliation_id", "in", self.ids), ("expected", "=", True)],
                ["reconciliation_id"],
                ["__count"],
            )
        )
        for run in self:
            run.expected_count = counts.get(run, 0)

    # -- starting ---------------------------------------------------------------------------
    def action_run(self):
        """Queue the run: the background job reads Xero and compares (large periods take
        a few minutes; the form shows the progress)."""
        self._check_can_run()
        for run in self:
            if run.state in ("queued", "running"):
                continue
            run._check_connection()
            run._keep_expected()
            run.line_ids.unlink()
            run.write(
                {
                    "state": "queued",
                    "progress": 0,
                    "progress_message": _("Waiting to start"),
                    "error_message": False,
                }
            )
        self.env.ref(CRON_XMLID)._trigger()
        return True

    def _check_can_run(self):
        if not self.env.user.has_group("xero_connector.group_xero_manager") and not (
            self.env.user.has_group("account.group_account_user")
        ):
            raise UserError(_("Only Xero administrators and accountants can run a reconciliation."))
        self.check_access("write")

    def _check_connection(self):
        connection = self.connection_id.sudo()
        if not connection or connection.state != "connected":
            raise UserError(
                connection._not_connected_message()
                if connection
                else _("%s is not connected to Xero.", self.company_id.name)
            )

    @api.model
    def _cron_run(self):
        """Run the queued reconciliations, one at a time, committing progress."""
        runs = self.search([("state", "=", "queued")], order="id", limit=1)
        for run in runs:
            run.with_context(xero_recon_commit=True)._run()
        if self.search_count([("state", "=", "queued")]):
            self.env.ref(CRON_XMLID)._trigger()

    def _progress(self, percent, message):
        self.write({"progress": percent, "progress_message": message})
        if self.env.context.get("xero_recon_commit"):
            self.env.cr.commit()

    # -- the run ----------------------------------------------------------------------------
    def _run(self):
        """Read Xero's documents and payments of the period and the Trial Balance, compare
        them with Odoo's and store the result lines. Xero failures end the run as failed
        with the reason; nothing in Odoo's documents is changed."""
        self.ensure_one()
        self._keep_expected()
        self.line_ids.unlink()
        self.write(
            {
                "state": "running",
                "started_at": fields.Datetime.now(),
                "finished_at": False,
                "error_message": False,
            }
        )
        connection = self.connection_id.sudo()
        calls = []
        try:
            self._check_connection()
            client = connection._client("batch", observe=lambda e: calls.append(e["outcome"]))
            xero = {}
            for step, kind in enumerate(KINDS):
                self._progress(
                    5 + step * 15,
                    _("Reading %s from Xero", dict(self._kind_labels())[kind]),
                )
                xero[kind] = self._read_xero(client, kind)
            self._progress(65, _("Comparing documents"))
            vals = self._compare_documents(client, xero)
            vals += self._compare_payments(xero["payments"], vals)
            self._set_currencies(vals)
            self._mark_expected(vals)
            self._progress(80, _("Storing %s results", len(vals)))
            Line = self.env["xero.reconciliation.line"].sudo()
            for start in range(0, len(vals), CREATE_CHUNK):
                Line.create(vals[start : start + CREATE_CHUNK])
            self._progress(90, _("Comparing balances with Xero's Trial Balance"))
            balances = self._compare_balances(client)
        except XeroRateLimited as exc:
            self._fail(exc.user_message(), requeue_at=exc.retry_at.replace(tzinfo=None))
            return False
        except ReconnectNeeded as exc:
            self._fail(exc.user_message())
            connection._mark_reconnect_needed(exc.user_message())
            return False
        except (XeroError, UserError) as exc:
            message = exc.user_message() if isinstance(exc, XeroError) else exc.args[0]
            self._fail(message)
            return False
        balances["xero_calls"] = len(calls)
        self.write(balances)
        self._summarise()
        self.write(
            {
                "state": "done",
                "progress": 100,
                "progress_message": _("Done"),
                "finished_at": fields.Datetime.now(),
            }
        )
        return True

    # -- differences accepted in an earlier run of the same period stay accepted --------------
    @api.model
    def _expected_key(self, vals):
        return "|".join(
            str(vals.get(f) or "") for f in ("category", "res_model", "res_id", "xero_id")
        )

    def _keep_expected(self):
        marks = dict(self.expected_marks or {})
        for line in self.line_ids.filtered("expected"):
            marks[self._expected_key(line.read(EXPECTED_KEY_FIELDS)[0])] = line.note or ""
        self.expected_marks = marks

    def _mark_expected(self, vals):
        marks = self.expected_marks or {}
        for values in vals:
            key = self._expected_key(values)
            if key in marks:
                values.update(expected=True, note=marks[key] or False)
        return vals

    def _fail(self, message, requeue_at=None):
        if self.env.context.get("xero_recon_commit"):
            self.env.cr.rollback()
        values = {"state": "failed", "error_message": message, "progress_message": False}
        if requeue_at:
            values.update(state="queued", progress_message=_("Waiting for Xero's rate limit"))
            self.env.ref(CRON_XMLID)._trigger(at=requeue_at)
        self.write(values)
        self.message_post(body=_("Xero reconciliation stopped: %s", message))

    @api.model
    def _kind_labels(self):
        return [
            ("invoices", _("invoices and bills")),
            ("credit_notes", _("credit notes")),
            ("purchase_orders", _("purchase orders")),
            ("payments", _("payments")),
        ]

    def _read_xero(self, client, kind):
        """{Xero id: (figures, record)} of the period's ``kind``."""
        out = {}
        for page in client.iter_period(kind, self.date_from, self.date_to):
            for record in page:
                figures = report_map.document_figures(kind, record)
                if figures["id"]:
                    out[figures["id"]] = (figures, record)
        return out

    # -- documents ----------------------------------------------------------------------------
    def _odoo_documents(self, xero_ids):
        """Odoo's documents of the period (the types this company sends to Xero, or that
        were sent), plus any Odoo document Xero lists for the period."""
        company = self.company_id
        Move = self.env["account.move"].sudo().with_context(active_test=False)
        Order = self.env["purchase.order"].sudo().with_context(active_test=False)
        moves = Move.search(
            [
                ("company_id", "=", company.id),
                ("move_type", "in", list(MOVE_XERO_TYPES)),
                ("state", "=", "posted"),
                ("invoice_date", ">=", self.date_from),
                ("invoice_date", "<=", self.date_to),
            ]
        )
        moves = moves.filtered(lambda m: m.xero_id or m._xero_setting()[0])
        moves |= Move.search(
            [("company_id", "=", company.id), ("xero_id", "in", xero_ids)]
        ).filtered(lambda m: m.xero_id in xero_ids)
        # date_order is a datetime: the period's days in the company's terms
        start = fields.Datetime.to_datetime(self.date_from)
        end = fields.Datetime.to_datetime(self.date_to + timedelta(days=1))
        orders = Order.search(
            [
                ("company_id", "=", company.id),
                ("state", "in", ("purchase", "done")),
                ("date_order", ">=", start),
                ("date_order", "<", end),
            ]
        )
        orders = orders.filtered(lambda o: o.xero_id or o._xero_setting()[0])
        orders |= Order.search([("company_id", "=", company.id), ("xero_id", "in", xero_ids)])
        return moves, orders

    def _compare_documents(self, client, xero):
        """Result line values for every document of the period, in Odoo or in Xero."""
        documents = {}
        for kind in ("invoices", "credit_notes", "purchase_orders"):
            for xero_id, (figures, _record) in xero[kind].items():
                documents[xero_id] = (kind, figures)
        moves, orders = self._odoo_documents(list(documents))
        connection = self.connection_id
        known = {}
        for doc in list(moves) + list(orders):
            if doc.xero_id and doc.xero_connection_id in (connection, connection.browse()):
                known[doc.xero_id.lower()] = doc
        # documents Odoo sent that Xero did not list for the period: moved out of it,
        # voided or deleted there; read them by id
        missing = [
            doc
            for xero_id, doc in known.items()
            if xero_id not in documents and doc._xero_is_exportable_state()
        ]
        found = self._lookup_missing(client, missing)
        vals = []
        for xero_id, (kind, figures) in list(documents.items()) + list(found.items()):
            doc = known.get(xero_id)
            if doc is None:
                doc = self._find_document(kind, xero_id)
            if doc is None:
                if figures.get("status") not in GONE:  # voided in Xero: no effect there
                    vals.append(self._line(None, kind, figures, "xero_only"))
            else:
                vals.append(self._compare_one(doc, kind, figures))
        seen = set(documents) | set(found)
        for doc in list(moves) + list(orders):
            if not doc._xero_is_exportable_state():
                continue
            xero_id = (doc.xero_id or "").lower()
            if xero_id and xero_id in seen:
                continue
            vals.append(self._line(doc, doc._xero_kind(), None, "odoo_only"))
        return vals

    def _find_document(self, kind, xero_id):
        """The Odoo document (any date, any state) sent as ``xero_id``, or None."""
        model = "purchase.order" if kind == "purchase_orders" else "account.move"
        found = (
            self.env[model]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("xero_id", "=ilike", xero_id),
                ],
                limit=1,
            )
        )
        return found or None

    def _lookup_missing(self, client, docs):
        """{xero id: (kind, figures)} of Odoo-sent documents missing from the period's
        lists, read by id: invoices 40 per call, the others one by one (at most
        MAX_LOOKUPS). Gone ones come back with status DELETED."""
        out = {}
        invoices = [d for d in docs if d._xero_kind() == "invoices"]
        others = [d for d in docs if d._xero_kind() != "invoices"]
        wanted = {d.xero_id.lower() for d in invoices}
        for page in client.iter_invoices_by_ids([d.xero_id for d in invoices]):
            for record in page:
                figures = report_map.document_figures("invoices", record)
                out[figures["id"]] = ("invoices", figures)
        for xero_id in wanted - set(out):
            out[xero_id] = ("invoices", self._gone_figures(xero_id))
        for doc in others[:MAX_LOOKUPS]:
            kind = doc._xero_kind()
            try:
                record = client.get_record(kind, doc.xero_id)
                figures = report_map.document_figures(kind, record)
            except XeroNotFound:
                figures = self._gone_figures(doc.xero_id.lower())
            out[figures["id"] or doc.xero_id.lower()] = (kind, figures)
        for doc in others[MAX_LOOKUPS:]:
            figures = self._gone_figures(doc.xero_id.lower(), status=False)
            out[doc.xero_id.lower()] = (doc._xero_kind(), figures)
        return out

    @api.model
    def _gone_figures(self, xero_id, status="DELETED"):
        return {"id": xero_id, "status": status, "gone": True}

    def _odoo_figures(self, doc):
        """What Odoo holds of a document, in its currency."""
        total, tax = doc._xero_odoo_totals()
        paid = 0.0
        if doc._name == "account.move":
            paid = doc.amount_total - doc.amount_residual
            ratio = abs(doc.amount_total_signed) / doc.amount_total if doc.amount_total else 1.0
            xero_type = MOVE_XERO_TYPES.get(doc.move_type)
            day = doc.invoice_date or doc.date
        else:
            ratio = (1 / doc.currency_rate) if doc.currency_rate else 1.0
            xero_type = "PURCHASEORDER"
            day = doc.date_order and doc.date_order.date()
        return {
            "total": total,
            "tax": tax,
            "paid": paid,
            "currency": doc.currency_id.name,
            "status": doc.state,
            "ratio": ratio,
            "type": xero_type,
            "date": day,
            "number": doc.name,
            "contact": doc._xero_partner().display_name or "",
        }

    def _compare_one(self, doc, kind, figures):
        """Equal, or different with the fields that differ named."""
        if figures.get("gone") or (figures.get("status") == "DELETED" and doc.state != "cancel"):
            return self._line(doc, kind, dict(figures, gone=True), "odoo_only")
        odoo = self._odoo_figures(doc)
        currency = doc.currency_id
        differences = []
        if odoo["currency"] != (figures.get("currency") or odoo["currency"]):
            differences.append(_("currency"))
        if currency.compare_amounts(odoo["total"], float(figures["total"])):
            differences.append(_("total"))
        if currency.compare_amounts(odoo["tax"], float(figures["tax"])):
            differences.append(_("tax"))
        odoo_gone = doc.state == "cancel"
        if odoo_gone != (figures.get("status") in GONE):
            differences.append(_("status"))
        elif kind != "purchase_orders" and currency.compare_amounts(
            odoo["paid"], float(figures["paid"])
        ):
            differences.append(_("amount paid"))
        category = "differ" if differences else "match"
        return self._line(doc, kind, figures, category, differences=differences, odoo=odoo)

    def _line(self, doc, kind, figures, category, differences=(), odoo=None):
        """Values of one document result line."""
        figures = figures or {}
        odoo = odoo or (self._odoo_figures(doc) if doc else {})
        xero_type = odoo.get("type") or figures.get("type")
        doc_type, side, sign = XERO_TYPES.get(xero_type, ("vendor_bill", False, 0))
        xero_id = figures.get("id") or (doc.xero_id if doc else False)
        reason = self._reason(doc, figures, category, differences)
        xero_open = _dec(figures.get("total")) - _dec(figures.get("paid"))
        rate = _dec(figures.get("rate")) or Decimal(1)
        odoo_open = (odoo.get("total") or 0.0) - (odoo.get("paid") or 0.0)
        # Xero's ledger (its Trial Balance) holds only approved documents: a draft or one
        # awaiting approval there explains Odoo's side of the balances on its own.
        in_xero_ledger = figures.get("status") in XERO_BOOKED_STATUSES
        effect = 0.0
        if side:  # Odoo's open amount minus Xero's, in company currency, debit positive
            if doc and category != "xero_only":
                effect += sign * odoo_open * odoo.get("ratio", 1.0)
            if not figures.get("gone") and category != "odoo_only" and in_xero_ledger:
                effect -= sign * float(xero_open / rate)
        return {
            "reconciliation_id": self.id,
            "category": category,
            "doc_type": doc_type,
            "side": side or False,
            "reason": reason,
            "res_model": doc._name if doc else False,
            "res_id": doc.id if doc else False,
            "odoo_reference": doc.display_name if doc else False,
            "partner_name": odoo.get("contact") or figures.get("contact") or False,
            "date": odoo.get("date") or figures.get("date") or False,
            "currency_code": odoo.get("currency") or figures.get("currency") or False,
            "odoo_total": odoo.get("total", 0.0),
            "odoo_tax": odoo.get("tax", 0.0),
            "odoo_paid": odoo.get("paid", 0.0),
            "odoo_status": odoo.get("status") or False,
            "xero_kind": kind,
            "xero_type": xero_type or False,
            "xero_id": xero_id or False,
            "xero_number": figures.get("number") or False,
            "xero_total": float(_dec(figures.get("total"))),
            "xero_tax": float(_dec(figures.get("tax"))),
            "xero_paid": float(_dec(figures.get("paid"))),
            "xero_status": figures.get("status") or False,
            "xero_currency_code": figures.get("currency") or False,
            "differences": ", ".join(differences) or False,
            "balance_effect": (
                round(effect, 2) if category != "match" or not in_xero_ledger else 0.0
            ),
        }

    def _set_currencies(self, vals):
        """Each line's amounts are in its document's currency (found by code)."""
        codes = {v["currency_code"] for v in vals if v.get("currency_code")}
        Currency = self.env["res.currency"].sudo().with_context(active_test=False)
        ids = {c.name: c.id for c in Currency.search([("name", "in", list(codes))])}
        for v in vals:
            if not v.get("doc_currency_id"):
                v["doc_currency_id"] = ids.get(v.get("currency_code")) or self.currency_id.id
        return vals

    def _reason(self, doc, figures, category, differences):
        if category == "match":
            return False
        if category == "differ":
            if figures.get("date") and not (self.date_from <= figures["date"] <= self.date_to):
                return _("Differs in %s; dated outside the period in Xero", ", ".join(differences))
            return _("Differs in %s", ", ".join(differences))
        if category == "xero_only":
            return _("Created in Xero, or sent there by another system")
        if figures.get("gone"):
            if figures.get("status") is False:
                return _("Sent, but not in Xero's list for the period (not looked up)")
            return _(
                "Sent, then %s in Xero",
                _("deleted") if figures["status"] == "DELETED" else _("voided"),
            )
        state = doc.xero_state
        if state == "error":
            first = (doc.xero_error or "").strip().splitlines()
            return _("Not sent: Xero error: %s", first[0] if first else "")
        if state == "queued":
            return _("Waiting to be sent")
        if state == "cancelled":
            return _("Cancelled in Xero")
        return _("Not sent to Xero")

    # -- payments ---------------------------------------------------------------------------
    def _compare_payments(self, xero_payments, doc_vals):
        """Payments of the period in one system only (or with different amounts)."""
        company = self.company_id
        Payment = self.env["account.payment"].sudo()
        live = {pid: item for pid, item in xero_payments.items() if item[0]["status"] != "DELETED"}
        odoo_payments = Payment.search(
            [
                ("company_id", "=", company.id),
                ("date", ">=", self.date_from),
                ("date", "<=", self.date_to),
                ("state", "in", ("in_process", "paid")),
                "|",
                ("xero_payment_id", "!=", False),
                ("xero_push_state", "in", ("queued", "error", "deleted", "not_sent")),
            ]
        )
        by_xero_id = {}
        vals = []
        period_docs = {v["xero_id"].lower() for v in doc_vals if v.get("xero_id")}
        for payment in odoo_payments:
            if payment.xero_payment_id:
                by_xero_id[payment.xero_payment_id.lower()] = payment
                continue
            documents = payment._xero_documents()
            if not documents:
                continue  # a payment of documents Xero never had: nothing to compare
            vals.append(self._payment_line(payment, None, documents, period_docs))
        for pid, payment in by_xero_id.items():
            item = live.get(pid)
            if item is None:
                vals.append(
                    self._payment_line(payment, None, payment._xero_documents(), period_docs)
                )
            elif payment.currency_id.compare_amounts(payment.amount, float(item[0]["total"])):
                vals.append(self._payment_line(payment, item[0], {}, period_docs))
        known_ids = set(by_xero_id)
        unknown = [pid for pid in live if pid not in known_ids]
        if unknown:
            # payments read from Xero earlier than the period, or recorded in another way
            known_ids |= {
                (p or "").lower()
                for p in Payment.search(
                    [("company_id", "=", company.id), ("xero_payment_id", "in", unknown)]
                ).mapped("xero_payment_id")
            }
        for pid in unknown:
            if pid not in known_ids:
                vals.append(self._payment_line(None, live[pid][0], {}, period_docs))
        return vals

    def _payment_line(self, payment, figures, documents, period_docs):
        figures = figures or {}
        if payment and figures:
            category = "differ"
        elif payment:
            category = "payment_odoo_only"
        else:
            category = "payment_xero_only"
        document = next(iter(documents), None) if documents else None
        doc_xero_id = figures.get("document_id") or (document.xero_id if document else "")
        target = self._find_document("invoices", doc_xero_id) if doc_xero_id else None
        if target is None and doc_xero_id:
            target = self._find_document("credit_notes", doc_xero_id)
        side, sign = PAYMENT_SIDES.get(figures.get("type"), (False, 0))
        if payment and not side:
            side = "receivable" if payment.partner_type == "customer" else "payable"
            sign = -1 if payment.payment_type == "inbound" else 1
        effect = 0.0
        # a payment on a document of this period is already in its open amount
        if (doc_xero_id or "").lower() not in period_docs:
            if category == "payment_xero_only":
                effect = -sign * float(figures["total"] / (figures.get("rate") or 1))
            elif category == "payment_odoo_only":
                effect = sign * abs(payment.amount_company_currency_signed)
        if category == "payment_xero_only":
            reason = (
                _("Made in Xero on %s; not in Odoo", target.display_name)
                if target
                else _("Made in Xero on a document Odoo never sent")
            )
        elif category == "payment_odoo_only":
            reason = {
                "error": _("Not sent: Xero error: %s", payment.xero_push_error or ""),
                "deleted": _("Deleted in Xero"),
                "queued": _("Waiting to be sent"),
            }.get(payment.xero_push_state, _("Not sent to Xero"))
            if payment.xero_payment_id and payment.xero_push_state != "deleted":
                reason = _("In Odoo, no longer in Xero")
        else:
            reason = _("Differs in amount")
        return {
            "reconciliation_id": self.id,
            "category": category,
            "doc_type": "payment",
            "side": side or False,
            "reason": reason,
            "res_model": "account.payment" if payment else False,
            "res_id": payment.id if payment else False,
            "odoo_reference": payment.display_name if payment else False,
            "partner_name": (payment.partner_id.display_name if payment else figures["contact"])
            or False,
            "date": (payment.date if payment else figures.get("date")) or False,
            "currency_code": (payment.currency_id.name if payment else figures.get("currency"))
            or False,
            "doc_currency_id": payment.currency_id.id if payment else False,
            "odoo_total": payment.amount if payment else 0.0,
            "odoo_status": payment.state if payment else False,
            "xero_kind": "payments",
            "xero_type": figures.get("type") or False,
            "xero_id": figures.get("id") or (payment.xero_payment_id if payment else False),
            "xero_number": figures.get("number") or False,
            "xero_total": float(_dec(figures.get("total"))),
            "xero_status": figures.get("status") or False,
            "xero_document_id": doc_xero_id or False,
            "target_res_model": target._name if target else False,
            "target_res_id": target.id if target else False,
            "differences": _("amount") if category == "differ" else False,
            "balance_effect": round(effect, 2),
        }

    # -- balances ---------------------------------------------------------------------------
    def _odoo_balance(self, account_type):
        Line = self.env["account.move.line"].sudo()
        groups = Line._read_group(
            [
                ("company_id", "=", self.company_id.id),
                ("account_id.account_type", "=", account_type),
                ("parent_state", "=", "posted"),
                ("date", "<=", self.date_to),
            ],
            [],
            ["balance:sum"],
        )
        return groups[0][0] or 0.0

    def _xero_control_accounts(self, client):
        """{side: (Xero account ids, codes)}: the Xero accounts linked to Odoo's payable
        and receivable accounts, and Xero's own Accounts Payable/Receivable."""
        connection = self.connection_id.sudo()
        out = {"payable": (set(), set()), "receivable": (set(), set())}
        Account = self.env["account.account"].sudo()
        for side, account_type in (
            ("payable", "liability_payable"),
            ("receivable", "asset_receivable"),
        ):
            accounts = Account.search(
                [
                    ("company_ids", "in", self.company_id.id),
                    ("account_type", "=", account_type),
                ]
            )
            for link in self.env["xero.link"].sudo()._find(connection, accounts, "account"):
                out[side][0].add((link.xero_id or "").lower())
                if link.xero_code:
                    out[side][1].add(link.xero_code)
        system = client.get_accounts(where='SystemAccount=="CREDITORS" OR SystemAccount=="DEBTORS"')
        for account in system:
            side = "payable" if account.get("SystemAccount") == "CREDITORS" else "receivable"
            out[side][0].add((account.get("AccountID") or "").lower())
            if account.get("Code"):
                out[side][1].add(account["Code"])
        return out

    def _compare_balances(self, client):
        values = {
            "odoo_payable": self._odoo_balance("liability_payable"),
            "odoo_receivable": self._odoo_balance("asset_receivable"),
        }
        try:
            report = client.get_trial_balance(self.date_to)
            controls = self._xero_control_accounts(client)
        except XeroScopeMissing as exc:
            values.update(balance_state="scope", balance_message=exc.user_message())
            return values
        rows = report_map.trial_balance_rows(report)
        used = []
        for side in ("payable", "receivable"):
            ids, codes = controls[side]
            balance, picked = report_map.balance_of(rows, ids, codes)
            used += [f"{r['name']} ({r['code']})" for r in picked]
            values[f"xero_{side}"] = float(balance)
        values.update(
            balance_state="ok",
            balance_message=False,
            xero_accounts_used=", ".join(used) or _("none in the Trial Balance"),
        )
        return values

    def _summarise(self):
        """Counts, amounts, explained balance differences and the run's health."""
        Line = self.env["xero.reconciliation.line"].sudo()
        values = {}
        groups = Line._read_group(
            [("reconciliation_id", "=", self.id)],
            ["category"],
            ["__count", "odoo_total:sum", "xero_total:sum"],
        )
        found = {category: (count, o, x) for category, count, o, x in groups}
        for category in ("match", *ISSUES):
            count, odoo_sum, xero_sum = found.get(category, (0, 0.0, 0.0))
            values[f"{category}_count"] = count
            values[f"{category}_amount"] = (
                xero_sum if category in ("xero_only", "payment_xero_only") else odoo_sum
            )
        effects = dict(
            Line._read_group(
                [("reconciliation_id", "=", self.id), ("side", "!=", False)],
                ["side"],
                ["balance_effect:sum"],
            )
        )
        currency = self.currency_id
        for side in ("payable", "receivable"):
            difference = currency.round(self[f"odoo_{side}"] - self[f"xero_{side}"])
            explained = currency.round(effects.get(side, 0.0))
            if self.balance_state != "ok":
                difference = explained = 0.0
            values[f"{side}_difference"] = difference
            values[f"{side}_explained"] = explained
            values[f"{side}_unexplained"] = currency.round(difference - explained)
        self.write(values)
        self._update_health()

    def _update_health(self):
        Line = self.env["xero.reconciliation.line"].sudo()
        for run in self:
            issues = Line.search_count(
                [
                    ("reconciliation_id", "=", run.id),
                    ("category", "in", ISSUES),
                    ("expected", "=", False),
                ]
            )
            balances_off = run.balance_state == "ok" and (
                not run.currency_id.is_zero(run.payable_difference)
                or not run.currency_id.is_zero(run.receivable_difference)
            )
            if not issues and not balances_off and run.balance_state == "ok":
                health = "ok"
            elif balances_off or run.differ_count or run.xero_only_count:
                health = "danger" if issues or balances_off else "warning"
            else:
                health = "warning"
            run.write({"health": health, "issue_count": issues})

    # -- reading the results ----------------------------------------------------------------
    def action_open_lines(self):
        self.ensure_one()
        category = self.env.context.get("xero_category")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "xero_connector.xero_reconciliation_line_action"
        )
        action["domain"] = [("reconciliation_id", "=", self.id)]
        if category == "payments":
            action["domain"].append(("category", "in", ("payment_odoo_only", "payment_xero_only")))
        elif category:
            action["domain"].append(("category", "=", category))
        action["context"] = {"create": False}
        action["name"] = self.name
        return action

    # -- the monthly schedule ---------------------------------------------------------------
    @api.model
    def _cron_scheduled(self):
        """Reconcile last month for every connected company; tell the Xero
        administrators when something does not match."""
        start, end = self._default_period()
        for connection in self.env["xero.connection"].search([("state", "=", "connected")]):
            run = self.create(
                {
                    "company_id": connection.company_id.id,
                    "date_from": start,
                    "date_to": end,
                    "scheduled": True,
                }
            )
            run._run()
            run._notify_admins()

    def _notify_admins(self):
        """An activity for the company's Xero administrators when the run is not clean."""
        for run in self.filtered(lambda r: r.state == "failed" or r.health != "ok"):
            admins = self.env.ref("xero_connector.group_xero_manager").users.filtered(
                lambda u, c=run.company_id: (
                    c in u.company_ids and not u.share and not u._is_superuser()
                )
            )
            if run.state == "failed":
                note = _("The Xero reconciliation could not run: %s", run.error_message)
            else:
                note = _(
                    "%(count)s difference(s) between Odoo and Xero for %(period)s; payables "
                    "differ by %(payable)s, receivables by %(receivable)s.",
                    count=run.issue_count,
                    period=run.name,
                    payable=run.payable_difference,
                    receivable=run.receivable_difference,
                )
            for user in admins[:5]:
                run.activity_schedule(
                    "xero_connector.mail_activity_xero_reconciliation", user_id=user.id, note=note
                )

    @api.model
    def _latest_done(self, company):
        return self.search(
            [("company_id", "=", company.id), ("state", "=", "done")],
            order="finished_at desc, id desc",
            limit=1,
        )
