"""An administrator connects the company in a real browser: Settings, Xero's consent
page (the sandbox's), our page to choose between two organisations, back to Settings."""

from odoo.tests import tagged

from ..controllers.xero_oauth import SETTINGS_URL
from .browser import Chromium
from .common import SECOND_ORG, XeroHttpCase

# The Settings page scrolled down to the Xero block (its top in the upper half).
ON_THE_BLOCK = (
    "(() => { const s = document.querySelector('.o_setting_container .settings');"
    " const b = document.querySelector('#xero_connection_setting');"
    " const top = b && b.getBoundingClientRect().top;"
    " return s && b && s.scrollTop > 0 && top >= 0 && top < window.innerHeight / 2"
    " && {scrollTop: s.scrollTop, top: top}; })()"
)


@tagged("post_install", "-at_install")
class TestJourneyConnect(XeroHttpCase):
    def test_admin_connects_choosing_between_two_organisations(self):
        session = self.authenticate("admin", "admin")
        base = self.base_url()
        with Chromium() as browser:
            browser.set_cookie(base, "session_id", session.sid)
            # The link back to Settings of our error pages opens them on the Xero block.
            browser.goto(base + SETTINGS_URL)
            browser.wait("document.querySelector('#xero_connection_setting')", what="Xero block")
            browser.wait(ON_THE_BLOCK, what="the Xero block scrolled into view")
            self.assertIn(
                "Not connected",
                browser.js("document.querySelector('#xero_connection_setting').innerText"),
            )
            browser.click("button[name=action_xero_connect]")
            # Xero's consent page: both organisations ticked, allow.
            browser.wait(f"location.href.startsWith({self.sandbox.url!r})", what="consent page")
            browser.wait("document.querySelectorAll('input[type=checkbox]').length == 2")
            browser.js(
                "document.querySelectorAll('input[type=checkbox]').forEach(c => c.checked = true)"
            )
            browser.click("button[value=allow], input[value=allow], button[type=submit]")
            # Our page: two organisations, nothing chosen for the admin.
            browser.wait("document.querySelector('form.o_xero_choose_tenant')", what="choice page")
            labels = browser.js(
                "[...document.querySelectorAll('form.o_xero_choose_tenant label')]"
                ".map(l => l.innerText.trim())"
            )
            self.assertEqual(len(labels), 2)
            # The test shares its cursor with Odoo's HTTP server: read the database only
            # once the page has loaded everything it asked the server for.
            browser.wait("document.readyState === 'complete'", what="choice page loaded")
            self.connection.invalidate_recordset()
            self.assertEqual(self.connection.state, "draft")
            browser.js(
                "[...document.querySelectorAll('form.o_xero_choose_tenant label')]"
                f".find(l => l.innerText.includes({SECOND_ORG!r})).querySelector('input').click()"
            )
            browser.click("form.o_xero_choose_tenant button[type=submit]")
            # Back in Settings, on the Xero block (not at the top of Settings), told which
            # organisation was connected.
            browser.wait("document.querySelector('#xero_connection_setting')", what="Settings")
            notice = browser.wait(
                "[...document.querySelectorAll('.o_notification')].map(n => n.innerText)"
                ".find(t => t.includes('Connected to Xero organisation'))",
                what="notification naming the organisation",
            )
            self.assertIn(SECOND_ORG, notice)
            landed = browser.wait(ON_THE_BLOCK, what="the Xero block scrolled into view")
            self.assertGreater(landed["scrollTop"], 0)
            text = browser.wait(
                "document.querySelector('#xero_connection_setting').innerText.includes('Connected')"
                " && document.querySelector('#xero_connection_setting').innerText",
                what="connected badge",
            )
            self.assertIn(SECOND_ORG, text)
            # Test connection: its answer, and Settings open again on the same block.
            browser.js("document.querySelector('#xero_connection_setting').dataset.seen = 1")
            browser.click("button[name=action_xero_test]")
            browser.wait(
                "[...document.querySelectorAll('.o_notification')]"
                ".some(n => n.innerText.includes('Xero answered'))",
                what="test connection answer",
            )
            browser.wait(
                "document.querySelector('#xero_connection_setting:not([data-seen])')",
                what="Settings opened again",
            )
            browser.wait(ON_THE_BLOCK, what="the Xero block still in view")
            browser.wait("document.readyState === 'complete'", what="Settings loaded")
        self.connection.invalidate_recordset()
        self.assertEqual(self.connection.state, "connected")
        self.assertEqual(self.connection.tenant_name, SECOND_ORG)
