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
