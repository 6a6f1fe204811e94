"""New-order export: Starweb → Ongoing.

Trigger: Starweb order webhooks (the run then takes the orders the events name, see
``tasks.event_follow``), a backstop poll per merchant (deployment ``export-orders/<merchant>``), or on demand.
Source: Starweb orders in an exportable status (by default new and paid) modified since the cursor (or
only ``order_ids``), plus quarantined orders due for another try. Target: Ongoing ``PUT /orders``, then
the initial status "open, in stock" or "open, backordered" from the warehouse's sellable stock.
Idempotency: the Ongoing order number (prefix + Starweb orderId) is the upsert key, and the ledger
binding makes an exported order skip every later run. Before sending, the run claims each order in the
ledger (a concurrent run skips it) and looks its number up in Ongoing (one ``GET /orders`` per 100
orders): an order the warehouse already holds — a first activation over the previous integration's
orders, or an order whose binding a lost or locked ledger never kept — is adopted, never sent again.
The first run (the merchant's first activation) shows its progress as the
``export-orders-<merchant>-progress`` artifact.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from prefect import flow

from domain.order_export import plan_exports, select_for_export, settle_quarantined
from domain.order_mapping import order_lines
from domain.statuses import resolve_status_refs
from ledger.types import utcnow
from tasks.cursors import advance_cursor, read_cursor_time, read_window_start
from tasks.event_follow import follow_events, order_ids_of
from tasks.ledger_check import check_ledger_continuity
from tasks.mapping_checks import check_ongoing_mappings
from tasks.order_export import (
    close_settled_orders,
    complete_initial_statuses,
    let_go_of_export_claims,
    push_new_orders,
    read_export_state,
)
from tasks.progress import long_run, progress_stage
from tasks.recording import all_recorded
from tasks.reporting import RunReport, ends_with_attention_state, finish_run
from tasks.runtime import load_merchant
from tasks.shop_reads import fetch_orders_by_id, fetch_orders_modified_since, fetch_status_table
from tasks.warehouse_reads import fetch_articles, fetch_warehouse_orders, sellable

STREAM = "starweb-orders-export"


@flow(name="export-orders", flow_run_name="export-orders-{merchant_id}")
@ends_with_attention_state
async def export_orders(merchant_id: str, dry_run: bool = False, order_ids: list[int] | None = None,
                        event_at: datetime | None = None) -> dict[str, int]:
    """Export new Starweb orders to Ongoing; returns the count of records per result."""
    if event_at is not None:
        return await follow_events("export-orders", merchant_id, event_at, lambda records: export_pass(
            merchant_id, dry_run, order_ids_of(records)))
    return await export_pass(merchant_id, dry_run, order_ids)


async def export_pass(merchant_id: str, dry_run: bool, order_ids: list[int] | None) -> dict[str, int]:
    """One export over the orders modified since the cursor, or over ``order_ids`` only."""
    merchant = load_merchant(merchant_id)
    await check_ongoing_mappings(merchant)
    report = RunReport("export-orders", merchant_id, dry_run)
    started = utcnow()
    if warning := await check_ledger_continuity(merchant):
        report.warnings.append(warning)
    since = read_window_start(merchant_id, STREAM, overlap=timedelta(minutes=merchant.orders.overlap_minutes),
                              first_run=timedelta(days=merchant.orders.first_run_lookback_days))
    table, shop_statuses = await fetch_status_table(merchant)
    exportable = resolve_status_refs(merchant.orders.exportable_starweb_statuses, shop_statuses,
                                     what="orders.exportable_starweb_statuses")

    first_run = read_cursor_time(merchant_id, STREAM) is None
    async with long_run("export-orders", merchant_id, "First activation (first export)", when=first_run):
        await progress_stage("reading Starweb's orders", until=20)
        if order_ids is None:
            recent = await fetch_orders_modified_since(merchant, since)
        else:
            recent, _gone = await fetch_orders_by_id(merchant, order_ids)
        known = read_export_state(merchant_id, [o.order_id for o in recent])
        retried, gone = await fetch_orders_by_id(merchant, known.due_besides(recent))
        report.extend(close_settled_orders(merchant_id, settle_quarantined(
            known.quarantined, [*recent, *retried], gone, exportable_status_ids=exportable,
            bound_order_ids=known.bound), dry_run))
        orders = select_for_export([*recent, *retried], exportable_status_ids=exportable,
                                   bound_order_ids=known.bound, held_order_ids=known.held)

        in_warehouse = await fetch_warehouse_orders(merchant, [merchant.order_number(o.order_id) for o in orders])
        articles = await fetch_articles(merchant, {sku for o in orders for sku, _ in order_lines(o)})
        plans = plan_exports(orders, merchant, sellable=sellable(articles), known_skus=articles.keys(),
                             in_warehouse=in_warehouse, table=table)
        await progress_stage("creating orders in Ongoing", until=100)
        try:
            outcomes, unexpected = await push_new_orders(merchant, plans, table, dry_run)
        finally:
            let_go_of_export_claims()
    report.extend(outcomes)
    more, more_unexpected = await complete_initial_statuses(merchant, table, dry_run)
    report.extend(more)

    # The cursor waits when an outcome went unrecorded, so the next run's window finds those orders again;
    # and a pass over given orders says nothing of the others.
    if all_recorded(outcomes):
        advance_cursor(merchant_id, STREAM, started, dry_run=dry_run or order_ids is not None)
    return await finish_run(report, unexpected + more_unexpected)
