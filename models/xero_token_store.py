"""The Odoo side of the client's token store protocol (see xero/token_store.py)."""

import logging

import psycopg2
from psycopg2.extras import Json

from odoo import SUPERUSER_ID, api

from ..xero import ReconnectNeeded, XeroTransientError

_logger = logging.getLogger(__name__)

LOCK_TIMEOUT_MS = 15000


class OdooTokenStore:
    """Tokens live in their own xero.token row and are rotated under a lock of that row.

    Reads and writes use a cursor of their own, committed at once: a rotated refresh
    token must survive a rollback of the business transaction that asked for it, or
    the next call would present a refresh token Xero has already replaced. The
    business transaction never writes the xero.token row, so the lock is never held by
    the very transaction waiting for the renewed token (it may have written the
    connection row: connecting, then reading the organisation, does).
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
            cr.execute(
                "SELECT token_data FROM xero_token WHERE connection_id = %s", [self.connection_id]
            )
            row = cr.fetchone()
        return dict(row[0]) if row and row[0] else None

    def save(self, token):
        """Store ``token`` (None forgets it), committed at once."""
        self.env.flush_all()
        with self.registry.cursor() as cr:
            cr.execute("SET LOCAL lock_timeout = %s", [LOCK_TIMEOUT_MS])
            written = self._write(cr, token)
            cr.commit()
        if not written:
            # The connection itself is not committed yet (created in this transaction):
            # its tokens go with it.
            tokens = self.env["xero.token"].sudo()
            row = tokens.search([("connection_id", "=", self.connection_id)])
            if row:
                row.token_data = token or False
            else:
                tokens.create({"connection_id": self.connection_id, "token_data": token or False})

    def _write(self, cr, token):
        cr.execute(
            """
            INSERT INTO xero_token (connection_id, company_id, token_data,
                                    create_uid, write_uid, create_date, write_date)
            SELECT c.id, c.company_id, %s, %s, %s, now() at time zone 'utc',
                   now() at time zone 'utc'
              FROM xero_connection c WHERE c.id = %s
            ON CONFLICT (connection_id) DO UPDATE
               SET token_data = EXCLUDED.token_data, write_uid = EXCLUDED.write_uid,
                   write_date = EXCLUDED.write_date
            """,
            [
                Json(token) if token else None,
                self.env.uid,
                self.env.uid,
                self.connection_id,
            ],
        )
        return cr.rowcount

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
                    "SELECT token_data FROM xero_token WHERE connection_id = %s FOR UPDATE",
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
                self._mark_reconnect_needed(cr, exc.message)
                raise
            if new is not current:
                self._write(cr, new)
                cr.commit()
            return dict(new) if new else new

    def _mark_reconnect_needed(self, cr, reason):
        """Say so on the connection, in this cursor (committed) unless the business
        transaction holds the connection row: then in that transaction."""
        try:
            cr.execute("SET LOCAL lock_timeout = %s", [LOCK_TIMEOUT_MS // 5])
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["xero.connection"].browse(self.connection_id)._mark_reconnect_needed(reason)
            env.flush_all()
            cr.commit()
        except psycopg2.errors.LockNotAvailable:
            cr.rollback()
            self.env["xero.connection"].browse(self.connection_id).sudo()._mark_reconnect_needed(
                reason
            )
