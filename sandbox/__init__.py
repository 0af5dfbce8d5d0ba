"""A stateful local emulator of the Xero API (Identity, Accounting, webhooks) over HTTP."""

from .runner import Sandbox

__all__ = ["Sandbox"]
