import hashlib
import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..xero import XeroError, auth_event_id

_logger = logging.getLogger(__name__)

STATE_LIFETIME = timedelta(minutes=10)


def _digest(state):
    return hashlib.sha256((state or "").encode()).hexdigest()


class XeroOAuthState(models.Model):
    """One pending consent at Xero: the OAuth `state` (stored hashed) and its PKCE
    verifier, bound to the user and company that started it. Used once, short-lived."""

    _name = "xero.oauth.state"
    _description = "Xero OAuth Pending Consent"
    _order = "id desc"

    state_hash = fields.Char(required=True, index=True)
    code_verifier = fields.Char(required=True)
    connection_id = fields.Many2one("xero.connection", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    user_id = fields.Many2one("res.users", required=True, ondelete="cascade")
    expires_at = fields.Datetime(required=True)
    used = fields.Boolean()
    token_data = fields.Json()
    tenants = fields.Json(help="Organisations authorised in this consent, awaiting a choice.")

    _sql_constraints = [("state_hash_uniq", "unique(state_hash)", "OAuth state reused.")]

    @api.model
    def _start_consent(self, connection, request):
        return self.create(
            {
                "state_hash": _digest(request.state),
                "code_verifier": request.code_verifier,
                "connection_id": connection.id,
                "user_id": self.env.uid,
                "expires_at": fields.Datetime.now() + STATE_LIFETIME,
            }
        )

    @api.model
    def _consume(self, state, user):
        """The pending consent for `state`, marked used; AccessError when the state is
        unknown, already used, expired, or was started by another user."""
        record = self.search([("state_hash", "=", _digest(state))], limit=1)
        if not record or record.used:
            raise AccessError(_("This Xero authorisation link is unknown or was already used."))
        record.used = True
        if record.expires_at < fields.Datetime.now():
            raise AccessError(_("This Xero authorisation link has expired; connect again."))
        if record.user_id != user:
            raise AccessError(_("This Xero authorisation was started by another user."))
        return record

    @api.model
    def _complete_consent(self, state, code=None, error=None, error_description=None):
        """Finish the consent the current user started. Returns ``(outcome, pending,
        detail)`` where outcome is 'connected', 'choose' (several organisations were
        authorised: detail lists them) or 'error' (detail is the message). Raises
        AccessError for a forged, replayed, expired or foreign `state`."""
        pending = self._consume(state, self.env.user)
        connection = pending.connection_id.with_company(pending.company_id)
        if error or not code:
            reason = error_description or error or _("no authorisation code")
            return "error", pending, _("Xero did not grant access: %s", reason)
        try:
            oauth = connection._oauth()
            token = oauth.exchange_code(code, pending.code_verifier)
            tenants = self._organisations(oauth.connections(token, auth_event_id(token)))
            if not tenants:
                # Xero may keep the authEventId of an organisation that was already
                # connected when it is consented again: look at all the connections.
                tenants = self._reconsented(connection, oauth.connections(token))
        except (XeroError, UserError) as exc:
            message = exc.user_message() if isinstance(exc, XeroError) else str(exc)
            return "error", pending, _("Connecting to Xero failed: %s", message)
        if not tenants:
            return (
                "error",
                pending,
                _("No Xero organisation was authorised; connect again and tick one."),
            )
        if len(tenants) == 1:
            try:
                connection._finish_connect(token, tenants[0])
            except UserError as exc:
                return "error", pending, str(exc)
            return "connected", pending, tenants[0]
        # Several organisations were authorised: the administrator chooses, never us.
        pending.write({"token_data": token, "tenants": tenants})
        return "choose", pending, tenants

    @api.model
    def _organisations(self, rows):
        return [t for t in rows or [] if t.get("tenantType", "ORGANISATION") == "ORGANISATION"]

    @api.model
    def _reconsented(self, connection, rows):
        """The organisations of a consent whose connections kept an older authEventId:
        those no other company of this database is connected to (the connection's own
        first). One is connected at once; several are the administrator's choice, as the
        consent cannot tell which one was ticked this time."""
        rows = self._organisations(rows)
        taken = set(
            self.env["xero.connection"]
            .sudo()
            .search([("id", "!=", connection.id), ("tenant_id", "!=", False)])
            .mapped("tenant_id")
        )
        free = [t for t in rows if t.get("tenantId") not in taken]
        free.sort(key=lambda t: t.get("tenantId") != connection.tenant_id)
        # Only organisations other companies use: connecting says which one and why not.
        return free or rows

    @api.model
    def _choose_tenant(self, pending_id, tenant_id):
        pending = self._find_pending_choice(pending_id, self.env.user)
        tenant = next((t for t in pending.tenants if t.get("tenantId") == tenant_id), None)
        if not tenant:
            raise UserError(_("Choose one of the organisations listed."))
        connection = pending.connection_id.with_company(pending.company_id)
        connection = connection._finish_connect(pending.token_data, tenant)
        self._drop_unchosen(connection, pending.token_data, pending.tenants, tenant)
        pending.write({"token_data": False, "tenants": False})
        return connection

    @api.model
    def _drop_unchosen(self, connection, token, tenants, chosen):
        """Disconnect at Xero the organisations authorised with the chosen one but used
        by no company of this database (best effort: they only count towards the app's
        connection limit)."""
        used = set(
            self.env["xero.connection"]
            .sudo()
            .search([("tenant_id", "!=", False), ("state", "in", ("connected", "reconnect"))])
            .mapped("tenant_id")
        )
        unused = [
            t
            for t in tenants
            if t.get("id")
            and t is not chosen
            and t.get("tenantId") not in used | {chosen.get("tenantId")}
        ]
        if not unused:
            return
        oauth = connection._oauth()
        for row in unused:
            try:
                oauth.delete_connection(token, row["id"])
            except XeroError as exc:
                _logger.info("Xero connection %s not removed: %s", row["id"], exc.user_message())

    @api.model
    def _find_pending_choice(self, state_id, user):
        record = self.browse(state_id).exists()
        if (
            not record
            or record.user_id != user
            or not record.tenants
            or record.expires_at < fields.Datetime.now()
        ):
            raise AccessError(_("This choice of Xero organisation is no longer valid."))
        return record

    @api.autovacuum
    def _gc_expired(self):
        self.search([("expires_at", "<", fields.Datetime.now() - timedelta(days=1))]).unlink()
