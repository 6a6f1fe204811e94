#!/usr/bin/env bash
# Once, and again after any change of merchant files: make the Prefect server ready (`swo setup`, which
# checks every merchant file first: work pool and queues, every merchant's limits, the automation that
# crashes runs whose heartbeats stopped, the ledger's schema), render prefect.yaml from the merchant files
# and deploy every deployment from it to the work pool. Safe to run again.
# Settings: PREFECT_API_URL, SWO_LEDGER_URL, SWO_MERCHANTS_DIR; SWO_PREFECT_FILE is where the rendered
# deployments go (default prefect.yaml in SWO_STATE_DIR, .state: the committed prefect.yaml is the demo's).
source "$(dirname "$0")/lib.sh"
require PREFECT_API_URL "the Prefect server's API, e.g. http://prefect.internal:4200/api"
require SWO_LEDGER_URL "the shared ledger, postgresql://user:password@host:5432/swo"
require_postgresql SWO_LEDGER_URL
prefect_file=${SWO_PREFECT_FILE:-${SWO_STATE_DIR:-$SWO_ROOT/.state}/prefect.yaml}
mkdir -p "$(dirname "$prefect_file")"
"$SWO_BIN/swo" setup
"$SWO_BIN/swo" deployments render --output "$prefect_file"
cd "$SWO_ROOT"
"$SWO_BIN/prefect" --no-prompt deploy --all --prefect-file "$prefect_file"
echo "Deployed. Start workers with deploy/worker.sh on every machine that runs flows."
