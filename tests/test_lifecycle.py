"""Install and uninstall the addon in a database of its own, as an administrator would."""

import os
import subprocess
import sys
from pathlib import Path

import odoo
from odoo.tests import BaseCase, tagged
from odoo.tools import config

ODOO_BIN = str(Path(odoo.__path__[0]).parent / "odoo-bin")


def _lifecycle_db():
    """A database of its own, named after the test database (runs can share a server)."""
    return str(config["db_name"]).split(",")[0] + "_lifecycle"


def _psql(db, sql):
    out = subprocess.run(
        ["psql", "-d", db, "-Atqc", sql], check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def _odoo(command, *args, stdin=None):
    db = _lifecycle_db()
    cmd = [sys.executable, ODOO_BIN, command, "-c", config.rcfile, "-d", db, "--no-http", *args]
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=900)
    if proc.returncode:
        raise AssertionError(f"odoo-bin {command} {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return proc


@tagged("post_install", "-at_install")
class TestLifecycle(BaseCase):
    """Runs outside the test transaction: it drives separate Odoo processes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.db = _lifecycle_db()
        subprocess.run(["dropdb", "--if-exists", "--force", cls.db], check=True)
        template = os.environ.get("XC_TEMPLATE_DB")
        if template:
            subprocess.run(["createdb", "-T", template, cls.db], check=True)
        cls.addClassCleanup(subprocess.run, ["dropdb", "--if-exists", "--force", cls.db])

    def test_install_then_uninstall_leaves_nothing_behind(self):
        _odoo("server", "-i", "xero_connector", "--stop-after-init")
        state = _psql(self.db, "select state from ir_module_module where name='xero_connector'")
        self.assertEqual(state, "installed")
        self.assertNotEqual(
            _psql(self.db, "select count(*) from ir_model_data where module='xero_connector'"), "0"
        )

        script = (
            "env['ir.module.module'].search([('name', '=', 'xero_connector')])"
            ".button_immediate_uninstall()\nenv.cr.commit()\n"
        )
        _odoo("shell", stdin=script)

        state = _psql(self.db, "select state from ir_module_module where name='xero_connector'")
        self.assertEqual(state, "uninstalled")
        self.assertEqual(
            _psql(self.db, "select count(*) from ir_model_data where module='xero_connector'"), "0"
        )
        self.assertEqual(
            _psql(self.db, "select count(*) from ir_model where model like 'xero.%'"), "0"
        )
        leftover_tables = _psql(
            self.db,
            "select string_agg(tablename, ',') from pg_tables where tablename like 'xero\\_%'",
        )
        self.assertEqual(leftover_tables, "")
