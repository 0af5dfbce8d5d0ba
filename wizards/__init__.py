from . import xero_import_wizard
from . import xero_import_wizard_line
from . import xero_document_preview
from . import xero_document_preview_line
