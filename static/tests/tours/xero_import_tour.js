/** @odoo-module */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("xero_connector_import_tour", {
    steps: () => [
        {
            content: "List the chart of accounts from Xero",
            trigger: ".modal button[name=action_search]",
            run: "click",
        },
        {
            content: "Xero's accounts are listed",
            trigger: ".modal .o_field_one2many .o_data_row td:contains('Business Bank Account')",
        },
        {
            content: "Choose the first account",
            trigger: ".modal .o_data_row:first-child td[name=selected] input:enabled",
            run: "click",
        },
        {
            content: "Import it",
            trigger: ".modal-footer button[name=action_import]",
            run: "click",
        },
        {
            content: "The wizard says what was imported",
            trigger: ".modal div[name=result]:contains('1 created')",
        },
    ],
});

// The accountant's journey: suppliers, a search sent to Xero, 100 at a time and Load
// more, import one, then Update finds nothing to update.
registry.category("web_tour.tours").add("xero_connector_import_journey_tour", {
    steps: () => [
        {
            content: "Choose Suppliers",
            trigger: ".modal .o_field_widget[name=object_type] input[data-value=contact]",
            run: "click",
        },
        {
            content: "Search by name",
            trigger: ".modal .o_field_widget[name=search] input",
            run: "edit Packaging",
        },
        {
            content: "Ask Xero",
            trigger: ".modal button[name=action_search]",
            run: "click",
        },
        {
            content: "Xero's matches are listed",
            trigger: ".modal .o_data_row td[name=name]:contains('Packaging')",
        },
        {
            content: "Only matches are listed",
            trigger: ".modal .o_field_one2many:not(:has(.o_data_row td[name=name]:not(:contains('Packaging'))))",
        },
        {
            content: "Clear the search",
            trigger: ".modal .o_field_widget[name=search] input",
            run: "clear",
        },
        {
            content: "List everything",
            trigger: ".modal button[name=action_search]",
            run: "click",
        },
        {
            content: "The first 100 are listed",
            trigger: ".modal .o_field_widget[name=line_count]:contains('100')",
        },
        {
            content: "One counter: no second pager on the list",
            trigger: ".modal .o_field_one2many:not(:has(.o_pager))",
        },
        {
            content: "Load more",
            trigger: ".modal button[name=action_load_more]",
            run: "click",
        },
        {
            content: "More than 100 are listed now",
            trigger: ".modal .o_field_widget[name=line_count]:not(:contains('100'))",
        },
        {
            content: "The loaded rows are all shown, not a page of them",
            trigger: ".modal .o_field_one2many .o_data_row:nth-child(101)",
        },
        {
            content: "The dialog keeps its title",
            trigger: ".modal .modal-title:contains('Import from Xero')",
        },
        {
            content: "Choose the first supplier",
            trigger: ".modal .o_data_row:first-child td[name=selected] input:enabled",
            run: "click",
        },
        {
            content: "Import it",
            trigger: ".modal-footer button[name=action_import]",
            run: "click",
        },
        {
            content: "The wizard says what was imported",
            trigger: ".modal div[name=result]:contains('1 ')",
        },
        {
            content: "Update from Xero",
            trigger: ".modal button[name=action_update]",
            run: "click",
        },
        {
            content: "Nothing changed in Xero since",
            trigger: ".modal div[name=result]:contains('Nothing to update')",
        },
        {
            content: "Choose another type",
            trigger: ".modal .o_field_widget[name=object_type] input[data-value=tax]",
            run: "click",
        },
        {
            content: "The suppliers listed before are gone: Import cannot act on them",
            trigger: ".modal:not(:has(.o_data_row)):not(:has(button[name=action_import]))",
        },
        {
            content: "Close the dialog",
            trigger: ".modal-footer button:contains('Close')",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
