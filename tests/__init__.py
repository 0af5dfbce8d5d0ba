from . import test_connection
from . import test_install
from . import test_link
from . import test_lifecycle
from . import test_settings_tour
from . import test_import_ensure_contacts
from . import test_export_bills
from . import test_export_invoices
