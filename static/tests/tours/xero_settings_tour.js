/** @odoo-module */

import { registry } from "@web/core/registry";

function wholeValueShown(anchor, what) {
    const span = anchor.querySelector("span");
    if (!span || !span.innerText.trim() || span.scrollWidth > span.clientWidth) {
        throw new Error(`${what} is cut: "${span?.innerText}"`);
    }
}

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
        {
            content: "Same words as the connection form: Redirect URI",
            trigger: "#xero_connection_setting label:contains('Redirect URI')",
        },
        {
            content: "The Redirect URI is shown whole, with a copy button",
            trigger: "#xero_connection_setting .o_field_widget[name=xero_redirect_url]:has(.o_clipboard_button)",
            run() {
                wholeValueShown(this.anchor, "The Redirect URI");
            },
        },
        {
            content: "The Webhook URL is shown whole",
            trigger: "#xero_connection_setting .o_field_widget[name=xero_webhook_url]",
            run() {
                wholeValueShown(this.anchor, "The Webhook URL");
            },
        },
        {
            content: "No Xero Endpoint outside sandbox mode",
            trigger:
                "#xero_connection_setting:has([name=xero_client_id]):not(:has([name=xero_endpoint_url]))",
        },
        {
            content: "Purchase orders are off: no mode shown for them",
            trigger:
                ".o_xero_document_row[data-document=purchase_order]:contains('Not sent to Xero'):not(:has([name=xero_purchase_order_mode]))",
        },
        {
            content: "Vendor bills are on: their mode is on their row",
            trigger:
                ".o_xero_document_row[data-document=vendor_bill]:has([name=xero_vendor_bill_mode] select)",
        },
        {
            content: "Send purchase orders to Xero",
            trigger: ".o_xero_document_row[data-document=purchase_order] [name=xero_export_purchase_order] input",
            run: "click",
        },
        {
            content: "Their mode appears on their row",
            trigger:
                ".o_xero_document_row[data-document=purchase_order]:has([name=xero_purchase_order_mode] select)",
        },
        {
            content: "The Xero status of the documents sent, in the same place",
            trigger: "#xero_documents_setting [name=xero_document_status] select",
        },
        {
            content: "Leave the settings as they were",
            trigger: ".o_form_button_cancel",
            run: "click",
        },
        {
            content: "Nothing left unsaved",
            trigger: "body:not(:has(.o_dirty_warning))",
        },
    ],
});
