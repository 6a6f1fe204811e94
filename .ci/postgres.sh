#!/usr/bin/env bash
# Start the machine's PostgreSQL (installing it if need be) and print a URL for the ledger's PostgreSQL
# tests. Exit 0 with the URL on stdout, or 1 with the reason on stderr: .ci/run decides whether that
# fails the build (it does with CI=true) or only skips those tests.
set -u
wait_seconds=${PG_WAIT_SECONDS:-30}
give_up() { echo "PostgreSQL not available: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || give_up "installing and starting the system PostgreSQL needs root (running as uid $(id -u))"
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || give_up "it is not installed and there is no apt-get to install it"
  apt-get install -y -q postgresql >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q postgresql >/dev/null 2>&1; } \
    || give_up "apt-get could not install the postgresql package"
  command -v pg_lsclusters >/dev/null 2>&1 || give_up "the postgresql package installed no pg_lsclusters"
fi
cluster=$(pg_lsclusters -h | head -n 1)
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)
  [ -n "$version" ] || give_up "no server version under /usr/lib/postgresql"
  pg_createcluster "$version" main >/dev/null 2>&1 || give_up "pg_createcluster $version main failed"
  cluster=$(pg_lsclusters -h | head -n 1)
fi
read -r version name port _ <<<"$cluster"
# Starting a running cluster fails harmlessly; whether it answers is what counts.
pg_ctlcluster "$version" "$name" start >/dev/null 2>&1 || true
for _ in $(seq 1 "$wait_seconds"); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$port" \
  || give_up "cluster $version/$name does not answer on port $port after ${wait_seconds}s" \
             "(see /var/log/postgresql/postgresql-$version-$name.log)"
psql_as_postgres() { su postgres -c "psql -p $port -qtAc \"$1\""; }
role=$(psql_as_postgres "SELECT 1 FROM pg_roles WHERE rolname = 'swo'") || give_up "psql as postgres failed"
[ "$role" = 1 ] || psql_as_postgres "CREATE ROLE swo LOGIN PASSWORD 'swo'" >/dev/null \
  || give_up "could not create the role swo"
database=$(psql_as_postgres "SELECT 1 FROM pg_database WHERE datname = 'swo_test'") || give_up "psql as postgres failed"
[ "$database" = 1 ] || psql_as_postgres "CREATE DATABASE swo_test OWNER swo" >/dev/null \
  || give_up "could not create the database swo_test"
echo "postgresql://swo:swo@127.0.0.1:${port}/swo_test"
