"""pytest plugin used by scripts/test.sh: keeps a copy of every xero.log row the test
run writes (JSON lines in $XC_LOG_ROWS), so that scan_secrets.py can check them after
the run. Test transactions are rolled back, so the table itself keeps almost nothing;
this observer records the rows as they are created and changes nothing else."""

import json
import os


def pytest_sessionstart(session):
    path = os.environ.get("XC_LOG_ROWS")
    if not path:
        return
    from odoo import api
    from odoo.addons.xero_connector.models.xero_log import XeroLog

    original = XeroLog.create

    @api.model_create_multi
    def create(self, vals_list):
        records = original(self, vals_list)
        with open(path, "a", encoding="utf-8") as rows:
            for vals in vals_list:
                rows.write(json.dumps(vals, default=str) + "\n")
        return records

    XeroLog.create = create
