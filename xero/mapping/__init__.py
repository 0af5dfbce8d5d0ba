"""Odoo values <-> Xero payloads, as plain functions over plain dicts (no Odoo imports)."""
