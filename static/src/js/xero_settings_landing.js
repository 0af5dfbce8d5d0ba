/** @odoo-module */

import { onMounted } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";
import { patch } from "@web/core/utils/patch";
import { SettingsFormController } from "@web/webclient/settings_form_view/settings_form_controller";

export const XERO_SETTINGS_ANCHOR = "xero_connection_setting";

/**
 * Opens Settings on the Xero block (after connecting, testing or disconnecting), in
 * place of the current screen rather than on top of it.
 */
export async function openXeroSettings(env, action) {
    const actionService = env.services.action;
    const current = actionService.currentController;
    await actionService.doAction("xero_connector.xero_settings_action", {
        additionalContext: { xero_settings_anchor: action.params?.anchor || XERO_SETTINGS_ANCHOR },
        stackPosition: current ? "replaceCurrentAction" : undefined,
        clearBreadcrumbs: !current,
    });
}

registry.category("actions").add("xero_connector.settings", openXeroSettings);

/**
 * Settings opened for a Xero setting (the action's context, or a #xero_... link as
 * Odoo's own setting links) scroll to its block instead of staying at the top: Odoo
 * selects the app and highlights the setting, but leaves the page where it was.
 */
patch(SettingsFormController.prototype, {
    setup() {
        super.setup(...arguments);
        const hash = browser.location.hash.slice(1);
        const anchor =
            this.props.context?.xero_settings_anchor || (hash.startsWith("xero_") ? hash : "");
        if (!anchor) {
            return;
        }
        // After the settings page has restored its own scroll position (its effect
        // runs when it is mounted, before this parent's).
        onMounted(() => {
            const setting = this.rootRef.el?.querySelector(`#${CSS.escape(anchor)}`);
            if (!setting) {
                return;
            }
            const container = setting.closest(".o_settings_container");
            let title = container?.previousElementSibling;
            while (title && title.tagName !== "H2") {
                title = title.previousElementSibling;
            }
            (title || setting).scrollIntoView({ block: "start" });
            setting.classList.add("o_setting_highlight", "o_xero_landed");
            browser.setTimeout(() => setting.classList.remove("o_setting_highlight"), 5000);
        });
    },
});
