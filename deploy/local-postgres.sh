#!/usr/bin/env bash
# A PostgreSQL of its own in a directory, to try the multi-worker layout on one machine (in production use
# your managed PostgreSQL): initdb and pg_ctl from the machine's PostgreSQL (15 or newer).
#
#   deploy/local-postgres.sh start DIR [PORT]   initialise DIR on first use, start it on 127.0.0.1:PORT (5433),
#                                               create the databases prefect and swo, print their URLs
#   deploy/local-postgres.sh stop DIR           stop it (the data stays in DIR)
#
# It trusts every local connection (no passwords): for trying things out only. PostgreSQL refuses to run as
# root, so as root the cluster runs as the user postgres (or nobody), which then owns DIR.
set -euo pipefail
usage() { echo "usage: $0 start DIR [PORT] | stop DIR" >&2; exit 2; }
die() { echo "$*" >&2; exit 1; }
command=${1:-}; dir=${2:-}; port=${3:-5433}
[ -n "$command" ] && [ -n "$dir" ] || usage

bindir=""
if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
  bindir=$(pg_config --bindir)
fi
if [ -z "$bindir" ]; then
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$newest" ] && [ -x "$newest/initdb" ] && bindir=$newest
fi
if [ -z "$bindir" ] && command -v initdb >/dev/null 2>&1; then
  bindir=$(dirname "$(command -v initdb)")
fi
[ -n "$bindir" ] || die "PostgreSQL's initdb and pg_ctl were not found (Debian: apt-get install postgresql)"

owner=$(id -un)
as_owner() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  owner=postgres
  id postgres >/dev/null 2>&1 || owner=nobody
  as_owner() { runuser -u "$owner" -- "$@"; }
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
case "$command" in
  start)
    [ "$(id -u)" = 0 ] && chown "$owner" "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || die "initdb failed; see $dir/initdb.log"
    fi
    if ! as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null \
        || die "PostgreSQL did not start on port $port; see $dir/postgres.log"
    fi
    port=$(sed -n 4p "$dir/data/postmaster.pid")  # the port it runs on, if it was already running
    for database in prefect swo; do
      exists=$("$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
               "SELECT 1 FROM pg_database WHERE datname = '$database'")
      [ "$exists" = 1 ] || "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE $database"
    done
    echo "PREFECT_SERVER_DATABASE_CONNECTION_URL=postgresql+asyncpg://postgres@127.0.0.1:$port/prefect"
    echo "SWO_LEDGER_URL=postgresql://postgres@127.0.0.1:$port/swo"
    ;;
  stop)
    [ -f "$dir/data/PG_VERSION" ] || die "$dir holds no PostgreSQL cluster"
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  *) usage ;;
esac
