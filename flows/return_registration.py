"""Return registration: Ongoing → Starweb, every return once, and the merchant's refund worklist.

Trigger: Ongoing webhooks of returned goods and received (return) purchase orders (each event-started
pass is a full one, see ``tasks.event_follow``), a poll every few minutes per merchant (deployment
``register-returns/<merchant>``; the backstop when webhooks are on), or on demand.
Sources, each from its own cursor: sales orders with returned units not yet acknowledged
(``lastReturnedFrom``), return orders with goods received (``goodsReturnedFromDate``), and return-type
inbound deliveries (``lastReceiveTimeFrom``), matched to their Starweb order by the reference the TPL
typed — never guessed. Target: a comment on the Starweb order listing lines, quantities and cause, the
merchant's return status (no customer email unless configured), the acknowledgement in Ongoing, Starweb
stock for the restocked SKUs, and the worklist (``returns-worklist-<merchant>``, ``swo returns list``).
Idempotency: a return's key hashes the source document's cumulative figures, and the ledger row (with
every decision) is written before anything reaches Starweb.
"""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

from prefect import flow

from domain.return_registration import ReturnStatuses
from ledger.types import utcnow
from tasks.cursors import advance_cursor
from tasks.event_follow import follow_events
from tasks.mapping_checks import check_ongoing_mappings
from tasks.reporting import RunReport, ends_with_attention_state, finish_run
from tasks.return_reads import STREAMS, fetch_return_causes, fetch_warehouse_returns, read_return_windows
from tasks.returns import (
    detect_new_returns,
    let_go_of_returns,
    match_to_starweb_orders,
    publish_return_worklist,
    record_returns,
    register_recorded_returns,
    warehouse_orders_behind,
)
from tasks.runtime import load_merchant
from tasks.shop_reads import fetch_status_table
from tasks.stock import sync_stock_for_skus


@flow(name="register-returns", flow_run_name="register-returns-{merchant_id}")
@ends_with_attention_state
async def register_returns(merchant_id: str, dry_run: bool = False,
                           event_at: datetime | None = None) -> dict[str, int]:
    """Register new returns in Starweb and acknowledge them in Ongoing; returns counts per result."""
    if event_at is not None:
        return await follow_events("register-returns", merchant_id, event_at,
                                   lambda _records: returns_pass(merchant_id, dry_run))
    return await returns_pass(merchant_id, dry_run)


async def returns_pass(merchant_id: str, dry_run: bool) -> dict[str, int]:
    """One pass over every source of returns, each from its own cursor."""
    merchant = load_merchant(merchant_id)
    await check_ongoing_mappings(merchant)
    report = RunReport("register-returns", merchant_id, dry_run)
    started, token = utcnow(), uuid4().hex
    table, shop_statuses = await fetch_status_table(merchant)
    statuses = ReturnStatuses.resolve(merchant.returns, table, shop_statuses)

    windows = read_return_windows(merchant)
    found = await fetch_warehouse_returns(merchant, windows)
    causes = await fetch_return_causes(merchant)
    detection = detect_new_returns(merchant, found, causes, dry_run)
    starweb_orders, matches = await match_to_starweb_orders(merchant, detection.returns)
    warehouse_orders = await warehouse_orders_behind(merchant, found, matches)
    recorded = record_returns(merchant, statuses, detection.returns, matches, starweb_orders, warehouse_orders,
                              token, dry_run)
    report.extend(detection.outcomes + recorded)
    try:
        results = await register_recorded_returns(merchant, token, dry_run)
    finally:
        let_go_of_returns(token)
    report.extend(results.outcomes)

    if results.skus:
        stock_outcomes, stock_unexpected = await sync_stock_for_skus(merchant, sorted(results.skus), dry_run)
        report.extend(stock_outcomes)
        results.unexpected += stock_unexpected
    if not dry_run:
        report.notes.append(f"Open on the returns worklist: {await publish_return_worklist(merchant_id)} "
                            f"(see returns-worklist-{merchant_id}, `swo returns list {merchant_id}`)")
    for stream in STREAMS:
        advance_cursor(merchant_id, stream, started, dry_run=dry_run)
    return await finish_run(report, detection.unexpected + results.unexpected)
