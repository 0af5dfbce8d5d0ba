from . import res_company
from . import xero_connection
from . import xero_link
from . import xero_log
from . import xero_oauth_state
from . import xero_webhook_event
from . import res_config_settings
