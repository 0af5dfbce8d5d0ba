from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .import_case import ImportCase

ANALYTIC = "analytic.group_analytic_accounting"


@tagged("post_install", "-at_install")
class TestImportWizardWords(ImportCase):
    def administrator(self, *extra):
        """An administrator of Odoo and Xero in Invoicing, without Analytic Accounting."""
        user = self.env["res.users"].create(
            {
                "name": "Administrator",
                "login": f"admin.{self.id()[-30:]}",
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
                "groups_id": [
                    (
                        6,
                        0,
                        [
                            self.env.ref("base.group_system").id,
                            self.env.ref("account.group_account_manager").id,
                            self.env.ref("xero_connector.group_xero_manager").id,
                            *extra,
                        ],
                    )
                ],
            }
        )
        self.assertFalse(user.has_group(ANALYTIC), "the setting is off for this test")
        return self.env(user=user)

    def test_tracking_without_analytic_accounting_says_what_to_do(self):
        group_user = self.env.ref("base.group_user")
        group_user.implied_ids -= self.env.ref(ANALYTIC)
        env = self.administrator()
        wizard = env["xero.import.wizard"].create(
            {"connection_id": self.connection.id, "object_type": "tracking"}
        )
        self.assertTrue(wizard.needs_analytic)
        try:
            wizard.action_search()
        except AccessError as exc:  # Odoo's raw "not allowed to access 'Analytic Plans'"
            self.fail(f"raw access error shown: {exc}")
        except UserError as exc:
            self.assertIn("Analytic Accounting", str(exc))
        wizard.action_enable_analytic()
        self.assertTrue(env.user.has_group(ANALYTIC))
        wizard = wizard.with_env(env)
        self.assertFalse(wizard.needs_analytic)
        wizard.action_search()
        self.assertIn("Region", wizard.line_ids.mapped("name"))
        region = self.line(wizard, "Region")
        # the options are details of the category, not its type
        self.assertFalse(region.xero_kind)
        self.assertIn("North", region.details)
        self.assertEqual(region.xero_status, "Active")

    def test_enabling_analytic_accounting_needs_an_administrator(self):
        self.env.ref("base.group_user").implied_ids -= self.env.ref(ANALYTIC)
        env = self.as_accountant()
        user = env.user
        user.groups_id -= self.env.ref(ANALYTIC)
        wizard = env["xero.import.wizard"].create(
            {"connection_id": self.connection.id, "object_type": "tracking"}
        )
        with self.assertRaisesRegex(UserError, "Only an administrator"):
            wizard.action_enable_analytic()

    def test_another_type_clears_the_list_and_import_never_acts_on_it(self):
        wizard = self.wizard("contact", search="Nimbus Packaging LLC")
        self.assertTrue(wizard.line_ids)
        wizard.line_ids.selected = True
        with Form(wizard) as form:
            form.object_type = "tax"
        self.assertFalse(wizard.line_ids, "the suppliers listed before are gone")
        with self.assertRaisesRegex(UserError, "List the records"):
            wizard.action_import()
        # even if the list was kept (an old form), Import refuses another type's rows
        wizard = self.wizard("contact", search="Nimbus Packaging LLC")
        wizard.line_ids.selected = True
        wizard.object_type = "tax"
        with self.assertRaisesRegex(UserError, "List the records"):
            wizard.action_import()
        self.assertFalse(self.linked(self.env["res.partner"].search([]), "contact"))

    def test_reopened_dialog_keeps_its_title(self):
        wizard = self.wizard("account")
        self.assertEqual(wizard.action_search()["name"], "Import from Xero")

    def test_codes_shown_as_words(self):
        wizard = self.wizard("account")
        kinds = set(wizard.line_ids.mapped("xero_kind"))
        self.assertIn("Direct Costs", kinds)
        self.assertIn("Current Liability", kinds)
        self.assertFalse({"DIRECTCOSTS", "CURRLIAB"} & kinds)
        self.assertEqual(set(wizard.line_ids.mapped("xero_status")) - {"Archived"}, {"Active"})
        taxes = self.wizard("tax")
        kinds = taxes.line_ids.mapped("xero_kind")
        self.assertTrue(any(kind.endswith("15%") for kind in kinds), kinds)
        self.assertFalse([kind for kind in kinds if "0000%" in kind or "/" in kind], kinds)
