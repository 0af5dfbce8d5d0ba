"""Handlers for the emulated Xero Accounting API, one module per resource family."""

from . import (
    attachments,
    contacts,
    credit_notes,
    history,
    invoices,
    payments,
    purchase_orders,
    reports,
    settings,
    tracking,
)
from .payments import pay_from_control as payments_pay

ROUTES = (
    settings.ROUTES
    + tracking.ROUTES
    + contacts.ROUTES
    + invoices.ROUTES
    + credit_notes.ROUTES
    + purchase_orders.ROUTES
    + payments.ROUTES
    + history.ROUTES
    + attachments.ROUTES
    + reports.ROUTES
)

__all__ = ["ROUTES", "payments_pay"]
