import re

from odoo.tools import SQL

from .models.xero_rate_budget import TAKE_SQL

# The SQL functions the rate budget creates in the database (see xero.rate.budget init).
SQL_FUNCTIONS = tuple(re.findall(r"CREATE OR REPLACE FUNCTION (\w+)\(", TAKE_SQL))


def post_init_hook(env):
    """Every company gets its (not yet connected) Xero connection record."""
    connections = env["xero.connection"].sudo().with_context(active_test=False)
    for company in env["res.company"].search([]):
        if not connections.search_count([("company_id", "=", company.id)]):
            connections.create({"company_id": company.id})


def uninstall_hook(env):
    """Odoo drops the addon's tables, not the SQL functions it created: drop them."""
    for name in SQL_FUNCTIONS:
        env.cr.execute(SQL("DROP FUNCTION IF EXISTS %s", SQL.identifier(name)))
