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
# The server settings `swo run` uses too (SERVER_DEFAULTS in swo/prefect_server.py, docs/performance.md):
# task-run states written in batches (up to 2 s late in the UI), no pause expirations (no flow pauses a
# run), the cleanup reconciler once a minute. Each yields to a value already set.
export PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE=${PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE:-100}
export PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL=${PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL:-2}
export PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED=${PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED:-false}
export PREFECT_SERVER_SERVICES_CLEANUP_RECONCILER_LOOP_SECONDS=${PREFECT_SERVER_SERVICES_CLEANUP_RECONCILER_LOOP_SECONDS:-60}
exec "$SWO_BIN/prefect" server start
