"""Build xero-python ``ApiClient`` objects without the SDK's traps.

- a fresh ``Configuration()`` per client, token assigned afterwards (the class is a
  pseudo-singleton: passing the token to the constructor can return another client's);
- urllib3 retries disabled, so a timed-out PUT is never re-sent behind our back and a
  429 never makes the worker sleep Retry-After (hours for the daily limit);
- the Authorization header comes from our token store: the SDK's own refresh path
  (hard-coded identity.xero.com URLs, no locking) is never used.
"""

import math
import threading

import xero_python
from xero_python.api_client import ApiClient
from xero_python.api_client.configuration import Configuration
from xero_python.api_client.oauth2 import OAuth2Token

from .errors import ReconnectNeeded

USER_AGENT = f"xero_connector (xero-python {xero_python.__version__})"


class _StoreBackedToken(OAuth2Token):
    """SDK token object whose header value is the access token chosen by our code."""

    def __init__(self, client_id, client_secret):
        super().__init__(client_id=client_id, client_secret=client_secret)
        self._local = threading.local()

    def use(self, access_token):
        self._local.access_token = access_token

    def create_auth_settings(self, api_client):
        access_token = getattr(self._local, "access_token", None)
        if not access_token:
            raise ReconnectNeeded("no access token")
        return {
            "type": "oauth2",
            "in": "header",
            "key": "Authorization",
            "value": f"Bearer {access_token}",
        }

    def refresh_access_token(self, api_client):  # pragma: no cover - never reached
        raise ReconnectNeeded("refresh must go through the token store")


def int_timeout(timeout):
    """Return ``timeout`` as int or (int, int): the SDK silently ignores floats."""
    if isinstance(timeout, (tuple, list)):
        connect, read = timeout
        return (max(1, math.ceil(connect)), max(1, math.ceil(read)))
    return max(1, math.ceil(timeout))


def build_api_client(client_id=None, client_secret=None):
    """Return ``(api_client, token)``; call ``token.use(access_token)`` before each call."""
    configuration = Configuration()
    token = _StoreBackedToken(client_id, client_secret)
    configuration.oauth2_token = token
    configuration.connection_pool_maxsize = 5  # Xero allows 5 concurrent calls per org
    api_client = ApiClient(configuration)
    api_client.user_agent = USER_AGENT
    pool_manager = api_client.rest_client.pool_manager
    pool_manager.connection_pool_kw["retries"] = False
    pool_manager.clear()
    return api_client, token
