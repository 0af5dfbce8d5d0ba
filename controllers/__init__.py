from . import xero_oauth
from . import xero_webhook
