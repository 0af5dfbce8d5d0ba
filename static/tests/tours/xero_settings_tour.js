/** @odoo-module */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("xero_connector_settings_tour", {
    url: "/odoo/settings",
    steps: () => [
        {
            content: "Open the Invoicing settings",
            trigger: ".settings_tab [data-key='account']",
            run: "click",
        },
        {
            content: "The Xero block is there",
            trigger: ".o_settings_container:has(#xero_connection_setting)",
        },
        {
            content: "It is titled Xero",
            trigger: "h2:contains('Xero')",
        },
    ],
});
