/** @odoo-module */

import { registry } from "@web/core/registry";

/**
 * A document's Xero state moves in the background (the export runs in a scheduled
 * action): when the server says so, an open form of that document reloads, unless the
 * user is editing it.
 */
export const xeroDocumentRefreshService = {
    dependencies: ["bus_service", "action"],

    start(env, { bus_service, action }) {
        bus_service.subscribe("xero_connector/document", ({ model, ids }) => {
            const controller = action.currentController;
            const props = controller?.props;
            if (!props || props.resModel !== model || controller.view?.type !== "form") {
                return;
            }
            if (!ids.includes(props.resId)) {
                return;
            }
            if (document.querySelector(".o_form_status_indicator_buttons:not(.invisible)")) {
                return; // unsaved changes: never interrupt an edit
            }
            action.restore(controller.jsId);
        });
    },
};

registry.category("services").add("xero_document_refresh", xeroDocumentRefreshService);
