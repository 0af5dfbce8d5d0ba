"""Handlers for the emulated Xero Accounting API, one module per resource family."""

from . import contacts, invoices, payments, settings
from .payments import pay_from_control as payments_pay

ROUTES = settings.ROUTES + contacts.ROUTES + invoices.ROUTES + payments.ROUTES

__all__ = ["ROUTES", "payments_pay"]
