#!/usr/bin/env bash
# Start the machine's PostgreSQL and print a URL for the ledger's PostgreSQL tests (nothing if impossible).
set -u
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get install -y -q postgresql >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 \
      && apt-get install -y -q postgresql >/dev/null 2>&1; }) || true
  fi
fi
command -v pg_lsclusters >/dev/null 2>&1 || exit 0
[ "$(id -u)" = 0 ] || exit 0
cluster=$(pg_lsclusters -h | head -n 1)
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  pg_createcluster "$version" main >/dev/null 2>&1 || exit 0
  cluster=$(pg_lsclusters -h | head -n 1)
fi
read -r version name port _ <<<"$cluster"
pg_ctlcluster "$version" "$name" start >/dev/null 2>&1 || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$port" || exit 0
psql_as_postgres() { su postgres -c "psql -p $port -qtAc \"$1\""; }
[ "$(psql_as_postgres "SELECT 1 FROM pg_roles WHERE rolname = 'swo'")" = 1 ] \
  || psql_as_postgres "CREATE ROLE swo LOGIN PASSWORD 'swo'" >/dev/null
[ "$(psql_as_postgres "SELECT 1 FROM pg_database WHERE datname = 'swo_test'")" = 1 ] \
  || psql_as_postgres "CREATE DATABASE swo_test OWNER swo" >/dev/null
echo "postgresql://swo:swo@127.0.0.1:${port}/swo_test"
