import logging
import secrets
import time

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..xero import XeroClient, XeroError, XeroOAuth
from ..xero.oauth import XERO_API_URL, XERO_IDENTITY_URL, XERO_LOGIN_URL
from .xero_token_store import OdooTokenStore

_logger = logging.getLogger(__name__)

CALLBACK_PATH = "/xero/oauth/callback"
WEBHOOK_PATH = "/xero/webhook"
CURRENCY_TTL = 600  # seconds
_CURRENCIES = {}  # tenant id -> (monotonic time read, {codes}), per process


class XeroConnection(models.Model):
    """The link between one Odoo company and one Xero organisation (tenant)."""

    _name = "xero.connection"
    _description = "Xero Connection"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "company_id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, ondelete="cascade", default=lambda self: self.env.company
    )
    active = fields.Boolean(default=True)
    auth_type = fields.Selection(
        [("oauth", "Standard (OAuth2)"), ("custom", "Custom connection (client credentials)")],
        default="oauth",
        required=True,
        help="A custom connection is Xero's paid option for a single organisation; it "
        "uses the client-credentials grant instead of a person's consent.",
    )
    client_id = fields.Char(
        string="Client ID", groups="xero_connector.group_xero_manager", tracking=True
    )
    client_secret = fields.Char(groups="base.group_system", copy=False)
    endpoint_url = fields.Char(
        string="Xero Endpoint",
        groups="xero_connector.group_xero_manager",
        help="Leave empty for Xero itself. Set to the address of a Xero sandbox "
        "(e.g. http://127.0.0.1:8765) to try the connector without a Xero organisation.",
    )
    redirect_url = fields.Char(
        compute="_compute_redirect_url",
        help="Register this address as the redirect URI of your app at developer.xero.com.",
    )
    state = fields.Selection(
        [
            ("draft", "Not connected"),
            ("connected", "Connected"),
            ("reconnect", "Reconnect needed"),
            ("disconnected", "Disconnected"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    state_reason = fields.Char(readonly=True, copy=False)
    tenant_id = fields.Char(string="Xero Tenant ID", readonly=True, copy=False)
    tenant_name = fields.Char(string="Xero Organisation", readonly=True, copy=False)
    xero_connection_ref = fields.Char(
        string="Xero Connection ID",
        readonly=True,
        copy=False,
        help="Xero's id of this authorisation, used to disconnect it.",
    )
    token_data = fields.Json(groups="base.group_system", copy=False)
    webhook_key = fields.Char(
        groups="base.group_system",
        copy=False,
        help="The webhook signing key Xero shows for your app (developer.xero.com > "
        "Webhooks). With it, changes in Xero reach Odoo within seconds.",
    )
    webhook_url = fields.Char(
        compute="_compute_redirect_url",
        help="Register this address as the webhook delivery URL of your Xero app.",
    )
    connected_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    connected_on = fields.Datetime(readonly=True, copy=False)
    min_limit_remaining = fields.Integer(readonly=True, copy=False)
    day_limit_remaining = fields.Integer(readonly=True, copy=False)
    limits_seen_on = fields.Datetime(readonly=True, copy=False)
    log_ids = fields.One2many("xero.log", "connection_id")
    log_error_count = fields.Integer(compute="_compute_log_error_count")
    last_sync_at = fields.Datetime(
        string="Last Successful Call", compute="_compute_log_error_count"
    )

    _sql_constraints = [
        (
            "company_uniq",
            "unique(company_id)",
            "A company has one Xero connection; change the existing one.",
        ),
    ]

    @api.depends("tenant_name", "company_id.name", "state")
    def _compute_name(self):
        for connection in self:
            connection.name = connection.tenant_name or _(
                "%(company)s (not connected)", company=connection.company_id.name
            )

    def _compute_redirect_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/")
        for connection in self:
            connection.redirect_url = base + CALLBACK_PATH
            connection.webhook_url = base + WEBHOOK_PATH

    def _compute_log_error_count(self):
        counts = dict(
            self.env["xero.log"]._read_group(
                [("connection_id", "in", self.ids), ("outcome", "=", "error")],
                ["connection_id"],
                ["__count"],
            )
        )
        last = dict(
            self.env["xero.log"]._read_group(
                [("connection_id", "in", self.ids), ("outcome", "=", "success")],
                ["connection_id"],
                ["create_date:max"],
            )
        )
        for connection in self:
            connection.log_error_count = counts.get(connection, 0)
            connection.last_sync_at = last.get(connection, False)

    # -- endpoints ---------------------------------------------------------------
    def _endpoint_urls(self):
        """(login, identity, api) base URLs: Xero's own, or one sandbox address."""
        self.ensure_one()
        base = (self.sudo().endpoint_url or "").rstrip("/")
        if base:
            return base, base, base
        return XERO_LOGIN_URL, XERO_IDENTITY_URL, XERO_API_URL

    def _oauth(self):
        self.ensure_one()
        conn = self.sudo()
        if not conn.client_id:
            raise UserError(
                _("Enter the Client ID of your Xero app (developer.xero.com > My Apps) first.")
            )
        login, identity, api_url = self._endpoint_urls()
        return XeroOAuth(
            conn.client_id,
            conn.client_secret or None,
            redirect_uri=self.redirect_url,
            login_url=login,
            identity_url=identity,
            api_url=api_url,
            logger_hook=self._log_hook(),
        )

    def _token_store(self):
        return OdooTokenStore(self)

    def _log_hook(self, record=None):
        log_model = self.env["xero.log"]
        connection = self

        def hook(event):
            log_model._log_event(connection, event, record=record)

        return hook

    # -- actions -------------------------------------------------------------------
    def action_connect(self):
        """Send the administrator to Xero's consent page (or connect directly for a
        custom connection)."""
        self.ensure_one()
        self._check_admin()
        if self.auth_type == "custom":
            return self._connect_client_credentials()
        oauth = self._oauth()
        request = oauth.authorization_request(state=secrets.token_urlsafe(32))
        self.env["xero.oauth.state"].sudo()._start_consent(self, request)
        return {"type": "ir.actions.act_url", "url": request.url, "target": "self"}

    def _connect_client_credentials(self):
        oauth = self._oauth()
        try:
            token = oauth.client_credentials()
            connections = oauth.connections(token)
        except XeroError as exc:
            raise UserError(_("Xero refused the connection: %s", exc.user_message())) from exc
        tenant = connections[0] if connections else {}
        self._finish_connect(token, tenant)
        if not self.tenant_name:
            # A custom connection reaches one organisation and may list no connection:
            # ask the organisation itself for its name and id.
            try:
                org = self._client().get_organisation()
            except XeroError as exc:
                raise UserError(_("Xero refused the connection: %s", exc.user_message())) from exc
            self.sudo().write(
                {"tenant_name": org.get("Name"), "tenant_id": org.get("OrganisationID") or ""}
            )
        return self._notify(_("Connected to %s.", self.tenant_name or _("Xero")))

    def _finish_connect(self, token, tenant):
        """Store the tokens and the chosen organisation; the connection is live."""
        self.ensure_one()
        self.sudo().write(
            {
                "token_data": token,
                "tenant_id": tenant.get("tenantId") or "",
                "tenant_name": tenant.get("tenantName") or "",
                "xero_connection_ref": tenant.get("id") or False,
                "state": "connected",
                "state_reason": False,
                "connected_by_id": self.env.uid,
                "connected_on": fields.Datetime.now(),
            }
        )
        self.activity_unlink(["xero_connector.mail_activity_xero_reconnect"])
        self.message_post(body=_("Connected to Xero organisation %(name)s.", name=self.tenant_name))

    def action_test_connection(self):
        self.ensure_one()
        self._check_admin()
        client = self._client()
        try:
            organisation = client.get_organisation()
        except XeroError as exc:
            raise UserError(_("Xero connection test failed: %s", exc.user_message())) from exc
        name = organisation.get("Name") or self.tenant_name
        return self._notify(_("Xero answered: connected to %s.", name))

    def action_disconnect(self):
        """Revoke the authorisation at Xero (best effort) and forget the tokens."""
        self.ensure_one()
        self._check_admin()
        conn = self.sudo()
        token = self._token_store().load()
        message = _("Disconnected from Xero.")
        if token and conn.auth_type == "oauth":
            oauth = self._oauth()
            try:
                if conn.xero_connection_ref:
                    oauth.delete_connection(token, conn.xero_connection_ref)
                if token.get("refresh_token"):
                    oauth.revoke(token)
            except XeroError as exc:
                message = _(
                    "Disconnected in Odoo; Xero could not be told (%s). Remove the app "
                    "under Xero > Settings > Connected apps if it is still listed.",
                    exc.user_message(),
                )
        conn.write(
            {
                "token_data": False,
                "state": "disconnected",
                "state_reason": _("Disconnected by %s", self.env.user.name),
                "xero_connection_ref": False,
            }
        )
        self.message_post(body=message)
        return self._notify(message)

    def action_open_logs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("xero_connector.xero_log_action")
        action["domain"] = [("connection_id", "=", self.id)]
        action["context"] = {"search_default_filter_error": 1}
        return action

    def _notify(self, message, kind="success"):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": kind,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _check_admin(self):
        if not self.env.user.has_group("xero_connector.group_xero_manager"):
            raise AccessError(_("Only Xero administrators can change the Xero connection."))

    # -- used by every feature -----------------------------------------------------
    def _client(self, priority="interactive"):
        """The API client for this organisation; refuses when the connection is not live."""
        self.ensure_one()
        conn = self.sudo()
        if conn.state != "connected":
            raise UserError(self._not_connected_message())
        _login, identity, api_url = self._endpoint_urls()
        return XeroClient(
            conn.tenant_id,
            self._token_store(),
            conn.client_id,
            conn.client_secret or None,
            api_url=api_url,
            identity_url=identity,
            logger_hook=self._log_hook(),
            limiter=self.env["xero.rate.budget"]._limiter(conn),
            priority=priority,
            custom_connection=conn.auth_type == "custom",
        )

    def _not_connected_message(self):
        self.ensure_one()
        if self.state == "reconnect":
            return _(
                "The Xero connection of %(company)s needs to be reconnected (%(reason)s): "
                "Settings > Invoicing > Xero > Connect.",
                company=self.company_id.name,
                reason=self.state_reason or _("authorisation lost"),
            )
        return _(
            "%(company)s is not connected to Xero: Settings > Invoicing > Xero > Connect.",
            company=self.company_id.name,
        )

    def _mark_reconnect_needed(self, reason):
        """Xero no longer accepts our tokens: stop syncing and ask an admin to act.

        Pending documents keep their queued state and go out after reconnecting."""
        for connection in self:
            connection.sudo().write({"state": "reconnect", "state_reason": reason})
            admins = self.env.ref("xero_connector.group_xero_manager").users.filtered(
                lambda u, c=connection: (
                    c.company_id in u.company_ids and not u.share and not u._is_superuser()
                )
            )
            for user in admins[:5]:
                connection.activity_schedule(
                    "xero_connector.mail_activity_xero_reconnect",
                    user_id=user.id,
                    note=_("Xero stopped accepting the connection: %s", reason),
                )

    def _record_limits(self, min_remaining, day_remaining):
        """Remember the rate-limit headroom Xero reported. Skipped while a token refresh
        holds the row: the next call reports it again."""
        self.env.cr.execute(
            """
            UPDATE xero_connection
               SET min_limit_remaining = coalesce(%s, min_limit_remaining),
                   day_limit_remaining = coalesce(%s, day_limit_remaining),
                   limits_seen_on = now() at time zone 'utc'
             WHERE id IN (SELECT id FROM xero_connection WHERE id IN %s
                          FOR NO KEY UPDATE SKIP LOCKED)
            """,
            [
                int(min_remaining) if min_remaining is not None else None,
                int(day_remaining) if day_remaining is not None else None,
                tuple(self.ids),
            ],
        )
        self.invalidate_recordset(["min_limit_remaining", "day_limit_remaining", "limits_seen_on"])

    @api.model
    def _xero_currency_codes(self, client, needed=()):
        """The currency codes enabled in ``client``'s organisation. Kept for a few
        minutes per organisation (every batch needs them); read again at once when a
        code in ``needed`` is missing, so a currency just added in Xero is seen."""
        now = time.monotonic()
        cached = _CURRENCIES.get(client.tenant_id)
        if cached and now - cached[0] < CURRENCY_TTL and set(needed) - {False} <= cached[1]:
            return set(cached[1])
        codes = {c.get("Code") for c in client.get_currencies()}
        _CURRENCIES[client.tenant_id] = (now, codes)
        return set(codes)

    @api.model
    def _for_company(self, company):
        return self.search([("company_id", "=", company.id)], limit=1)

    @api.model
    def _get_or_create_for_company(self, company):
        return self._for_company(company) or self.sudo().create({"company_id": company.id})
