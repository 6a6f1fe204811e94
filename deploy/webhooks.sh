#!/usr/bin/env bash
# The webhook receiver (`swo webhooks serve`): stateless, so run one or several behind any HTTP load
# balancer; what it accepts goes to the Prefect server as events and to the shared ledger.
# Settings: PREFECT_API_URL, SWO_LEDGER_URL, SWO_MERCHANTS_DIR, the merchants' webhook secrets;
# SWO_WEBHOOKS_HOST (0.0.0.0) and SWO_WEBHOOKS_PORT (8803).
source "$(dirname "$0")/lib.sh"
require PREFECT_API_URL "the Prefect server's API, e.g. http://prefect.internal:4200/api"
require SWO_LEDGER_URL "the shared ledger, postgresql://user:password@host:5432/swo"
require_postgresql SWO_LEDGER_URL
exec "$SWO_BIN/swo" webhooks serve --host "${SWO_WEBHOOKS_HOST:-0.0.0.0}" --port "${SWO_WEBHOOKS_PORT:-8803}"
