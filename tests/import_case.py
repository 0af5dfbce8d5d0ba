"""Shared setup of the import tests: a company connected to the demo organisation."""

from .common import DEMO_ORG, XeroCase, org_id


class ImportCase(XeroCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.connect()
        cls.tenant = org_id(cls.sandbox, DEMO_ORG)
        cls.links = cls.env["xero.link"]

    def wizard(self, object_type, search=None):
        wizard = self.env["xero.import.wizard"].create(
            {"connection_id": self.connection.id, "object_type": object_type, "search": search}
        )
        wizard.action_search()
        return wizard

    def line(self, wizard, name):
        return wizard.line_ids.filtered(lambda line: line.name == name)

    def import_names(self, object_type, *names):
        wizard = self.wizard(object_type)
        lines = wizard.line_ids.filtered(lambda line: line.name in names)
        self.assertEqual(len(lines), len(names), f"all of {names} listed")
        lines.write({"selected": True})
        wizard.action_import()
        return wizard

    def linked(self, record, xero_type):
        return self.links._find(self.connection, record, xero_type)

    def xero(self, collection):
        return self.sandbox.records(self.tenant, collection)

    def last_seq(self):
        calls = self.sandbox.calls()
        return calls[-1]["seq"] if calls else 0

    def as_accountant(self):
        """A Xero administrator working in the UI (not the superuser)."""
        user = self.env["res.users"].create(
            {
                "name": "Accountant",
                "login": f"accountant.{self.id()[-30:]}",
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
                "groups_id": [
                    (
                        6,
                        0,
                        [
                            self.env.ref("account.group_account_manager").id,
                            self.env.ref("xero_connector.group_xero_manager").id,
                            self.env.ref("base.group_partner_manager").id,
                            self.env.ref("product.group_product_manager").id
                            if self.env.ref("product.group_product_manager", False)
                            else self.env.ref("base.group_user").id,
                            self.env.ref("analytic.group_analytic_accounting").id,
                        ],
                    )
                ],
            }
        )
        return self.env(user=user)
