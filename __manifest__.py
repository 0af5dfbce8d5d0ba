{
    "name": "Xero Connector",
    "summary": "Send purchase orders, bills, invoices and credit notes to Xero; "
    "import Xero master data; sync payments both ways",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "xero_connector developers",
    "website": "https://github.com/xero-connector/xero_connector",
    "license": "LGPL-3",
    "depends": ["purchase", "account"],
    "external_dependencies": {"python": ["xero_python"]},
    "data": [
        "security/xero_connector_security.xml",
        "security/ir.model.access.csv",
        "data/mail_activity_type_data.xml",
        "data/ir_cron.xml",
        "views/xero_connection_views.xml",
        "views/xero_log_views.xml",
        "views/xero_webhook_event_views.xml",
        "views/xero_oauth_templates.xml",
        "views/xero_menus.xml",
        "views/res_config_settings_views.xml",
<<<<<<< HEAD
        "data/ir_cron_data.xml",
        "views/account_move_views.xml",
        "views/purchase_order_views.xml",
=======
>>>>>>> import
        "views/xero_import_wizard_views.xml",
        "views/xero_integrated_views.xml",
    ],
    "post_init_hook": "post_init_hook",
    "assets": {
        "web.assets_tests": [
            "xero_connector/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
