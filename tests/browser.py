"""A small driver for Debian's headless Chromium over the DevTools protocol, for the
journeys that leave Odoo's web client (Xero's consent page, our organisation choice)
and that an Odoo tour therefore cannot follow."""

import base64
import json
import resource
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import websocket


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unlimited_address_space():
    # Odoo's server limits its address space; Chromium reserves far more than that
    # (as Odoo's own browser tests also allow).
    resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


class Chromium:
    def __init__(self, width=1400, height=1000):
        self.port = _free_port()
        self.profile = tempfile.mkdtemp(prefix="xc-chromium-")
        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        if not binary:
            raise RuntimeError("Debian's chromium is needed for the browser tests")
        self.proc = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={self.profile}",
                f"--remote-debugging-port={self.port}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=open(f"{self.profile}.log", "wb"),  # noqa: SIM115 - read on failure
            preexec_fn=_unlimited_address_space,
        )
        self._seq = 0
        self.ws = websocket.create_connection(self._page_socket(), timeout=30)
        self.call("Page.enable")
        self.call("Network.enable")

    def _page_socket(self):
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json", timeout=2) as r:
                    tabs = json.load(r)
                pages = [t for t in tabs if t.get("type") == "page"]
                if pages:
                    return pages[0]["webSocketDebuggerUrl"]
            except OSError as exc:
                self._last_error = exc
            time.sleep(0.2)
        with open(f"{self.profile}.log", errors="replace") as log:
            detail = log.read()[-2000:]
        raise RuntimeError(
            f"chromium did not start (exit {self.proc.poll()}, "
            f"{getattr(self, '_last_error', None)}): {detail}"
        )

    def call(self, method, **params):
        self._seq += 1
        self.ws.send(json.dumps({"id": self._seq, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self._seq:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def js(self, expression):
        result = self.call(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if result.get("exceptionDetails"):
            raise AssertionError(f"script failed: {expression}\n{result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    def set_cookie(self, url, name, value):
        self.call("Network.setCookie", url=url, name=name, value=value)

    def goto(self, url):
        self.call("Page.navigate", url=url)

    def url(self):
        return self.js("window.location.href")

    def wait(self, expression, timeout=30, what=None):
        """Wait until `expression` is truthy in the page (across navigations)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                value = self.js(
                    f"(() => {{ try {{ const v = ({expression}); "
                    "return v instanceof Node ? true : v; } catch (e) { return null; } })()"
                )
            except (AssertionError, websocket.WebSocketTimeoutException):
                value = None
            if value:
                return value
            time.sleep(0.25)
        shot = f"{tempfile.gettempdir()}/xc-browser-timeout-{int(time.time())}.png"
        self.screenshot(shot)
        raise AssertionError(
            f"timed out waiting for {what or expression} at {self.url()} (screenshot: {shot})"
        )

    def click(self, selector, timeout=30):
        self.wait(f"document.querySelector({json.dumps(selector)})", timeout, selector)
        self.js(f"document.querySelector({json.dumps(selector)}).click()")

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))

    def close(self):
        try:
            self.ws.close()
        finally:
            self.proc.kill()
            self.proc.wait(timeout=10)
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
