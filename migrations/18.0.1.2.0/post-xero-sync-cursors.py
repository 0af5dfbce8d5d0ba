"""The payment sync's cursors (how far Xero's payments, invoices and credit notes were
read) move from system parameters to xero.sync.state, where every cursor of the addon
is kept: one row per connection and object type."""

import json
import logging

_logger = logging.getLogger(__name__)

PARAM_PREFIX = "xero_connector.sync_cursor."
OBJECT_TYPES = ("payments", "invoices", "credit_notes")


def migrate(cr, version):
    cr.execute(
        "SELECT id, key, value FROM ir_config_parameter WHERE key LIKE %s",
        [PARAM_PREFIX.replace("_", r"\_") + "%"],
    )
    rows = cr.fetchall()
    for param_id, key, value in rows:
        connection_id = key[len(PARAM_PREFIX) :]
        try:
            cursors = json.loads(value or "{}")
        except ValueError:
            cursors = None
        if not connection_id.isdigit() or not isinstance(cursors, dict):
            _logger.warning("Xero sync cursor %s not understood: left as it is", key)
            continue
        for object_type, stamp in cursors.items():
            if object_type not in OBJECT_TYPES or not stamp:
                continue
            # The newest of both wins if a cursor was already kept in the table.
            cr.execute(
                """
                INSERT INTO xero_sync_state (connection_id, company_id, object_type,
                       modified_since, create_uid, write_uid, create_date, write_date)
                SELECT c.id, c.company_id, %s, %s::timestamp, 1, 1,
                       now() at time zone 'utc', now() at time zone 'utc'
                  FROM xero_connection c
                 WHERE c.id = %s
                ON CONFLICT (connection_id, object_type) DO UPDATE
                   SET modified_since = GREATEST(xero_sync_state.modified_since,
                                                 EXCLUDED.modified_since)
                """,
                [object_type, stamp, int(connection_id)],
            )
        cr.execute("DELETE FROM ir_config_parameter WHERE id = %s", [param_id])
