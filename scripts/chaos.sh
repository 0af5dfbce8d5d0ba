#!/usr/bin/env bash
# make chaos: 1,000 bills exported through failing Xero calls and two SIGKILLed Odoo
# workers, then a token race; prints "name: value" lines (see bench/chaos.py).
source "$(dirname "$0")/lib.sh"
prepare
CHAOS_DB="${XC_CHAOS_DB:-xc_chaos}"
fresh_db "$CHAOS_DB" nodemo
export ODOO_CONF
cd "$REPO/bench"
"$PY" chaos.py "$CHAOS_DB"
