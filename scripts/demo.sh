#!/usr/bin/env bash
# make demo: Odoo with the addon and demo data on http://localhost:8069, wired to the
# local Xero sandbox on http://127.0.0.1:8765. Ctrl-C stops everything it started.
source "$(dirname "$0")/lib.sh"
ODOO_PORT="${ODOO_PORT:-8069}"
SANDBOX_PORT="${SANDBOX_PORT:-8765}"
DEMO_DB="${DEMO_DB:-xc_demo}"

port_free() { "$PY" -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1])))" "$1" 2>/dev/null; }

prepare
port_free "$ODOO_PORT" || die "Port $ODOO_PORT is taken: stop what listens there or run ODOO_PORT=8070 make demo."
has_sandbox=0
[ -f "$REPO/sandbox/__main__.py" ] && has_sandbox=1
if [ $has_sandbox = 1 ]; then
    port_free "$SANDBOX_PORT" || die "Port $SANDBOX_PORT (Xero sandbox) is taken: stop what listens there or set SANDBOX_PORT."
fi

if db_exists "$DEMO_DB"; then
    say "Updating xero_connector in $DEMO_DB"
    odoo_bin -d "$DEMO_DB" -u xero_connector --stop-after-init --log-level=warn \
        >"$BUILD/update-$DEMO_DB.log" 2>&1 || { tail -30 "$BUILD/update-$DEMO_DB.log"; die "Update failed."; }
else
    fresh_db "$DEMO_DB" demo
fi

pids=()
cleanup() {
    trap - INT TERM EXIT
    say "Stopping"
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

WEBHOOK_KEY="demo-webhook-key"
if [ $has_sandbox = 1 ]; then
    ( cd "$REPO" && exec "$PY" -m sandbox --host 127.0.0.1 --port "$SANDBOX_PORT" \
        --webhook-url "http://127.0.0.1:$ODOO_PORT/xero/webhook" --webhook-key "$WEBHOOK_KEY" \
        >"$BUILD/sandbox.log" 2>&1 ) &
    pids+=($!)
    say "Pointing the demo company at the Xero sandbox"
    XC_SANDBOX_URL="http://127.0.0.1:$SANDBOX_PORT" XC_ODOO_URL="http://localhost:$ODOO_PORT" \
        XC_WEBHOOK_KEY="$WEBHOOK_KEY" odoo_shell -d "$DEMO_DB" --no-http --log-level=warn \
        < "$REPO/scripts/demo_setup.py" >"$BUILD/demo-setup.log" 2>&1 \
        || { tail -20 "$BUILD/demo-setup.log"; die "Demo setup failed; see $BUILD/demo-setup.log"; }
fi

odoo_bin -d "$DEMO_DB" --db-filter="^$DEMO_DB\$" --http-port="$ODOO_PORT" \
    --log-level=warn >"$BUILD/odoo-demo.log" 2>&1 &
pids+=($!)

up() { "$PY" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" "$1" 2>/dev/null; }
for _ in $(seq 90); do up "http://localhost:$ODOO_PORT/web/login" && break; sleep 1; done
up "http://localhost:$ODOO_PORT/web/login" || die "Odoo did not start; see $BUILD/odoo-demo.log"

cat <<TXT

  xero_connector demo is running.

  Odoo            http://localhost:$ODOO_PORT      login: admin   password: admin
  Xero sandbox    http://127.0.0.1:$SANDBOX_PORT/      the emulated Xero: organisations, documents, Pay buttons

  Try it:
   1. Connect:  Invoicing > Configuration > Settings > Xero > "Connect to Xero"
                (http://localhost:$ODOO_PORT/odoo/action-xero_connector.xero_settings_action);
                tick "Demo Company (Global)" on the consent page and allow.
   2. Import:   Invoicing > Xero > Import from Xero: accounts, tax rates, suppliers, items
                (search, load more, import).
   3. Export:   Purchase > a draft RFQ > Confirm Order. Within seconds it is on the
                sandbox page, Awaiting Approval. Post the draft bill DEMO-BILL-1: same.
   4. Pay:      on the sandbox page, "Approve" the bill (as a Xero user would), then
                "Pay" it: within seconds Odoo shows it paid (webhook).
   5. Fix:      Invoicing > Vendors > Bills > DEMO-TAX-NOT-IN-XERO: post it, read the
                error banner (also in the Sync Log and your activities), Reset to Draft,
                change the tax to one imported from Xero, Confirm: it goes to Xero.
   Watch it all under Invoicing > Xero (overview, sync log, webhook events).

  Logs: $BUILD/odoo-demo.log, $BUILD/sandbox.log.   Ctrl-C stops everything.

TXT
wait
