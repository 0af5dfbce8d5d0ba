#!/usr/bin/env bash
# Upgrade check: install the addon as it is at git ref FROM (default: main) in a
# throwaway database, change what a user may change on the scheduled jobs, store a
# payment sync cursor the old way, then upgrade (-u) to this working tree and compare.
#   scripts/check_upgrade.sh [FROM] [INSTALLED_VERSION]
# INSTALLED_VERSION (default 18.0.1.1.0) is written as the installed version before the
# upgrade so that the migrations/ scripts newer than it run, as on a production database.
source "$(dirname "$0")/lib.sh"
FROM="${1:-main}"
INSTALLED="${2:-18.0.1.1.0}"
DB="${XC_UPGRADE_DB:-xc_upgrade_check}"
prepare
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; drop_db "$DB"' EXIT
mkdir -p "$WORK/addons/xero_connector"
git -C "$REPO" archive "$FROM" | tar -x -C "$WORK/addons/xero_connector"
sed "s#$ADDONS_LINK_DIR#$WORK/addons#" "$ODOO_CONF" > "$WORK/old.conf"
tpl=$(ensure_template_db nodemo)
drop_db "$DB"
createdb -T "$tpl" "$DB"
say "Installing xero_connector at $FROM into $DB"
"$PY" "$ODOO_PATH/odoo-bin" -c "$WORK/old.conf" -d "$DB" -i xero_connector \
    --stop-after-init --log-level=warn >"$BUILD/upgrade-install.log" 2>&1 \
    || die "install failed: $BUILD/upgrade-install.log"
q() { psql -d "$DB" -Atqc "$1"; }
cron() { echo "(SELECT res_id FROM ir_model_data WHERE module='xero_connector' AND name='$1')"; }
q "UPDATE ir_cron SET active = NOT active WHERE id IN ($(cron ir_cron_xero_update), $(cron ir_cron_xero_webhook_events))"
q "UPDATE ir_cron SET interval_number = 7 WHERE id = $(cron ir_cron_xero_payment_sync)"
q "INSERT INTO ir_config_parameter (key, value, create_uid, write_uid, create_date, write_date)
   SELECT 'xero_connector.sync_cursor.' || min(id), '{\"payments\": \"2026-03-04T05:06:07\"}',
          1, 1, now(), now() FROM xero_connection"
q "UPDATE ir_module_module SET latest_version = '$INSTALLED' WHERE name = 'xero_connector'"
SNAP="SELECT d.name, d.res_id, c.active, c.interval_number, c.interval_type
        FROM ir_model_data d JOIN ir_cron c ON c.id = d.res_id
       WHERE d.module = 'xero_connector' AND d.model = 'ir.cron' ORDER BY d.name"
q "$SNAP" >"$WORK/before"
say "Upgrading $DB to this working tree"
odoo_bin -d "$DB" -u xero_connector --stop-after-init --log-level=info \
    >"$BUILD/upgrade-update.log" 2>&1 || die "upgrade failed: $BUILD/upgrade-update.log"
q "$SNAP" >"$WORK/after"
status=0
if diff "$WORK/before" "$WORK/after"; then
    echo "crons: $(wc -l <"$WORK/after") kept with their ids, active flags and intervals"
else
    echo "crons changed by the upgrade (before < > after)"; status=1
fi
cursor=$(q "SELECT modified_since FROM xero_sync_state WHERE object_type = 'payments'")
if [ "$cursor" = "2026-03-04 05:06:07" ]; then
    echo "payment sync cursor kept: $cursor"
else
    echo "payment sync cursor lost (got '$cursor')"; status=1
fi
exit "$status"
