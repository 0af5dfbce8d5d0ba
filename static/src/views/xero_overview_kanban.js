/** @odoo-module */

import { Component, onWillStart, useState } from "@odoo/owl";
import { deserializeDateTime, formatDateTime } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { kanbanView } from "@web/views/kanban/kanban_view";
import { KanbanRenderer } from "@web/views/kanban/kanban_renderer";

/** The block above the Overview's cards (onboarding checklist until done, actions for
 * every type of documents, the chart's figures) and the one connection line below them. */
export class XeroOverviewPanel extends Component {
    static template = "xero_connector.XeroOverviewPanel";
    static props = { part: String, panel: Object };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
    }

    formatWhen(value) {
        return value ? formatDateTime(deserializeDateTime(value)) : "";
    }

    async run(method) {
        const action = await this.orm.call("xero.overview", method, []);
        if (action) {
            await this.action.doAction(action, {
                onClose: () => this.action.doAction({ type: "ir.actions.client", tag: "soft_reload" }),
            });
        }
    }
}

export class XeroOverviewRenderer extends KanbanRenderer {
    static template = "xero_connector.XeroOverviewRenderer";
    static components = { ...KanbanRenderer.components, XeroOverviewPanel };

    setup() {
        super.setup();
        this.xeroOrm = useService("orm");
        this.xero = useState({ panel: null });
        onWillStart(async () => {
            this.xero.panel = await this.xeroOrm.call("xero.overview", "get_overview_panel", []);
        });
    }
}

registry.category("views").add("xero_overview_kanban", {
    ...kanbanView,
    Renderer: XeroOverviewRenderer,
});
