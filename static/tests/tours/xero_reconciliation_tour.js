/** @odoo-module */

import { registry } from "@web/core/registry";

// The accountant starts the month's reconciliation; it runs in the background.
registry.category("web_tour.tours").add("xero_connector_recon_run_tour", {
    steps: () => [
        {
            content: "Run the reconciliation",
            trigger: ".o_form_view button.o_xero_recon_run",
            run: "click",
        },
        {
            content: "It waits for the background job, with its progress",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Waiting')",
        },
        {
            content: "Progress is shown",
            trigger: ".o_form_view .o_field_widget[name=progress_message]:contains('Waiting to start')",
        },
    ],
});

// The accountant reopens the finished run, opens what is in Odoo only and resends it.
registry.category("web_tour.tours").add("xero_connector_recon_fix_tour", {
    steps: () => [
        {
            content: "The run is done",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Done')",
        },
        {
            content: "Open the documents in Odoo only",
            trigger: ".o_form_view button.o_xero_recon_odoo_only:contains('1')",
            run: "click",
        },
        {
            content: "The bill not sent is listed with the reason",
            trigger: ".o_list_view .o_data_row td[name=reason]:contains('Not sent to Xero')",
        },
        {
            content: "Resend it",
            trigger: ".o_list_view .o_data_row button.o_xero_recon_resend",
            run: "click",
        },
        {
            content: "The result says it was sent again",
            trigger: ".o_list_view .o_data_row td[name=fixed]:contains('Sent again')",
        },
    ],
});
