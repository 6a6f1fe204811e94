"""Receipt tracking: purchase orders received in Ongoing → deviations reported, stock synced to Starweb.

Trigger: Ongoing purchase-order webhooks (from "Deflection" or "Received" on; each event-started pass is
a full one, see ``tasks.event_follow``), a poll every quarter of an hour or so per merchant (deployment
``track-receipts/<merchant>``; the backstop when webhooks are on), or on demand. Source:
Ongoing purchase orders received into or changed since the cursor (``lastReceiveTimeFrom``,
``purchaseOrderStatusChangedTimeFrom``), plus every one with receipts not yet acknowledged
(``onlyPurchaseOrdersWithOrderLinesToReport``). Per line: received as advised, under, over, or an article
that was never advised. Target: a table artifact ``purchase-order-deviations-<merchant>``, the run's
markdown summary and one ``swo.purchase-order.deviation`` event per deviating purchase order; then
``reportedNumberOfItems`` in Ongoing, then Starweb's stock of the received SKUs. Return-type purchase
orders are left to the returns flow. Idempotency: each receipt's snapshot is recorded in the ledger and
reported once; an acknowledged line no longer shows as to report.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from prefect import flow

from ledger.types import utcnow
from tasks.cursors import advance_cursor, read_window_start
from tasks.event_follow import follow_events
from tasks.mapping_checks import check_ongoing_mappings
from tasks.receipts import fetch_received_purchase_orders, publish_deviations, report_receipts, summary_notes
from tasks.reporting import RunReport, ends_with_attention_state, finish_run
from tasks.runtime import load_merchant
from tasks.stock import sync_stock_for_skus

STREAM = "ongoing-purchase-order-receipts"
OVERLAP = timedelta(minutes=10)
FIRST_RUN = timedelta(days=7)


@flow(name="track-receipts", flow_run_name="track-receipts-{merchant_id}")
@ends_with_attention_state
async def track_receipts(merchant_id: str, dry_run: bool = False,
                         event_at: datetime | None = None) -> dict[str, int]:
    """Report new receipts and their deviations, acknowledge them, sync the stock; returns counts."""
    if event_at is not None:
        return await follow_events("track-receipts", merchant_id, event_at,
                                   lambda _records: receipts_pass(merchant_id, dry_run))
    return await receipts_pass(merchant_id, dry_run)


async def receipts_pass(merchant_id: str, dry_run: bool) -> dict[str, int]:
    """One pass over the purchase orders received or changed since the cursor and those still to report."""
    merchant = load_merchant(merchant_id)
    await check_ongoing_mappings(merchant)
    report = RunReport("track-receipts", merchant_id, dry_run)
    started = utcnow()
    since = read_window_start(merchant_id, STREAM, overlap=OVERLAP, first_run=FIRST_RUN)

    received = await fetch_received_purchase_orders(merchant, since)
    result = await report_receipts(merchant, received, dry_run)
    report.extend(result.outcomes)
    report.notes += summary_notes(result)
    await publish_deviations(merchant_id, result.reported)

    unexpected = result.unexpected
    if result.skus:
        stock_outcomes, stock_unexpected = await sync_stock_for_skus(merchant, sorted(result.skus), dry_run)
        report.extend(stock_outcomes)
        unexpected = unexpected + stock_unexpected
    advance_cursor(merchant_id, STREAM, started, dry_run=dry_run)
    return await finish_run(report, unexpected)
