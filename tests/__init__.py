from . import test_connection
from . import test_install
from . import test_link
from . import test_oauth_http
from . import test_security
from . import test_lifecycle
from . import test_settings_tour
from . import test_token_race
