#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests and benchmarks: start | stop | url | status.
#
#   url=$(scripts/pg_test_server.sh start)    # installs Debian's postgresql when missing
#   CLUSTERFY_TEST_PG_URL=$url python -m pytest tests/test_history.py
#   scripts/pg_test_server.sh stop            # stops it and deletes its data
#
# The cluster lives in $CLUSTERFY_PG_DIR (default: /tmp/clusterfy-pg-test), listens only on a
# Unix socket in that folder (no TCP port, nothing reachable from outside), trusts local
# connections, and runs with fsync off: it is for tests, never for data you want to keep.
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
set -euo pipefail

DIR="${CLUSTERFY_PG_DIR:-${TMPDIR:-/tmp}/clusterfy-pg-test}"
DATA="$DIR/data"
LOG="$DIR/server.log"

die() { echo "pg_test_server: $*" >&2; exit 1; }

pg_bin() {
    # Debian keeps the server programs out of PATH, under /usr/lib/postgresql/<version>/bin.
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$found" ] && [ -x "$found/pg_ctl" ]; then echo "$found"; return; fi
    if command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v pg_ctl)"; return; fi
    return 1
}

install_server() {
    pg_bin >/dev/null && return 0
    [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed; run as root, or: sudo apt-get install -y postgresql"
    command -v apt-get >/dev/null || die "PostgreSQL is not installed and apt-get is not available; install it"
    echo "pg_test_server: installing Debian's postgresql package…" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2 || die "apt-get install postgresql failed"
    pg_bin >/dev/null || die "postgresql installed but pg_ctl was not found"
}

as_owner() {
    # Run a server program as the data folder's owner: postgres when we are root.
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

url() { echo "postgresql://postgres@/postgres?host=$DIR"; }

is_running() { [ -f "$DATA/postmaster.pid" ] && as_owner "$(pg_bin)/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

start() {
    install_server
    local bin; bin=$(pg_bin)
    if is_running; then url; return; fi
    rm -rf "$DIR"
    mkdir -p "$DIR"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir "$DIR" --shell /usr/sbin/nologin postgres
        chown postgres: "$DIR"
    fi
    as_owner "$bin/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --no-sync >"$DIR/initdb.log" 2>&1 \
        || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
    as_owner "$bin/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
        -o "-k $DIR -c listen_addresses= -c fsync=off -c full_page_writes=off -c max_connections=200" start >&2 \
        || { cat "$LOG" >&2; die "the server did not start (log above)"; }
    url
}

stop() {
    local bin
    if bin=$(pg_bin) && is_running; then
        as_owner "$bin/pg_ctl" -D "$DATA" -m fast -w stop >&2 || true
    fi
    rm -rf "$DIR"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) is_running || die "not running; use: $0 start"; url ;;
    status) if is_running; then echo "running: $(url)"; else echo "stopped"; exit 1; fi ;;
    *) echo "usage: $0 start|stop|url|status" >&2; exit 2 ;;
esac
