from odoo import models


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    def _finish_connect(self, token, tenant):
        """Connecting gives the company its "Xero payments" journal when it has none."""
        res = super()._finish_connect(token, tenant)
        self.company_id._xero_payment_journal()
        return res
