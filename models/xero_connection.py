import contextlib
import ipaddress
import secrets
import time
from datetime import timedelta
from urllib.parse import urlparse

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..xero import XeroClient, XeroError, XeroOAuth, needs_refresh
from ..xero import scopes as xero_scopes
from ..xero.oauth import XERO_API_URL, XERO_IDENTITY_URL, XERO_LOGIN_URL
from .xero_token_store import OdooTokenStore

CALLBACK_PATH = "/xero/oauth/callback"
WEBHOOK_PATH = "/xero/webhook"
CURRENCY_TTL = 600  # seconds
# Set (to "1") by a system administrator to let connections use their Xero Endpoint
# (a Xero sandbox); without it every connection talks to Xero's own hosts.
SANDBOX_MODE_PARAM = "xero_connector.sandbox_mode"
# The fields that decide where the client secret and the tokens are sent: only system
# administrators change them (a Xero administrator could otherwise send them anywhere).
ROUTING_FIELDS = ("endpoint_url", "auth_type", "client_id", "client_secret", "webhook_key")
# What a company's new connection takes over when it changes organisation.
CONFIG_FIELDS = (*ROUTING_FIELDS, "scope_mode")
# What cannot change while a connection is live: the tokens belong to this app, these
# hosts and this organisation. Only the connect / disconnect flows (which run as
# superuser) change them; an administrator disconnects first.
LOCKED_WHILE_CONNECTED = (
    "auth_type",
    "client_id",
    "scope_mode",
    "endpoint_url",
    "tenant_id",
    "tenant_name",
    "xero_connection_ref",
    "state",
)
# How long after connecting the return from Xero's consent page still says so.
LANDING_NOTICE_AGE = timedelta(minutes=10)
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
        string="Connection Type",
        default="oauth",
        required=True,
        help="A custom connection is Xero's paid option for a single organisation; it "
        "uses the client-credentials grant instead of a person's consent.",
    )
    client_id = fields.Char(
        string="Client ID", groups="xero_connector.group_xero_manager", tracking=True
    )
    scope_mode = fields.Selection(
        [
            ("granular", "Xero app created in March 2026 or later (granular scopes)"),
            ("broad", "Xero app created before March 2026 (broad scopes)"),
        ],
        string="Xero App Scopes",
        default="granular",
        required=True,
        help="Xero offers apps created since 2 March 2026 (custom connections: since 29 "
        "April 2026) only the granular scopes (accounting.invoices, accounting.payments...). "
        "Choose the broad scopes (accounting.transactions) only for an older app, until "
        "Xero retires them in September 2027.",
    )
    scope_warning = fields.Text(
        string="Missing Xero Permissions",
        readonly=True,
        copy=False,
        help="Features that cannot work because Xero did not grant the scope they need.",
    )
    client_secret = fields.Char(string="Client Secret", groups="base.group_system", copy=False)
    endpoint_url = fields.Char(
        string="Xero Endpoint",
        groups="xero_connector.group_xero_manager",
        help="Leave empty for Xero itself. Set to the address of a Xero sandbox "
        "(e.g. http://127.0.0.1:8765) to try the connector without a Xero organisation; "
        "used only once a system administrator has put the database in Xero sandbox "
        "mode (system parameter xero_connector.sandbox_mode = 1).",
    )
    sandbox_mode = fields.Boolean(
        compute="_compute_sandbox_mode",
        help="The database is in Xero sandbox mode: the Xero Endpoint is used.",
    )
    redirect_url = fields.Char(
        string="Redirect URI",
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
    # Kept in xero.token (a row the business transaction never writes), read and
    # written through the token store's own committed cursor.
    token_data = fields.Json(
        groups="base.group_system",
        copy=False,
        compute="_compute_token_data",
        inverse="_inverse_token_data",
    )
    webhook_key = fields.Char(
        string="Webhook Key",
        groups="base.group_system",
        copy=False,
        help="The webhook signing key Xero shows for your app (developer.xero.com > "
        "Webhooks). With it, changes in Xero reach Odoo within seconds.",
    )
    webhook_url = fields.Char(
        string="Webhook URL",
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

    def init(self):
        # A company has one active connection; the archived ones keep the links, sync
        # marks and bank accounts of organisations it was connected to before.
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS xero_connection_company_active_uniq
                   ON xero_connection (company_id) WHERE active"""
        )

    @api.depends("tenant_name", "company_id.name", "state")
    def _compute_name(self):
        for connection in self:
            connection.name = connection.tenant_name or _(
                "%(company)s (not connected)", company=connection.company_id.name
            )

    def _compute_token_data(self):
        for connection in self:
            connection.token_data = (
                connection._token_store().load() if connection.id else False
            ) or False

    def _inverse_token_data(self):
        for connection in self:
            connection._token_store().save(connection.token_data or None)

    def _compute_sandbox_mode(self):
        self.sandbox_mode = self._sandbox_mode()

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

    # -- who may decide where secrets go -------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_routing_access({f for f in ROUTING_FIELDS if vals.get(f)})
        return super().create(vals_list)

    def write(self, vals):
        changed = {f for f in ROUTING_FIELDS if f in vals}
        if changed and not self._is_routing_admin():
            current = self.sudo()
            changed = {
                f for f in changed if any((c[f] or False) != (vals[f] or False) for c in current)
            }
            self._check_routing_access(changed)
        self._check_not_connected(vals)
        return super().write(vals)

    def _check_not_connected(self, vals):
        """Refuse changing what a live connection depends on (see LOCKED_WHILE_CONNECTED),
        unless the connect / disconnect flows themselves do it."""
        if self.env.su:
            return
        locked = [f for f in LOCKED_WHILE_CONNECTED if f in vals]
        if not locked:
            return
        for connection in self.sudo():
            if connection.state != "connected":
                continue
            changed = [f for f in locked if (connection[f] or False) != (vals[f] or False)]
            if changed:
                labels = ", ".join(
                    sorted(self._fields[f].get_description(self.env)["string"] for f in changed)
                )
                raise UserError(
                    _(
                        "%(company)s is connected to Xero (%(organisation)s): %(fields)s "
                        "cannot change while it is connected. Disconnect first, then "
                        "change it and connect again.",
                        company=connection.company_id.name,
                        organisation=connection.tenant_name or connection.tenant_id,
                        fields=labels,
                    )
                )

    def _is_routing_admin(self):
        return self.env.su or self.env.user._is_system()

    def _check_routing_access(self, fields_changed):
        if fields_changed and not self._is_routing_admin():
            raise AccessError(
                _(
                    "Only system administrators can change where Xero credentials are "
                    "sent (%(fields)s).",
                    fields=", ".join(sorted(fields_changed)),
                )
            )

    @api.constrains("endpoint_url")
    def _check_endpoint_url(self):
        for connection in self.sudo():
            url = (connection.endpoint_url or "").strip()
            if not url:
                continue
            parsed = urlparse(url)
            if parsed.scheme == "https" and parsed.hostname:
                continue
            if parsed.scheme == "http" and _is_loopback(parsed.hostname):
                continue
            raise ValidationError(
                _(
                    "The Xero Endpoint must be an https address, or plain http to a "
                    "sandbox on this machine (127.0.0.1, localhost): %s",
                    url,
                )
            )

    @api.model
    def _sandbox_mode(self):
        value = self.env["ir.config_parameter"].sudo().get_param(SANDBOX_MODE_PARAM, "")
        return value.strip().lower() in ("1", "true", "yes")

    # -- endpoints ---------------------------------------------------------------
    def _endpoint_urls(self):
        """(login, identity, api) base URLs: Xero's own, or one sandbox address when the
        database is in Xero sandbox mode."""
        self.ensure_one()
        base = (self.sudo().endpoint_url or "").rstrip("/")
        if base and self._sandbox_mode():
            return base, base, base
        return XERO_LOGIN_URL, XERO_IDENTITY_URL, XERO_API_URL

    def _requested_scopes(self, identity=True):
        """The scopes asked of Xero: every feature's, granular unless the app is older."""
        self.ensure_one()
        return xero_scopes.requested_scopes(broad=self.scope_mode == "broad", identity=identity)

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
            scopes=self._requested_scopes(),
            login_url=login,
            identity_url=identity,
            api_url=api_url,
            log_sink=self._log_sink(),
        )

    def _token_store(self):
        return OdooTokenStore(self)

    def _log_sink(self, observe=None):
        """The client's log sink: one xero.log row per record an event concerns (its
        ``concerns``, references ``(model, id)``), or one for the organisation; then
        ``observe(event)`` when given."""
        log_model = self.env["xero.log"]
        connection = self

        def sink(event):
            log_model._log_event(connection, event, concerns=event.get("concerns"))
            if observe:
                observe(event)

        return sink

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
            try:
                token = oauth.client_credentials(self._requested_scopes(identity=False))
            except XeroError as exc:
                if "invalid_scope" not in (exc.detail or ""):
                    raise
                # The connection was not given every scope asked for: take those ticked
                # for it at developer.xero.com; the features lacking one are named below.
                token = oauth.client_credentials("")
            connections = oauth.connections(token)
        except XeroError as exc:
            raise UserError(_("Xero refused the connection: %s", exc.user_message())) from exc
        tenant = connections[0] if connections else {}
        connection = self._finish_connect(token, tenant)
        if not connection.tenant_name:
            # A custom connection reaches one organisation and may list no connection:
            # ask the organisation itself for its name and id.
            try:
                org = connection._client().get_organisation()
            except XeroError as exc:
                raise UserError(_("Xero refused the connection: %s", exc.user_message())) from exc
            connection.sudo().write(
                {"tenant_name": org.get("Name"), "tenant_id": org.get("OrganisationID") or ""}
            )
        return connection._connected_notice()

    def _connected_notice(self, next_action=None):
        """The notification naming the organisation just connected (and what Xero did
        not grant), then ``next_action``."""
        self.ensure_one()
        message = _("Connected to Xero organisation %s.", self.tenant_name or _("Xero"))
        if self.scope_warning:
            return self._notify(
                message + "\n" + self.scope_warning, kind="warning", next_action=next_action
            )
        return self._notify(message, next_action=next_action)

    def _finish_connect(self, token, tenant):
        """Store the tokens and the chosen organisation; the connection is live.
        Returns the connection used: another record when the company changes
        organisation (see _connection_for_organisation)."""
        self.ensure_one()
        self._check_organisation_free(tenant.get("tenantId"))
        target = self._connection_for_organisation(tenant.get("tenantId"))
        if target != self:
            return target._finish_connect(token, tenant)
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
                "scope_warning": self._scope_warning(token) or False,
            }
        )
        self.activity_unlink(["xero_connector.mail_activity_xero_reconnect"])
        self.message_post(body=_("Connected to Xero organisation %(name)s.", name=self.tenant_name))
        if self.scope_warning:
            self.message_post(body=self.scope_warning)
        self.company_id._xero_payment_journal()  # "Xero payments", when it has none
        return self

    def _connection_for_organisation(self, tenant_id):
        """The connection record of this company for organisation ``tenant_id``.

        Links, sync marks, bank accounts and document ids belong to one organisation:
        when the company changes organisation, this record is archived with all of them
        (kept for the old organisation) and the company continues on a clean record,
        or on the archived record of that organisation if it was connected before."""
        self.ensure_one()
        if not tenant_id or self.tenant_id == tenant_id:
            return self
        connections = self.sudo().with_context(active_test=False)
        previous = connections.search(
            [
                ("company_id", "=", self.company_id.id),
                ("tenant_id", "=", tenant_id),
                ("active", "=", False),
            ],
            limit=1,
        )
        if not self.tenant_id and not previous:
            return self  # the company's first organisation
        current = self.sudo()
        config = {f: current[f] for f in CONFIG_FIELDS}
        old_name = current.tenant_name
        current.write(
            {
                "active": False,
                "state": "disconnected",
                "token_data": False,
                "state_reason": _(
                    "The company was connected to another Xero organisation; the links "
                    "to %s are kept here.",
                    old_name or _("this organisation"),
                ),
            }
        )
        current.flush_recordset()
        if previous:
            previous.write(dict(config, active=True))
            target = previous
        else:
            target = connections.create(dict(config, company_id=current.company_id.id))
        self.company_id.invalidate_recordset(["xero_connection_ids", "xero_connection_id"])
        target.message_post(
            body=_(
                "This company now works with a different Xero organisation than %s: "
                "its links to that organisation are kept on the archived connection.",
                old_name or "-",
            )
        )
        return target.with_env(self.env)

    def _check_organisation_free(self, tenant_id):
        """One Xero organisation serves one company of this database: its webhooks and
        its records could not tell two companies apart."""
        if not tenant_id:
            return
        other = self.sudo().search(
            [
                ("id", "!=", self.id),
                ("tenant_id", "=", tenant_id),
                ("state", "in", ("connected", "reconnect")),
            ],
            limit=1,
        )
        if other:
            raise UserError(
                _(
                    "The Xero organisation %(organisation)s is already connected to "
                    "%(company)s. One organisation can serve only one company (Xero's "
                    "notifications could not tell them apart): disconnect it there first.",
                    organisation=other.tenant_name or tenant_id,
                    company=other.company_id.name,
                )
            )

    # -- scopes each feature needs -------------------------------------------------
    def _xero_feature_labels(self):
        """Feature code (a row of xero.scopes.FEATURE_SCOPES) -> what the user calls it."""
        return {
            "export": _("Sending documents to Xero"),
            "attachments": _("Sending attachments to Xero"),
            "payments": _("Payments sync"),
            "import": _("Importing contacts, accounts and taxes"),
            "reconciliation": _("Month-end reconciliation of balances"),
        }

    def _xero_enabled_features(self):
        """The features this company uses (extend to add one)."""
        self.ensure_one()
        company = self.company_id
        features = ["import", "payments", "reconciliation"]
        if any(
            company[f]
            for f in (
                "xero_export_purchase_order",
                "xero_export_vendor_bill",
                "xero_export_customer_invoice",
                "xero_export_credit_note",
            )
        ):
            features += ["export", "attachments"]
        return features

    def _scope_warning(self, token):
        """One plain sentence per enabled feature Xero did not grant a scope for."""
        self.ensure_one()
        granted = (token or {}).get("scope") or []
        if not granted:
            return ""
        labels = self._xero_feature_labels()
        missing = xero_scopes.missing_scopes(granted, self._xero_enabled_features())
        lines = [
            _(
                "%(feature)s is off because %(scopes)s was not granted by Xero.",
                feature=labels.get(feature, feature),
                scopes=", ".join(scopes),
            )
            for feature, scopes in missing.items()
        ]
        if lines:
            lines.append(
                _(
                    "Tick the missing scopes for your app at developer.xero.com (custom "
                    "connection) or check the app's scope choice, then connect again."
                )
            )
        return "\n".join(lines)

    def _xero_has_feature(self, feature):
        """False when Xero did not grant the scopes ``feature`` needs."""
        self.ensure_one()
        granted = (self._token_store().load() or {}).get("scope") or []
        return not granted or not xero_scopes.missing_scopes(granted, [feature])

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
        if token and conn.state == "connected" and needs_refresh(token):
            with contextlib.suppress(XeroError):  # Xero is told with a live access token
                token = self._client().access_token()
        message = _("Disconnected from Xero.")
        if token and conn.auth_type == "oauth":
            oauth = self._oauth()
            try:
                ref = conn.xero_connection_ref or self._xero_connection_ref(oauth, token)
                if ref:
                    oauth.delete_connection(token, ref)
                # Revoking the refresh token removes every connection of its grant:
                # only when no other company of this database still uses one of them.
                if token.get("refresh_token") and not self._grant_in_use(oauth, token):
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

    def _xero_connection_ref(self, oauth, token):
        """Xero's id of this organisation's connection, looked up by tenant."""
        if not self.tenant_id:
            return None
        for row in oauth.connections(token):
            if row.get("tenantId") == self.tenant_id:
                return row.get("id")
        return None

    def _grant_in_use(self, oauth, token):
        """True when the grant of ``token`` still reaches an organisation another
        connection of this database is connected to."""
        others = self.sudo().search(
            [
                ("id", "!=", self.id),
                ("state", "in", ("connected", "reconnect")),
                ("tenant_id", "!=", False),
            ]
        )
        if not others:
            return False
        reachable = {row.get("tenantId") for row in oauth.connections(token)}
        return bool(reachable & set(others.mapped("tenant_id")))

    def action_open_logs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("xero_connector.xero_log_action")
        action["domain"] = [("connection_id", "=", self.id)]
        action["context"] = {"search_default_filter_error": 1}
        return action

    def _notify(self, message, kind="success", next_action=None):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": kind,
                "next": next_action or {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _settings_action(self):
        """Settings, opened on the Xero block (static/src/js/xero_settings_landing.js)."""
        return {"type": "ir.actions.client", "tag": "xero_connector.settings"}

    @api.model
    def _action_settings_landing(self):
        """Where Xero's consent page leads back to: the Xero block of Settings, saying
        which organisation the current company was just connected to."""
        self._check_admin()
        connection = self._for_company(self.env.company)
        landing = self._settings_action()
        just_connected = (
            connection.state == "connected"
            and connection.connected_by_id == self.env.user
            and connection.connected_on
            and connection.connected_on >= fields.Datetime.now() - LANDING_NOTICE_AGE
        )
        if not just_connected:
            return landing
        return connection._connected_notice(next_action=landing)

    def _check_admin(self):
        if not self.env.user.has_group("xero_connector.group_xero_manager"):
            raise AccessError(_("Only Xero administrators can change the Xero connection."))

    # -- used by every feature -----------------------------------------------------
    def _client(self, priority="interactive", observe=None):
        """The API client for this organisation; refuses when the connection is not live.

        Its calls are logged in xero.log (then passed to ``observe(event)`` when given)
        against the records each call concerns: ``client.concerning(log_refs(records))``
        or a reference per ``send_batch`` element."""
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
            log_sink=self._log_sink(observe),
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


def _is_loopback(host):
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
