from . import res_company
from . import xero_connection
from . import xero_link
from . import xero_log
from . import xero_oauth_state
from . import res_config_settings
from . import res_partner
