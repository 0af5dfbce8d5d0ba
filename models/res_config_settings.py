from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    xero_connection_id = fields.Many2one(related="company_id.xero_connection_id")
    xero_state = fields.Selection(related="xero_connection_id.state")
    xero_state_reason = fields.Char(related="xero_connection_id.state_reason")
    xero_tenant_name = fields.Char(related="xero_connection_id.tenant_name")
    xero_redirect_url = fields.Char(related="xero_connection_id.redirect_url")
    xero_auth_type = fields.Selection(related="xero_connection_id.auth_type", readonly=False)
    xero_scope_mode = fields.Selection(related="xero_connection_id.scope_mode", readonly=False)
    xero_scope_warning = fields.Text(related="xero_connection_id.scope_warning")
    xero_client_id = fields.Char(related="xero_connection_id.client_id", readonly=False)
    xero_endpoint_url = fields.Char(related="xero_connection_id.endpoint_url", readonly=False)
    xero_webhook_url = fields.Char(related="xero_connection_id.webhook_url")
    # The Xero Endpoint (a Xero sandbox's address) means something only in sandbox mode.
    xero_sandbox_mode = fields.Boolean(compute="_compute_xero_sandbox_mode")
    xero_client_secret_set = fields.Boolean(compute="_compute_xero_client_secret_set")
    xero_webhook_key_set = fields.Boolean(compute="_compute_xero_client_secret_set")
    # Write-only: the stored secret is never sent back to the browser.
    xero_new_client_secret = fields.Char(string="Client Secret", groups="base.group_system")
    xero_new_webhook_key = fields.Char(string="Webhook Key", groups="base.group_system")

    xero_export_purchase_order = fields.Boolean(
        related="company_id.xero_export_purchase_order", readonly=False
    )
    xero_export_vendor_bill = fields.Boolean(
        related="company_id.xero_export_vendor_bill", readonly=False
    )
    xero_export_customer_invoice = fields.Boolean(
        related="company_id.xero_export_customer_invoice", readonly=False
    )
    xero_export_credit_note = fields.Boolean(
        related="company_id.xero_export_credit_note", readonly=False
    )
    xero_document_status = fields.Selection(
        related="company_id.xero_document_status", readonly=False
    )
    xero_sync_interval = fields.Integer(related="company_id.xero_sync_interval", readonly=False)
    xero_log_retention_days = fields.Integer(
        related="company_id.xero_log_retention_days", readonly=False
    )

    @api.depends("company_id")
    def _compute_xero_sandbox_mode(self):
        self.xero_sandbox_mode = self.env["xero.connection"]._sandbox_mode()

    @api.depends("xero_connection_id")
    def _compute_xero_client_secret_set(self):
        for settings in self:
            connection = settings.xero_connection_id.sudo()
            settings.xero_client_secret_set = bool(connection.client_secret)
            settings.xero_webhook_key_set = bool(connection.webhook_key)

    def set_values(self):
        super().set_values()
        if not self.env.user.has_group("base.group_system"):
            return
        connection = self.xero_connection_id.sudo()
        if self.xero_new_client_secret:
            connection.client_secret = self.xero_new_client_secret.strip()
            self.xero_new_client_secret = False
        if self.xero_new_webhook_key:
            connection.webhook_key = self.xero_new_webhook_key.strip()
            self.xero_new_webhook_key = False

    def _xero_connection(self):
        self.ensure_one()
        self.set_values()
        return self.env["xero.connection"]._get_or_create_for_company(self.company_id)

    def action_xero_connect(self):
        return self._xero_back_to_block(self._xero_connection().action_connect())

    def action_xero_test(self):
        return self._xero_back_to_block(self._xero_connection().action_test_connection())

    def action_xero_disconnect(self):
        return self._xero_back_to_block(self._xero_connection().action_disconnect())

    def _xero_back_to_block(self, action):
        """After the notification, Settings open again on the Xero block (not at the
        top of Settings, as a plain reload would)."""
        if isinstance(action, dict) and action.get("tag") == "display_notification":
            action["params"]["next"] = self.env["xero.connection"]._settings_action()
        return action

    def action_xero_open_connection(self):
        connection = self._xero_connection()
        return {
            "type": "ir.actions.act_window",
            "res_model": "xero.connection",
            "res_id": connection.id,
            "view_mode": "form",
        }

    # -- document export --------------------------------------------------------------
    xero_purchase_order_mode = fields.Selection(
        related="company_id.xero_purchase_order_mode", readonly=False
    )
    xero_vendor_bill_mode = fields.Selection(
        related="company_id.xero_vendor_bill_mode", readonly=False
    )
    xero_customer_invoice_mode = fields.Selection(
        related="company_id.xero_customer_invoice_mode", readonly=False
    )
    xero_credit_note_mode = fields.Selection(
        related="company_id.xero_credit_note_mode", readonly=False
    )
    xero_purchase_account_code = fields.Char(
        related="company_id.xero_purchase_account_code", readonly=False
    )
    xero_sales_account_code = fields.Char(
        related="company_id.xero_sales_account_code", readonly=False
    )
    xero_rounding_account_code = fields.Char(
        related="company_id.xero_rounding_account_code", readonly=False
    )
    xero_rounding_tolerance = fields.Float(
        related="company_id.xero_rounding_tolerance", readonly=False
    )

    # -- payments -------------------------------------------------------------------------
    xero_payment_journal_id = fields.Many2one(
        related="company_id.xero_payment_journal_id", readonly=False
    )
    xero_push_payments = fields.Boolean(related="company_id.xero_push_payments", readonly=False)

    def action_xero_bank_accounts(self):
        """Read the Xero bank accounts and show the journals to map them to."""
        connection = self._xero_connection()
        self.env["xero.bank.account"]._xero_load(connection)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Journals and Xero bank accounts"),
            "res_model": "account.journal",
            "view_mode": "list,form",
            "views": [
                (self.env.ref("xero_connector.account_journal_view_list_xero").id, "list"),
                (False, "form"),
            ],
            "domain": [("type", "in", ("bank", "cash")), ("company_id", "=", self.company_id.id)],
            "context": {"default_company_id": self.company_id.id},
        }
