/** @odoo-module */

import { registry } from "@web/core/registry";

// A buyer confirms a request for quotation: it becomes a purchase order queued for Xero.
registry.category("web_tour.tours").add("xero_connector_po_approve_tour", {
    steps: () => [
        {
            content: "Confirm the order",
            trigger: ".o_form_view button[name=button_confirm]",
            run: "click",
        },
        {
            content: "It is a purchase order now",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Purchase Order')",
        },
        {
            content: "Open the Xero tab",
            trigger: ".o_notebook_headers .nav-link:contains('Xero')",
            run: "click",
        },
        {
            content: "Queued for Xero",
            trigger: ".o_field_widget[name=xero_state]:contains('Queued')",
        },
    ],
});

// After the export ran: the order shows "Sent" and has left "Not sent to Xero".
registry.category("web_tour.tours").add("xero_connector_po_sent_tour", {
    steps: () => [
        {
            content: "Our order is in the list",
            trigger: ".o_list_view .o_data_row td:contains('Journey Supplier')",
        },
        {
            content: "Its Xero badge says Sent",
            trigger: ".o_data_row:has(td:contains('Journey Supplier')) .o_field_widget[name=xero_state]:contains('Sent')",
        },
        {
            content: "Open the filters",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Filter: Not sent to Xero",
            trigger: ".o_filter_menu .o-dropdown-item:contains('Not sent to Xero')",
            run: "click",
        },
        {
            content: "The filter is applied",
            trigger: ".o_searchview_facet:contains('Not sent to Xero')",
        },
        {
            content: "Our order is no longer listed",
            trigger: ".o_action_manager:not(:has(.o_data_row td:contains('Journey Supplier')))",
        },
    ],
});
