#!/usr/bin/env bash
# make chaos: three Odoo servers (odoo-bin, 2 workers and 2 cron workers each) on one
# database export bills, purchase orders, payments and supplier edits by their own crons
# while the sandbox fails calls and two servers are killed with SIGKILL and restarted;
# then a token race. Prints "name: value" lines (see bench/chaos.py).
# CHAOS_SCALE=0.1 make chaos runs a tenth of the work.
source "$(dirname "$0")/lib.sh"
prepare
CHAOS_DB="${XC_CHAOS_DB:-xc_chaos}"
fresh_db "$CHAOS_DB" nodemo
export ODOO_CONF ODOO_PATH
cd "$REPO/bench"
"$PY" chaos.py "$CHAOS_DB"
