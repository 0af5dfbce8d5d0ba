#!/usr/bin/env bash
source "$(dirname "$0")/lib.sh"
if command -v psql >/dev/null && psql -d postgres -Atqc "select 1" >/dev/null 2>&1; then
    for db in $(psql -d postgres -Atqc "select datname from pg_database where datname like 'xc\_%'"); do
        say "Dropping database $db"; dropdb --force "$db"
    done
fi
rm -rf "$VENV" "$BUILD"
