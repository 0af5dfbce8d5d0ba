import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..xero import XeroError, XeroNotFound
from ..xero.mapping import documents as mapping
from ..xero.mapping import tax as tax_mapping
from .xero_log import log_refs
from .xero_outbox import OUTBOX_STATES
from .xero_words import INVOICE_STATUS_LABELS, label

_logger = logging.getLogger(__name__)

XERO_STATES = [
    *OUTBOX_STATES,
    ("changed", "Changed since sent"),
    ("cancelled", "Cancelled in Xero"),
]
XERO_FIELDS = {
    "xero_connection_id",
    "xero_id",
    "xero_number",
    "xero_status",
    "xero_state",
    "xero_error",
    "xero_warning",
    "xero_pending_key",
    "xero_attempt_at",
    "xero_retry_at",
    "xero_send_count",
    "xero_sync_data",
}
# Bookkeeping of the export: not offered as filters or group-bys.
INTERNAL_FIELDS = {
    "xero_pending_key",
    "xero_attempt_at",
    "xero_retry_at",
    "xero_send_count",
    "xero_sync_data",
}
APPROVED_RULE = "Approved in Xero: changes are not sent; revise it in Xero."


class XeroDocumentMixin(models.AbstractModel):
    """What purchase orders and invoices/bills share to reach Xero: the state fields,
    the user actions (send, update, resend, open) and cancellation in Xero. The export
    outbox (cron, batches, exactly-once ledger) is in xero_outbox.py, its document
    hooks in xero_document_export.py."""

    _name = "xero.document.mixin"
    _inherit = ["xero.outbox.mixin"]
    _description = "Document sent to Xero"

    # The outbox engine's names for the export's stored fields (xero_outbox.py).
    _xero_outbox_fields = {
        "state": "xero_state",
        "error": "xero_error",
        "key": "xero_pending_key",
        "attempt_at": "xero_attempt_at",
        "retry_at": "xero_retry_at",
        "count": "xero_send_count",
        "xero_id": "xero_id",
    }

    xero_connection_id = fields.Many2one(
        "xero.connection", string="Xero Organisation", copy=False, readonly=True
    )
    xero_id = fields.Char(string="Xero ID", copy=False, readonly=True, index="btree_not_null")
    xero_number = fields.Char(string="Xero Number", copy=False, readonly=True)
    xero_status = fields.Char(
        string="Xero Status Code", copy=False, readonly=True, help="Xero's own status code."
    )
    xero_status_label = fields.Char(
        string="Xero Status",
        compute="_compute_xero_status_label",
        help="The document's status as Xero's screens name it.",
    )
    xero_badge = fields.Char(
        string="In Xero", compute="_compute_xero_badge", help="Where the document is with Xero."
    )
    xero_state = fields.Selection(
        XERO_STATES, string="Xero", default="not_sent", copy=False, readonly=True, index=True
    )
    xero_error = fields.Text(string="Xero Error", copy=False, readonly=True)
    xero_warning = fields.Text(
        string="Xero Warning",
        copy=False,
        readonly=True,
        help="Sent, but something needs a look: totals that differ, files not attached.",
    )
    xero_url = fields.Char(string="Open in Xero", compute="_compute_xero_url")
    # Exactly-once ledger: written and committed before each call to Xero.
    xero_pending_key = fields.Char(
        copy=False,
        readonly=True,
        help="Idempotency key of a send whose outcome is not known yet: before creating "
        "the document again, Xero is searched for it.",
    )
    xero_attempt_at = fields.Datetime(
        copy=False, readonly=True, help="When the send of the pending key was first tried."
    )
    xero_retry_at = fields.Datetime(
        copy=False,
        readonly=True,
        help="Not sent before this time: a send in progress, a rate limit or a failure.",
    )
    xero_send_count = fields.Integer(copy=False, readonly=True, aggregator=None)
    xero_sync_data = fields.Json(copy=False, readonly=True)
    xero_log_ids = fields.Many2many("xero.log", compute="_compute_xero_log_ids")

    def _xero_write(self, vals):
        """Write Xero bookkeeping fields without the document's own ``write``: for an
        invoice that one re-synchronises tax and payment-term lines and flags the move as
        manually modified, for fields that change nothing in the accounting (and costs
        tens of milliseconds per document in a batch of 50)."""
        unknown = set(vals) - XERO_FIELDS
        if unknown:
            raise ValueError(f"not Xero bookkeeping fields: {sorted(unknown)}")
        return models.BaseModel.write(self, vals)

    def _xero_outbox_store(self, vals):
        return self._xero_write(vals)

    def _xero_outbox_cron_xmlid(self):
        return self._xero_cron_xmlid()

    # -- hooks the documents implement ------------------------------------------------
    def _xero_kind(self):
        """'invoices', 'credit_notes' or 'purchase_orders'."""
        raise NotImplementedError

    def _xero_type(self):
        """Xero Type (ACCPAY, ACCREC, ACCPAYCREDIT, ACCRECCREDIT) or None for a PO."""
        raise NotImplementedError

    def _xero_setting(self):
        """(export enabled, 'auto'|'manual') for the document's type and company."""
        raise NotImplementedError

    def _xero_is_exportable_state(self):
        raise NotImplementedError

    def _xero_partner(self):
        raise NotImplementedError

    def _xero_lines(self):
        """The Odoo lines sent as Xero LineItems, in order."""
        raise NotImplementedError

    def _xero_values(self, connection):
        """Plain values for ``mapping.document_payload`` (raises MappingError)."""
        raise NotImplementedError

    def _xero_odoo_totals(self):
        """(total, tax) in the document's currency."""
        raise NotImplementedError

    def _xero_after_first_send(self):
        """The document has just reached Xero for the first time."""

    # -- computes ---------------------------------------------------------------------
    @api.depends("xero_id", "xero_connection_id")
    def _compute_xero_url(self):
        for doc in self:
            connection = doc.xero_connection_id.sudo()
            sandbox = connection.endpoint_url if connection._sandbox_mode() else None
            doc.xero_url = mapping.web_url(
                doc._xero_kind(), doc._xero_type(), doc.xero_id, sandbox_base=sandbox or None
            )

    def _xero_status_labels(self):
        return INVOICE_STATUS_LABELS

    @api.depends("xero_status")
    def _compute_xero_status_label(self):
        for doc in self:
            doc.xero_status_label = label(self.env, doc._xero_status_labels(), doc.xero_status)

    @api.depends("xero_state", "xero_status")
    def _compute_xero_badge(self):
        states = dict(self._fields["xero_state"]._description_selection(self.env))
        for doc in self:
            if doc.xero_state in ("sent", "cancelled") and doc.xero_status:
                doc.xero_badge = _("Xero: %s", doc.xero_status_label)
            elif doc.xero_state == "changed" and doc.xero_status:
                doc.xero_badge = _("Xero: %s, changed since sent", doc.xero_status_label)
            else:
                doc.xero_badge = _("Xero: %s", states.get(doc.xero_state) or "")

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        """The export's bookkeeping is no business data: not offered to filter or group."""
        res = super().fields_get(allfields, attributes)
        for name in INTERNAL_FIELDS.intersection(res):
            if "searchable" in res[name]:
                res[name]["searchable"] = False
            if "groupable" in res[name]:
                res[name]["groupable"] = False
            if "sortable" in res[name]:
                res[name]["sortable"] = False
        return res

    def _compute_xero_log_ids(self):
        logs = self.env["xero.log"].search(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)], limit=1000
        )
        for doc in self:
            doc.xero_log_ids = logs.filtered(lambda log, d=doc: log.res_id == d.id)

    # -- refusals that need no call to Xero ---------------------------------------------
    def _xero_refusals(self, check_mapping=True):
        """Why this document cannot be sent, as sentences for the user (empty: fine).
        ``check_mapping=False`` leaves out mapping it to Xero (the export maps it next)."""
        self.ensure_one()
        problems = []
        enabled, _mode = self._xero_setting()
        if not enabled:
            problems.append(
                _("Sending this type of document to Xero is off for %s (Settings > Xero).")
                % self.company_id.name
            )
        if not self._xero_partner():
            problems.append(_("The document has no partner: Xero needs a contact."))
        if not self._xero_lines():
            problems.append(_("The document has no lines to send."))
        connection = self.company_id.sudo().xero_connection_id
        if not connection or connection.state not in ("connected", "reconnect"):
            problems.append(
                _("%s is not connected to Xero (Settings > Xero > Connect).") % self.company_id.name
            )
        sent_to = self.sudo().xero_connection_id
        if self.xero_id and connection and sent_to and sent_to != connection:
            # Its Xero id belongs to the organisation the company worked with before.
            problems.append(
                _(
                    "This document is in the Xero organisation %(old)s, which %(company)s "
                    "no longer works with; it is not sent to %(new)s (duplicate a new "
                    "document to send it there).",
                    old=sent_to.tenant_name or _("(previous organisation)"),
                    company=self.company_id.name,
                    new=connection.tenant_name or _("the new organisation"),
                )
            )
        if not problems and check_mapping:
            try:
                mapping.document_payload(self._xero_values(connection))
            except mapping.MappingError as exc:
                problems.extend(exc.problems)
        return problems

    # -- queueing ---------------------------------------------------------------------
    def _xero_on_event(self):
        """Approval/posting: queue the documents whose type goes to Xero automatically."""
        todo = self.filtered(lambda d: d._xero_setting() == (True, "auto"))
        for doc in todo:
            connection = doc.company_id.sudo().xero_connection_id
            if doc.xero_state == "cancelled" or connection.state not in ("connected", "reconnect"):
                continue  # companies that do not use Xero are left alone
            problems = doc._xero_refusals()
            if problems:
                doc._xero_set_error("\n".join(problems))
            else:
                doc._xero_queue()
        changed = (self - todo).filtered(lambda d: d.xero_id and d.xero_state == "sent")
        changed._xero_write({"xero_state": "changed"})

    def _xero_queue(self):
        self._xero_write({"xero_state": "queued", "xero_error": False})
        self._xero_outbox_trigger()

    def _xero_cron_xmlid(self):
        raise NotImplementedError

    def _xero_set_error(self, message, post=True):
        """Refused here, before any call (the marker, if any, stays)."""
        self._xero_outbox_fail(message, notify=post)

    def _xero_outbox_connection(self):
        return self.xero_connection_id or self.company_id.sudo().xero_connection_id

    def _xero_log_refusal(self, message):
        """A refusal made in Odoo, before any call: in the Sync Log with the rest."""
        connection = self._xero_outbox_connection()
        if connection:
            event = {"operation": "refused", "outcome": "failed", "xero_message": message}
            self.env["xero.log"]._log_event(connection, event, record=self)

    def _xero_notify(self):
        """Tell the browsers of Xero users that these documents' Xero state moved (one
        message per batch): an open form of one of them reloads (static/src/js)."""
        group = self.env.ref("xero_connector.group_xero_user", raise_if_not_found=False)
        if group and self.ids:
            self.env["bus.bus"]._sendone(
                group, "xero_connector/document", {"model": self._name, "ids": self.ids}
            )

    def _xero_mark_changed(self):
        self.filtered(lambda d: d.xero_id and d.xero_state == "sent")._xero_write(
            {"xero_state": "changed"}
        )

    # -- user actions -----------------------------------------------------------------
    def action_xero_send(self):
        """Send to Xero (form button and list action): queue what can go, say why the
        rest cannot."""
        docs = self.filtered(lambda d: d._xero_is_exportable_state())
        if not docs:
            raise UserError(_("Only approved purchase orders and posted invoices go to Xero."))
        refused = {}
        for doc in docs:
            problems = doc._xero_refusals()
            if problems:
                refused[doc] = problems
        if len(self) == 1 and refused:
            message = "\n".join(next(iter(refused.values())))
            self._xero_log_refusal(message)  # written in a cursor of its own: kept
            raise UserError(message)
        for doc, problems in refused.items():
            doc._xero_set_error("\n".join(problems))
        ok = docs.filtered(lambda d: d not in refused and d.xero_state != "queued")
        ok._xero_queue()
        if len(ok) == 1:
            message = _("1 document queued for Xero.")
        else:
            message = _("%s documents queued for Xero.", len(ok))
        skipped = len(self) - len(docs)
        if skipped == 1:
            message += " " + _("1 skipped: not approved or posted.")
        elif skipped:
            message += " " + _("%s skipped: not approved or posted.", skipped)
        if len(refused) == 1:
            message += " " + _("1 refused: see its Xero error.")
        elif refused:
            message += " " + _("%s refused: see their Xero error.", len(refused))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": "warning" if refused else "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_xero_update(self):
        return self.action_xero_send()

    def action_xero_resend(self):
        return self.action_xero_send()

    def action_xero_preview(self):
        """What Send to Xero would send, and why Odoo would refuse it: nothing is sent."""
        self.ensure_one()
        return self.env["xero.document.preview"]._open_for(self)

    def action_xero_open(self):
        self.ensure_one()
        if not self.xero_url:
            raise UserError(_("This document is not in Xero yet."))
        return {"type": "ir.actions.act_url", "url": self.xero_url, "target": "new"}

    # -- cancellation -----------------------------------------------------------------
    def _xero_cancel_in_xero(self):
        """Odoo cancels: delete the Xero document (draft/awaiting approval), void it
        (approved, unpaid) or refuse (paid)."""
        self.filtered(lambda d: d.xero_state in ("queued", "error") and not d.xero_id)._xero_write(
            {"xero_state": "not_sent", "xero_error": False}
        )
        for doc in self.filtered(lambda d: d.xero_pending_key and not d.xero_id):
            doc._xero_adopt_lost_create()
        for doc in self.filtered(lambda d: d.xero_id and d.xero_state != "cancelled"):
            doc._xero_cancel_one()

    def _xero_adopt_lost_create(self):
        """Before cancelling a document whose last send has no known outcome, find it."""
        self.ensure_one()
        connection = self.xero_connection_id or self.company_id.sudo().xero_connection_id
        client = connection._client().concerning(log_refs(self))
        try:
            payload, _unitdp = mapping.document_payload(self._xero_values(connection))
            found = self._xero_outbox_find(client, {self: payload})
        except (XeroError, mapping.MappingError) as exc:
            raise UserError(
                _("Xero could not be asked whether this document reached it: %s", str(exc))
            ) from exc
        if found.get(self):
            self._xero_outbox_adopt(connection, found[self], client=client)

    def _xero_cancel_one(self):
        kind = self._xero_kind()
        connection = self.xero_connection_id
        client = connection._client().concerning(log_refs(self))
        try:
            record = client.get_record(kind, self.xero_id)
        except XeroNotFound:
            self._xero_write({"xero_state": "cancelled", "xero_status": "DELETED"})
            return
        except XeroError as exc:
            raise UserError(
                _("Xero could not be reached to cancel %(doc)s: %(msg)s")
                % {"doc": self.display_name, "msg": exc.user_message()}
            ) from exc
        status = record.get("Status")
        if status in ("DELETED", "VOIDED"):
            self._xero_write({"xero_state": "cancelled", "xero_status": status})
            return
        if self._xero_paid_in_xero(kind, record):
            raise UserError(
                _(
                    "%(doc)s cannot be cancelled: it has payments or credits allocated in "
                    "Xero (%(number)s). Remove them in Xero first, then cancel again.",
                    doc=self.display_name,
                    number=record.get(mapping.NUMBER_FIELD[kind]) or self.xero_id,
                )
            )
        if kind == "purchase_orders":
            new_status = "DELETED"
        else:
            new_status = "DELETED" if status in mapping.DELETABLE_STATUSES else "VOIDED"
        try:
            client.set_status(kind, self.xero_id, new_status)
        except XeroError as exc:
            raise UserError(
                _("Xero refused to cancel %(doc)s: %(msg)s")
                % {"doc": self.display_name, "msg": exc.user_message()}
            ) from exc
        self._xero_write(
            {"xero_state": "cancelled", "xero_status": new_status, "xero_error": False}
        )
        self.message_post(
            body=_("Xero document %(number)s %(what)s.")
            % {
                "number": self.xero_number or self.xero_id,
                "what": _("deleted") if new_status == "DELETED" else _("voided"),
            }
        )

    @api.model
    def _xero_paid_in_xero(self, kind, record):
        if kind == "purchase_orders":
            return record.get("Status") == "BILLED"
        if record.get("Status") == "PAID" or record.get("Payments"):
            return True
        amounts = ("AmountPaid", "AmountCredited", "AppliedAmount")
        return any(float(record.get(f) or 0) > 0 for f in amounts) or bool(
            record.get("Allocations")
        )

    # -- line mapping shared by purchase order lines and invoice lines -------------------
    def _xero_line_sources(self, line):
        """(account, taxes, product) of one of the document's lines, for its Xero line."""
        raise NotImplementedError

    def _xero_mapped_lines(self, connection, sales):
        """The Xero line values of the document, or MappingError naming every problem."""
        lines, problems = [], []
        # Product accounts are company-dependent: the document's company's, whoever sends.
        doc = self.with_company(self.company_id)
        for line in doc._xero_lines():
            account, taxes, product = doc._xero_line_sources(line)
            values, line_problems = self._xero_line_values(
                connection, line, account=account, taxes=taxes, product=product, sales=sales
            )
            lines.append(values)
            problems += line_problems
        # The preview shows the lines as mapped so far, next to the refusals it lists.
        if problems and not self.env.context.get("xero_preview_lines"):
            raise mapping.MappingError(problems)
        return lines

    def _xero_rounding(self, connection):
        """How a rounding line is added: the company's Xero account for it, the largest
        difference it may carry and its tax type (none)."""
        company = self.company_id
        return {
            "account_code": company.xero_rounding_account_code or False,
            "tolerance": company.xero_rounding_tolerance,
            "tax_type": tax_mapping.out_of_scope_type(self._xero_country_code()),
        }

    def _xero_country_code(self):
        """The country of the company's books (its fiscal country): the Xero
        organisation's region, which decides its untaxed tax types."""
        company = self.company_id
        return (company.account_fiscal_country_id or company.country_id).code or ""

    def _xero_contact_id(self, connection):
        """The Xero contact the document's partner is linked to in `connection`."""
        partner = self._xero_partner()
        links = self.env["xero.link"].sudo()
        return links._xero_ids(connection, partner, "contact").get(partner.id)

    def _xero_line_values(self, connection, line, *, account, taxes, product, sales):
        """(values for ``mapping.line_item``, problems) for one Odoo line."""
        Link = self.env["xero.link"].sudo()
        label = (line.name or product.display_name or "").strip().splitlines()
        label = label[0][:60] if label else str(line.id)
        problems = []
        code = False
        if account:
            link = Link._find(connection, account, "account")[:1]
            code = link.xero_code or link.xero_id
        if not code:
            company = self.company_id
            code = company.xero_sales_account_code if sales else company.xero_purchase_account_code
        if not code:
            problems.append(
                _(
                    "Line '%(line)s': account %(account)s has no Xero account, and no default "
                    "Xero account is set for %(what)s lines (Settings > Xero).",
                    line=label,
                    account=account.display_name if account else _("(none)"),
                    what=_("sales") if sales else _("purchase"),
                )
            )
        tax_type = tax_mapping.untaxed_type(self._xero_country_code(), sales)
        price_include, tax_rate = None, 0.0
        if len(taxes) > 1:
            problems.append(
                _("Line '%s': Xero takes one tax rate per line; use a single tax.", label)
            )
        elif taxes:
            # The TaxType is the link's code (its id may be "<TaxType>:sale" when one
            # Xero rate serves an Odoo purchase tax and an Odoo sale tax).
            link = Link._find(connection, taxes, "tax")[:1]
            tax_type = link.xero_code or (link.xero_id or "").split(":")[0]
            # Xero refuses a tax rate on a class of account it does not apply to.
            account_class = account and tax_mapping.ACCOUNT_CLASS.get(account.account_type)
            allowed = (link.xero_applies_to or "").split(",")
            if link.xero_applies_to and account_class and account_class not in allowed:
                problems.append(
                    _(
                        "Line '%(line)s': Xero does not allow tax %(tax)s on account "
                        "%(account)s (Xero's tax type %(type)s cannot be used with that "
                        "kind of account). Choose another tax or account.",
                        line=label,
                        tax=taxes.display_name,
                        account=account.display_name,
                        type=tax_type,
                    )
                )
            price_include = bool(taxes.price_include)
            tax_rate = taxes.amount if taxes.amount_type == "percent" else 0.0
            if not tax_type:
                problems.append(
                    _(
                        "Line '%(line)s': tax %(tax)s has no Xero tax rate linked "
                        "(import tax rates from Xero or link it).",
                        line=label,
                        tax=taxes.display_name,
                    )
                )
        item_code = False
        if product:
            item = Link._find(connection, product, "item")[:1]
            item_code = item.xero_code
        tracking, tracking_problems = self._xero_tracking(connection, line, label)
        values = {
            "xero_line_id": line.xero_line_id,
            "description": line.name or product.display_name,
            "fallback": label,
            "quantity": line.product_qty if line._name == "purchase.order.line" else line.quantity,
            "price_unit": line.price_unit,
            "discount": line.discount,
            # Odoo's line amount, which Xero's quantity x unit price must give
            "amount": line.price_total if price_include else line.price_subtotal,
            "tax_rate": tax_rate,
            "item_code": item_code,
            "account_code": code,
            "tax_type": tax_type,
            "price_include": price_include,
            "tracking": tracking,
        }
        return values, problems + tracking_problems

    def _xero_tracking(self, connection, line, label):
        """Xero tracking (category id, option id) from the line's analytic distribution:
        accounts linked to Xero tracking options, one per category, at most two."""
        distribution = line.analytic_distribution or {}
        if not distribution:
            return [], []
        Link = self.env["xero.link"].sudo()
        if len(distribution) > 1 or abs(float(next(iter(distribution.values()))) - 100) > 0.01:
            return [], [
                _(
                    "Line '%s': its analytic distribution is split; Xero tracks one option "
                    "per category on a line: split the line instead.",
                    label,
                )
            ]
        key = next(iter(distribution))
        accounts = self.env["account.analytic.account"].browse(
            [int(x) for x in str(key).split(",") if x.strip()]
        )
        options = Link._xero_ids(connection, accounts, "tracking_option")
        pairs = []
        for account in accounts.filtered(lambda a: a.id in options):
            plan = account.root_plan_id
            category = Link._xero_ids(connection, plan, "tracking_category").get(plan.id)
            if not category:
                return [], [
                    _(
                        "Line '%(line)s': analytic plan %(plan)s has no Xero tracking "
                        "category linked.",
                        line=label,
                        plan=plan.display_name,
                    )
                ]
            option_link = Link._find(connection, account, "tracking_option")[:1]
            category_link = Link._find(connection, plan, "tracking_category")[:1]
            pairs.append(
                (
                    category,
                    options[account.id],
                    category_link.xero_name or option_link.xero_code or plan.name,
                    option_link.xero_name or account.name,
                )
            )
        if len(pairs) > mapping.MAX_TRACKING:
            return [], [_("Line '%s': Xero takes at most two tracking categories per line.", label)]
        return pairs, []
