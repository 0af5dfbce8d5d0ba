# The Odoo parts load only when Odoo imports the addon (as odoo.addons.xero_connector).
# The plain packages beside them, xero/ (the API client) and sandbox/ (the Xero
# emulator), are also imported on their own by their tests and scripts, without Odoo.
if __name__.startswith("odoo.addons."):
    from . import controllers
    from . import models
    from . import wizards
    from .hooks import post_init_hook, uninstall_hook
