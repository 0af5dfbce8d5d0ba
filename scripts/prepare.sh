#!/usr/bin/env bash
# Prepare the virtualenv, PostgreSQL, chromium and the addons path (idempotent).
source "$(dirname "$0")/lib.sh"
prepare
say "Ready: $PY, Odoo at $ODOO_PATH, config $ODOO_CONF"
