from odoo import http
from odoo.http import Response, request


class XeroWebhookController(http.Controller):
    """Xero's notifications. Answers fast and with an empty body, as Xero requires:
    200 when the signature is right (events are stored and processed by a cron),
    401 when it is wrong or missing, 400 when a signed body is not a batch of events.
    The intent-to-receive check is the same call with no events."""

    @http.route(
        "/xero/webhook",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def xero_webhook(self, **kw):
        body = request.httprequest.get_data()
        signature = request.httprequest.headers.get("x-xero-signature", "")
        if not request.db:
            return Response(status=401)
        events = request.env["xero.webhook.event"].sudo()
        return Response(status=events._receive(body, signature))
