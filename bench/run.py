"""make bench: rate limiter cost, export, import and payments benchmarks against the
sandbox with Xero's real limits. Prints one ``name: value`` per line.
Usage: run.py DB [phase ...]

One phase alone: ``make bench ARGS=payments`` (the payments phase exports the bills it
needs itself when the export phase did not run)."""

import sys

import common
from common import connect, figure, install_limiter, note, start_odoo, start_sandbox

from odoo import SUPERUSER_ID, api


def main(db, phases):
    registry = start_odoo(db)
    waits = install_limiter()
    sandbox = start_sandbox()
    note(f"sandbox {sandbox.url}, time scale {common.TIME_SCALE}")
    refused = 0
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            connection = connect(env, sandbox)
            connection_id = connection.id
        if "export" in phases:
            import export_docs

            refused += export_docs.bench(registry, sandbox, waits, connection_id)
        if "import" in phases:
            import import_contacts

            refused += import_contacts.bench(registry, sandbox, waits, connection_id)
        if "limiter" in phases:
            import limiter_cost

            refused += limiter_cost.bench(registry)
        if "payments" in phases:
            import payments_sync

            refused += payments_sync.bench(registry, sandbox, waits, connection_id)
        if "reconcile" in phases:
            import reconcile

            refused += reconcile.bench(registry, sandbox, waits, connection_id)
        figure("http_429_count", refused)
        violations = sandbox.violations()
        if violations:
            note(f"sandbox saw {len(violations)} spec violations: {violations[:3]}")
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:] or ["limiter", "export", "import", "payments", "reconcile"])
