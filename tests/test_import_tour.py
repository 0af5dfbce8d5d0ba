from odoo.tests import HttpCase, tagged

from .common import (
    CLIENT_ID,
    CLIENT_SECRET,
    DEMO_ORG,
    consent,
    org_id,
    shared_sandbox,
    use_sandbox,
)


@tagged("post_install", "-at_install")
class TestImportTour(HttpCase):
    def _connect(self):
        sandbox = shared_sandbox()
        sandbox.reset("demo")
        use_sandbox(self.env)
        company = self.env.ref("base.main_company")
        connection = self.env["xero.connection"]._get_or_create_for_company(company)
        connection.write(
            {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "endpoint_url": sandbox.url}
        )
        tenant = org_id(sandbox, DEMO_ORG)
        answer = consent(sandbox, connection.action_connect()["url"], [tenant])
        self.env["xero.oauth.state"].sudo()._complete_consent(answer["state"], answer["code"])
        self.assertEqual(connection.state, "connected")
        return company

    def test_accountant_imports_an_account_from_the_wizard(self):
        company = self._connect()
        self.start_tour(
            "/odoo/action-xero_connector.xero_import_wizard_action",
            "xero_connector_import_tour",
            login="admin",
        )
        account = self.env["account.account"].with_company(company).search([("code", "=", "090")])
        self.assertTrue(account.xero_integrated)

    def test_accountant_searches_loads_more_imports_and_updates(self):
        company = self._connect()
        self.start_tour(
            "/odoo/action-xero_connector.xero_import_wizard_action",
            "xero_connector_import_journey_tour",
            login="admin",
        )
        imported = self.env["xero.link"].search(
            [("company_id", "=", company.id), ("xero_type", "=", "contact")]
        )
        self.assertEqual(len(imported), 1)
