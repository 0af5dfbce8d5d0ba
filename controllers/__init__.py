from . import xero_oauth
