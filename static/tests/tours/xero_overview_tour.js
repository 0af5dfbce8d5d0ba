/** @odoo-module */

import { registry } from "@web/core/registry";

// A new administrator opens the Overview: what to do next, one connection line, and a
// number that opens its documents under a filter they can see and remove.
registry.category("web_tour.tours").add("xero_connector_overview_tour", {
    steps: () => [
        {
            content: "The checklist says connecting is still to do, with its button",
            trigger: ".o_xero_onboarding .o_xero_step_connect[data-done='0'] button.o_xero_action_open_settings",
        },
        {
            content: "Choosing documents is done (bills are sent)",
            trigger: ".o_xero_onboarding .o_xero_step_documents[data-done='1']",
        },
        {
            content: "One connection line below the cards, none on the cards",
            trigger: "body:not(:has(.o_kanban_record footer)):has(.o_xero_overview_footer:contains('Not connected'))",
        },
        {
            content: "The bills' card has one error",
            trigger: ".o_kanban_record:contains('Vendor Bills') .o_xero_error:contains('1')",
            run: "click",
        },
        {
            content: "The list shows the error filter",
            trigger: ".o_list_view .o_searchview_facet:contains('Xero error')",
        },
        {
            content: "It lists the bill in error",
            trigger: ".o_list_view .o_data_row:contains('OVERVIEW-ERR')",
        },
        {
            content: "The filter can be removed",
            trigger: ".o_searchview_facet:contains('Xero error') .o_facet_remove",
            run: "click",
        },
        {
            content: "Now every posted bill is listed",
            trigger: ".o_list_view:not(:has(.o_searchview_facet:contains('Xero error'))) .o_data_row:contains('OVERVIEW-OK')",
        },
        {
            content: "Back to the Overview",
            trigger: ".o_breadcrumb a:contains('Xero Overview')",
            run: "click",
        },
        {
            content: "Open the chart of documents sent and errors per day",
            trigger: ".o_xero_overview_actions button.o_xero_activity",
            run: "click",
        },
        {
            content: "The chart, the last 30 days",
            trigger: ".o_graph_view .o_searchview_facet:contains('Last 30 days')",
        },
    ],
});
