"""Odoo values <-> Xero payloads: plain functions, dicts in and out, no ORM."""
