from odoo.tests import tagged

from .import_case import ImportCase

REGION = "e583b09e-ecf9-5600-b84c-930fc048cea8"
DEPARTMENT = "90e5049b-62f5-5010-af57-7e53f0c52147"


@tagged("post_install", "-at_install")
class TestImportTracking(ImportCase):
    def test_categories_become_plans_and_options_analytic_accounts(self):
        self.import_names("tracking", "Region", "Department")
        plans = self.links._records_by_xero_id(
            self.connection, "account.analytic.plan", "tracking_category", [REGION, DEPARTMENT]
        )
        region = plans[REGION]
        self.assertEqual(region.name, "Region")
        self.assertEqual(
            sorted(region.account_ids.mapped("name")), ["East", "North", "South", "West"]
        )
        self.assertTrue(all(region.account_ids.mapped("xero_integrated")))
        self.assertTrue(region.xero_integrated)
        # a line's analytic distribution becomes Xero tracking
        north = region.account_ids.filtered(lambda a: a.name == "North")
        sales = plans[DEPARTMENT].account_ids.filtered(lambda a: a.name == "Sales")
        tracking = self.env["xero.import.tracking"]._xero_tracking(
            self.connection, {f"{north.id},{sales.id}": 100.0}
        )
        self.assertEqual(
            sorted((t["Name"], t["Option"]) for t in tracking),
            [("Department", "Sales"), ("Region", "North")],
        )

    def test_more_than_two_categories_in_the_data(self):
        self.sandbox.put_records(
            self.tenant,
            "TrackingCategories",
            [
                {
                    "TrackingCategoryID": "0000bbbb-0000-4000-8000-000000000003",
                    "Name": "Cost Centre",
                    "Status": "ACTIVE",
                    "Options": [
                        {
                            "TrackingOptionID": "0000bbbb-0000-4000-8000-000000000031",
                            "Name": "CC1",
                            "Status": "ACTIVE",
                        }
                    ],
                },
                {
                    "TrackingCategoryID": "0000bbbb-0000-4000-8000-000000000004",
                    "Name": "Old Projects",
                    "Status": "ARCHIVED",
                    "Options": [],
                },
            ],
        )
        wizard = self.wizard("tracking")
        self.assertEqual(len(wizard.line_ids), 4)
        importable = wizard.line_ids.filtered("importable").mapped("name")
        self.assertEqual(len(importable), 2, "Xero tracks two categories")
        archived = self.line(wizard, "Old Projects")
        self.assertIn("Archived", archived.reason)
        refused = wizard.line_ids.filtered(
            lambda line: not line.importable and line.name != "Old Projects"
        )
        self.assertIn("at most two", refused.reason)
        wizard.line_ids.write({"selected": True})
        wizard.action_import()
        self.assertEqual(
            len(
                self.links.search(
                    [
                        ("connection_id", "=", self.connection.id),
                        ("xero_type", "=", "tracking_category"),
                    ]
                )
            ),
            2,
        )
