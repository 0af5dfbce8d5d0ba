#!/usr/bin/env bash
# make bench: the benchmarks under bench/ in a database of their own, against the Xero
# sandbox with Xero's real limits (60 calls/minute, 5 at once) on a scaled clock.
# Prints one figure per line as "name: value". XC_BENCH_TIME_SCALE sets the clock scale.
source "$(dirname "$0")/lib.sh"
prepare
BENCH_DB="${XC_BENCH_DB:-xc_bench}"
fresh_db "$BENCH_DB" nodemo
export ODOO_CONF
cd "$REPO/bench"
"$PY" run.py "$BENCH_DB" "$@"
