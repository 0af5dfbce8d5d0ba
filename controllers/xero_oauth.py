from odoo import _, http
from odoo.exceptions import AccessError, UserError
from odoo.http import request

# Settings, on the Xero block (static/src/js/xero_settings_landing.js).
SETTINGS_URL = "/odoo/action-xero_connector.xero_settings_action#xero_connection_setting"
# The Xero block of Settings, with a notification naming the organisation connected.
CONNECTED_URL = "/odoo/action-xero_connector.action_xero_settings_landing"


class XeroOAuthController(http.Controller):
    """Xero sends the administrator back here after its consent page."""

    @http.route("/xero/oauth/callback", type="http", auth="user", methods=["GET"])
    def oauth_callback(self, code=None, state=None, error=None, error_description=None, **kw):
        states = request.env["xero.oauth.state"].sudo()
        try:
            outcome, pending, detail = states._complete_consent(
                state, code, error, error_description
            )
        except AccessError as exc:
            return self._page(str(exc), status=403)
        if outcome == "connected":
            return request.redirect(CONNECTED_URL)
        if outcome == "choose":
            return request.render(
                "xero_connector.oauth_choose_tenant",
                {"pending": pending, "tenants": detail, "company": pending.company_id},
            )
        pending.connection_id.message_post(body=detail)
        return self._page(detail)

    @http.route("/xero/oauth/choose", type="http", auth="user", methods=["POST"])
    def oauth_choose(self, pending_id=None, tenant_id=None, **kw):
        states = request.env["xero.oauth.state"].sudo()
        try:
            states._choose_tenant(int(pending_id or 0), tenant_id)
        except (AccessError, ValueError):
            return self._page(_("This choice of Xero organisation is no longer valid."), 403)
        except UserError as exc:
            return self._page(str(exc), status=400)
        return request.redirect(CONNECTED_URL)

    def _page(self, message, status=200):
        response = request.render(
            "xero_connector.oauth_result", {"message": message, "back_url": SETTINGS_URL}
        )
        response.status_code = status
        return response
