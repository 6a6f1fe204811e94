#!/usr/bin/env bash
# The Prefect server of a multi-worker installation, on PostgreSQL (it migrates its database on start).
# Settings (environment or SWO_ENV_FILE): PREFECT_SERVER_DATABASE_CONNECTION_URL, and Prefect's own
# PREFECT_SERVER_API_HOST / PREFECT_SERVER_API_PORT / PREFECT_UI_API_URL. Runs in the foreground: start
# it from systemd, supervisord or a terminal. One server process serves many workers; several server
# processes behind a load balancer need Redis as well (Prefect's docs, "self-hosted" / "scaling").
source "$(dirname "$0")/lib.sh"
require PREFECT_SERVER_DATABASE_CONNECTION_URL "the Prefect server's PostgreSQL, postgresql+asyncpg://user:password@host:5432/prefect"
require_postgresql PREFECT_SERVER_DATABASE_CONNECTION_URL
export PREFECT_SERVER_ANALYTICS_ENABLED=${PREFECT_SERVER_ANALYTICS_ENABLED:-false}
exec "$SWO_BIN/prefect" server start
