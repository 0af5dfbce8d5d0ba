# Shared helpers for the project's scripts (sourced, not executed).
# Everything here is idempotent: a second run skips what is already done.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ODOO_PATH="${ODOO_PATH:-/opt/odoo18}"
VENV="$REPO/.venv"
PY="$VENV/bin/python"
BUILD="$REPO/.build"
ADDONS_LINK_DIR="$BUILD/addons"
ODOO_CONF="$BUILD/odoo.conf"
PG_VERSION="${PG_VERSION:-15}"
PG_CLUSTER="${PG_CLUSTER:-main}"
DB_USER="${DB_USER:-$(id -un)}"
export PGHOST="${PGHOST:-/var/run/postgresql}"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf '\033[31mERROR:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        die "'$*' needs root and sudo is not available."
    fi
}

# Odoo 18 must live outside the repo, at ODOO_PATH.
check_odoo() {
    if [ ! -f "$ODOO_PATH/odoo-bin" ] || [ ! -d "$ODOO_PATH/odoo/addons/base" ]; then
        die "Odoo 18.0 was not found at ODOO_PATH=$ODOO_PATH.
       Put an Odoo 18.0 (Community) source tree there, or point to one:
           export ODOO_PATH=/path/to/odoo18   (the folder that holds odoo-bin)"
    fi
    local version
    version=$(sed -n "s/^version_info = (\([0-9]*\), \([0-9]*\).*/\1.\2/p" \
        "$ODOO_PATH/odoo/release.py" | head -1)
    [ "$version" = "18.0" ] || die "ODOO_PATH=$ODOO_PATH holds Odoo $version; Odoo 18.0 is needed."
}

# A stamp file records the hash of the inputs of a step, so that the step reruns
# only when those inputs change.
stamp_ok() { [ -f "$BUILD/$1.stamp" ] && [ "$(cat "$BUILD/$1.stamp")" = "$2" ]; }
stamp_set() { mkdir -p "$BUILD"; echo "$2" > "$BUILD/$1.stamp"; }

ensure_venv() {
    local want
    want=$(cat "$REPO"/requirements*.txt | sha1sum | cut -c1-16)
    if [ -x "$PY" ] && stamp_ok venv "$want"; then return; fi
    say "Installing Python dependencies into .venv"
    command -v python3.11 >/dev/null || command -v python3 >/dev/null \
        || die "Python 3.11 is needed (python3.11 or python3 on PATH)."
    local base_py
    base_py=$(command -v python3.11 || command -v python3)
    [ -x "$PY" ] || "$base_py" -m venv "$VENV"
    "$PY" -m pip install -q --upgrade pip wheel "setuptools<81"
    "$PY" -m pip install -q -r "$REPO/requirements-odoo18.txt" -r "$REPO/requirements.txt" \
        -r "$REPO/requirements-test.txt"
    stamp_set venv "$want"
}

ensure_chromium() {
    command -v chromium >/dev/null && return
    say "Installing Debian's chromium (headless browser tests)"
    as_root apt-get update -qq >/dev/null || die "apt-get update failed: cannot install chromium."
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null \
        || die "Could not install Debian's chromium package (needed for the browser tests)."
}

ensure_postgres() {
    if ! command -v pg_ctlcluster >/dev/null; then
        say "Installing PostgreSQL $PG_VERSION"
        { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
            as_root apt-get install -y -qq "postgresql-$PG_VERSION"; } >/dev/null \
            || die "PostgreSQL $PG_VERSION is not installed and could not be installed with apt-get."
    fi
    if ! pg_lsclusters -h 2>/dev/null | grep -q "^$PG_VERSION $PG_CLUSTER "; then
        say "Creating PostgreSQL cluster $PG_VERSION/$PG_CLUSTER"
        as_root pg_createcluster "$PG_VERSION" "$PG_CLUSTER" >/dev/null
    fi
    if ! pg_lsclusters -h | grep "^$PG_VERSION $PG_CLUSTER " | grep -q online; then
        say "Starting PostgreSQL $PG_VERSION/$PG_CLUSTER"
        as_root pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start \
            || die "PostgreSQL $PG_VERSION/$PG_CLUSTER did not start (see /var/log/postgresql/)."
    fi
    [ "$DB_USER" != postgres ] || die "Odoo refuses the 'postgres' role: run as another user or set DB_USER."
    if ! as_root su postgres -c "psql -Atqc \"select 1 from pg_roles where rolname='$DB_USER'\"" \
        | grep -q 1; then
        say "Creating PostgreSQL role $DB_USER"
        as_root su postgres -c "createuser --superuser '$DB_USER'"
    fi
}

# Odoo imports the addon as odoo.addons.xero_connector whatever the clone's folder is
# called: a symlink named xero_connector in a build folder on the addons path.
ensure_addon_link() {
    # Odoo's own package importable from the virtualenv (pytest-odoo imports it).
    "$PY" -c 'import site, sys; print(site.getsitepackages()[0])' \
        | { read -r sp; echo "$ODOO_PATH" > "$sp/odoo18_path.pth"; }
    mkdir -p "$ADDONS_LINK_DIR"
    ln -sfn "$REPO" "$ADDONS_LINK_DIR/xero_connector"
    cat > "$ODOO_CONF" <<EOF
[options]
addons_path = $ODOO_PATH/addons,$ODOO_PATH/odoo/addons,$ADDONS_LINK_DIR
data_dir = $BUILD/data
db_user = $DB_USER
db_host = False
list_db = True
max_cron_threads = 1
EOF
}

prepare() {
    check_odoo
    ensure_venv
    ensure_postgres
    ensure_chromium
    ensure_addon_link
}

odoo_bin() { "$PY" "$ODOO_PATH/odoo-bin" -c "$ODOO_CONF" "$@"; }
odoo_shell() { "$PY" "$ODOO_PATH/odoo-bin" shell -c "$ODOO_CONF" "$@"; }

db_exists() { psql -d postgres -Atqc "select 1 from pg_database where datname='$1'" | grep -q 1; }

drop_db() {
    if db_exists "$1"; then dropdb --force "$1"; fi
    rm -rf "$BUILD/data/filestore/$1"
}

# A database with Odoo's base apps installed (account, purchase), kept as a template
# so that each fresh database is a fast copy plus the install of this addon. The test
# template adds stock valuation (stock_account, and purchase_stock with it): the addon
# must leave the cost Odoo computes alone (about 25 s once, when the template is made).
ensure_template_db() {
    local demo="$1" name key modules="account,purchase" extra=""
    if [ "$demo" = nodemo ]; then
        modules="$modules,stock_account"
        extra="$modules"  # a new name: existing test templates lack stock_account
    fi
    key=$( { cat "$ODOO_PATH/odoo/release.py"; echo "$demo"; [ -z "$extra" ] || echo "$extra"; } \
        | sha1sum | cut -c1-8)
    name="xc_tpl_${demo}_$key"
    if ! db_exists "$name"; then
        say "Creating template database $name ($modules; once)"
        drop_db "$name"
        local demo_opt=(--without-demo=all)
        [ "$demo" = demo ] && demo_opt=(--without-demo=)
        odoo_bin -d "$name" -i "$modules" "${demo_opt[@]}" --stop-after-init \
            --log-level=warn >"$BUILD/template-$name.log" 2>&1 \
            || { drop_db "$name"; die "Creating $name failed; see $BUILD/template-$name.log"; }
    fi
    echo "$name"
}

# fresh_db NAME demo|nodemo : a new database with the addon installed.
fresh_db() {
    local db="$1" demo="$2" tpl
    tpl=$(ensure_template_db "$demo")
    say "Creating database $db with xero_connector installed"
    drop_db "$db"
    # A template being copied by another run cannot be copied at the same time: retry.
    local try
    for try in 1 2 3 4 5 6; do
        createdb -T "$tpl" "$db" 2>/dev/null && break
        [ "$try" = 6 ] && die "Could not copy $tpl into $db (is something connected to $tpl?)"
        sleep 3
    done
    if [ -d "$BUILD/data/filestore/$tpl" ]; then
        mkdir -p "$BUILD/data/filestore"
        cp -a "$BUILD/data/filestore/$tpl" "$BUILD/data/filestore/$db"
    fi
    odoo_bin -d "$db" -i xero_connector --stop-after-init --log-level=warn \
        >"$BUILD/install-$db.log" 2>&1 \
        || { tail -40 "$BUILD/install-$db.log" >&2; die "Installing xero_connector into $db failed."; }
}
