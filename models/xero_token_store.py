"""The Odoo side of the client's token store protocol (see xero/token_store.py)."""

import logging

import psycopg2
from psycopg2.extras import Json

from odoo import SUPERUSER_ID, api

from ..xero import ReconnectNeeded, XeroTransientError

_logger = logging.getLogger(__name__)

LOCK_TIMEOUT_MS = 15000


class OdooTokenStore:
    """Tokens live on the xero.connection row and are rotated under a row lock.

    Reads and writes use a cursor of their own, committed at once: a rotated refresh
    token must survive a rollback of the business transaction that asked for it, or
    the next call would present a refresh token Xero has already replaced.
    """

    def __init__(self, connection):
        self.connection_id = connection.id
        self.env = connection.env
        self.registry = connection.env.registry

    def load(self):
        # Pending ORM writes reach the database first (they are visible to the other
        # cursor only in tests, where both share one transaction).
        self.env.flush_all()
        with self.registry.cursor() as cr:
            cr.execute("SELECT token_data FROM xero_connection WHERE id = %s", [self.connection_id])
            row = cr.fetchone()
        return dict(row[0]) if row and row[0] else None

    def refresh(self, refresher):
        self.env.flush_all()
        for attempt in range(1, 4):
            try:
                return self._refresh_locked(refresher)
            except psycopg2.errors.SerializationFailure as exc:
                # Another worker renewed the token while this one waited for the lock;
                # a fresh transaction sees its result (and usually needs no call).
                if attempt == 3:
                    raise XeroTransientError("the Xero token is being renewed; try again") from exc
        return None

    def _refresh_locked(self, refresher):
        with self.registry.cursor() as cr:
            try:
                # Wait for a refresh in progress elsewhere, then re-read its result.
                # NO KEY UPDATE: the sync log written meanwhile (another cursor) points to
                # this row, and its foreign-key check must not wait for this lock.
                cr.execute("SET LOCAL lock_timeout = %s", [LOCK_TIMEOUT_MS])
                cr.execute(
                    "SELECT token_data FROM xero_connection WHERE id = %s FOR NO KEY UPDATE",
                    [self.connection_id],
                )
            except psycopg2.errors.LockNotAvailable as exc:
                raise XeroTransientError(
                    "another worker is renewing the Xero token; try again"
                ) from exc
            row = cr.fetchone()
            current = dict(row[0]) if row and row[0] else None
            try:
                new = refresher(current)
            except ReconnectNeeded as exc:
                cr.rollback()
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["xero.connection"].browse(self.connection_id)._mark_reconnect_needed(
                    exc.message
                )
                env.flush_all()
                cr.commit()
                raise
            if new is not current:
                cr.execute(
                    "UPDATE xero_connection SET token_data = %s, write_date = now() WHERE id = %s",
                    [Json(new), self.connection_id],
                )
                cr.commit()
            return dict(new) if new else new
