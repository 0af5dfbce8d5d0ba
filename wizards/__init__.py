from . import xero_import_wizard
from . import xero_import_wizard_line
