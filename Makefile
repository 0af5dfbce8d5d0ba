# xero_connector: everyday commands. ODOO_PATH points to an Odoo 18.0 tree (default /opt/odoo18).
.PHONY: demo test lint prepare clean help bench chaos

help:
	@echo "make demo     Odoo with the addon and demo data on http://localhost:8069 (Ctrl-C stops)"
	@echo "make test     the whole test suite (sandbox, client, addon, browser tours)"
	@echo "make lint     ruff"
	@echo "make bench    export/import/payments figures against the sandbox at Xero's limits"
	@echo "make chaos    3 Odoo servers, failing Xero calls, 2 servers killed; exactly once? (CHAOS_SCALE=0.1)"
	@echo "make clean    remove .venv, .build and the project's databases"

prepare:
	@bash scripts/prepare.sh

demo:
	@bash scripts/demo.sh

test:
	@bash scripts/test.sh $(ARGS)

lint:
	@bash scripts/lint.sh

bench:
	@bash scripts/bench.sh $(ARGS)

chaos:
	@bash scripts/chaos.sh

clean:
	@bash scripts/clean.sh
