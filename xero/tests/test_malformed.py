"""Answers that are not Xero JSON give clear errors, never a crash.

The sandbox has no fault for malformed bodies, so a tiny local HTTP server plays a broken
proxy in front of Xero (real HTTP, the real client code path).
"""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from xero import (
    MemoryTokenStore,
    RateLimiter,
    XeroClient,
    XeroResponseError,
    XeroTransientError,
    normalize_token,
)

HTML = b"<html><body><h1>502 Bad Gateway</h1><p>cloudflare</p></body></html>"
GOOD = json.dumps({"Organisations": [{"Name": "Proxy Org", "OrganisationStatus": "NEW_ONE"}]})


class Broken(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.server.hits += 1
        status, ctype, body, declared = self.server.script.pop(0)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(declared or len(body)))
        self.end_headers()
        self.wfile.write(body)
        if declared:  # promised more bytes than sent: close mid-body
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def broken():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Broken)
    server.script, server.hits = [], 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    server.server_close()


def client_for(server):
    token = normalize_token({"access_token": "at", "refresh_token": "rt", "scope": "x"})
    return XeroClient(
        "tenant",
        MemoryTokenStore(token),
        "cid",
        "secret",
        api_url=server.url,
        limiter=RateLimiter(),
        backoff=0.05,
    )


def test_html_page_with_200_is_a_response_error(broken):
    broken.script = [(200, "text/html", HTML, None)]
    with pytest.raises(XeroResponseError) as err:
        client_for(broken).get_organisation()
    assert "HTML page" in err.value.user_message() and "cloudflare" not in str(err.value)
    assert not err.value.retryable


def test_truncated_json_is_a_response_error(broken):
    broken.script = [(200, "application/json", GOOD.encode()[:40], None)]
    with pytest.raises(XeroResponseError, match="cut off or is not valid JSON"):
        client_for(broken).get_organisation()


def test_html_gateway_error_is_retried_then_reported_briefly(broken):
    broken.script = [(502, "text/html", HTML, None)] * 4
    with pytest.raises(XeroTransientError) as err:
        client_for(broken).get_organisation()
    assert broken.hits == 4 and "HTML error page" in err.value.message
    assert "<html>" not in err.value.user_message()


def test_body_cut_by_the_connection_is_retried(broken):
    body = GOOD.encode()
    broken.script = [
        (200, "application/json", body[:30], len(body)),
        (200, "application/json", body, None),
    ]
    org = client_for(broken).get_organisation()
    assert broken.hits == 2
    assert org["OrganisationStatus"] == "NEW_ONE", "unknown enum values pass through untouched"
