#!/usr/bin/env bash
# One worker of the connector's process work pool: it takes runs from the pool's queues (orders first)
# and runs each in a process of its own, up to SWO_WORKER_LIMIT (4) at a time. Start as many as the load
# needs, on as many machines as you like; each needs the connector installed (`make install`), the
# merchant files and the merchants' credentials.
# Settings: PREFECT_API_URL, SWO_LEDGER_URL (the shared PostgreSQL ledger), SWO_MERCHANTS_DIR,
# the credential variables; optional SWO_WORKER_NAME, SWO_WORKER_LIMIT, SWO_WORK_QUEUES ("orders stock").
source "$(dirname "$0")/lib.sh"
require PREFECT_API_URL "the Prefect server's API, e.g. http://prefect.internal:4200/api"
require SWO_LEDGER_URL "the shared ledger, postgresql://user:password@host:5432/swo"
require_postgresql SWO_LEDGER_URL
queues=()
for queue in ${SWO_WORK_QUEUES:-}; do queues+=(--work-queue "$queue"); done
exec "$SWO_BIN/prefect" worker start --pool swo --type process \
  --name "${SWO_WORKER_NAME:-$(hostname)-$$}" --limit "${SWO_WORKER_LIMIT:-4}" "${queues[@]}"
