"""New-order export: Starweb → Ongoing.

Trigger: Starweb order webhooks (the run then takes the orders the events name, pass by pass, see
``tasks.event_follow``; its start checks are made once, see ``tasks.run_start``), a backstop poll per
merchant (deployment ``export-orders/<merchant>``), or on demand.
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

from domain.config import MerchantConfig
from domain.order_export import plan_exports, select_for_export, settle_quarantined
from domain.order_mapping import order_lines
from domain.statuses import resolve_status_refs
from ledger.types import utcnow
from tasks.cursors import advance_cursor, read_cursor_time, window_start
from tasks.event_follow import follow_events, order_ids_of
from tasks.order_export import (
    close_settled_orders,
    complete_initial_statuses,
    push_new_orders,
    quarantine_unreadable_orders,
    read_export_state,
)
from tasks.progress import long_run, progress_stage
from tasks.recording import all_recorded
from tasks.reporting import Outcome, RunReport, ends_with_attention_state, finish_run
from tasks.run_start import RunStart, start_run
from tasks.runtime import unwalked
from tasks.shop_reads import OrdersRead, fetch_orders_by_id, fetch_orders_modified_since
from tasks.warehouse_reads import fetch_articles, fetch_warehouse_orders, sellable

STREAM = "starweb-orders-export"


@flow(name="export-orders", flow_run_name="export-orders-{merchant_id}")
@ends_with_attention_state
async def export_orders(merchant_id: str, dry_run: bool = False, order_ids: list[int] | None = None,
                        event_at: datetime | None = None) -> dict[str, int]:
    """Export new Starweb orders to Ongoing; returns the count of records per result."""
    start = await start_run(merchant_id)  # once per run, however many passes its events make
    if event_at is not None:
        return await follow_events("export-orders", merchant_id, event_at, lambda records: export_pass(
            start, dry_run, order_ids_of(records)))
    return await export_pass(start, dry_run, order_ids)


async def export_pass(start: RunStart, dry_run: bool, order_ids: list[int] | None) -> dict[str, int]:
    """One export over the orders modified since the cursor, or over ``order_ids`` only."""
    merchant, table = start.merchant, start.table
    report = RunReport("export-orders", merchant.merchant_id, dry_run)
    report.warnings += start.take_warnings()
    started = utcnow()
    exportable = resolve_status_refs(merchant.orders.exportable_starweb_statuses, start.shop_statuses,
                                     what="orders.exportable_starweb_statuses")

    # Only a full pass reads the stream's cursor (once: where it reads from, and whether this is the merchant's
    # first pass, a first activation).
    cursor = read_cursor_time(merchant.merchant_id, STREAM) if order_ids is None else None
    first_run = order_ids is None and cursor is None
    async with long_run("export-orders", merchant.merchant_id, "First activation (first export)", when=first_run):
        await progress_stage("reading Starweb's orders", until=20)
        recent = await read_orders(merchant, order_ids, cursor)
        known = read_export_state(merchant.merchant_id, [*(o.order_id for o in recent.orders), *recent.unreadable])
        due = known.due_besides(recent.orders)
        retried = await fetch_orders_by_id(merchant, due) if due else OrdersRead([])
        unreadable = {**recent.unreadable, **retried.unreadable}
        if settled := settle_quarantined(
                known.quarantined - unreadable.keys(), [*recent.orders, *retried.orders], retried.gone,
                exportable_status_ids=exportable, bound_order_ids=known.bound):
            report.extend(close_settled_orders(merchant.merchant_id, settled, dry_run))
        if unreadable:
            report.extend(quarantine_unreadable_orders(merchant, unreadable, known, dry_run))
        orders = select_for_export([*recent.orders, *retried.orders], exportable_status_ids=exportable,
                                   bound_order_ids=known.bound, held_order_ids=known.held)

        outcomes: list[Outcome] = []
        unexpected: list[str] = []
        if orders:
            in_warehouse = await fetch_warehouse_orders(merchant, [merchant.order_number(o.order_id) for o in orders])
            articles = await fetch_articles(merchant, {sku for o in orders for sku, _ in order_lines(o)})
            plans = plan_exports(orders, merchant, sellable=sellable(articles), known_skus=articles.keys(),
                                 in_warehouse=in_warehouse, table=table)
            await progress_stage("creating orders in Ongoing", until=100)
            outcomes, unexpected = await push_new_orders(merchant, unwalked(plans), table, dry_run)
    report.extend(outcomes)
    # Only orders sent now, or left without their initial status before, can need it: a pass with neither
    # (an idle poll) skips the task and what it costs the run and the Prefect server.
    more: list[Outcome] = []
    more_unexpected: list[str] = []
    if orders or known.awaiting_initial_status:
        more, more_unexpected = await complete_initial_statuses(merchant, table, dry_run)
    report.extend(more)

    # The cursor waits when an outcome went unrecorded, so the next run's window finds those orders again;
    # and a pass over given orders says nothing of the others.
    if order_ids is None and all_recorded(outcomes):
        advance_cursor(merchant.merchant_id, STREAM, started, dry_run=dry_run)
    return await finish_run(report, unexpected + more_unexpected)


async def read_orders(merchant: MerchantConfig, order_ids: list[int] | None, cursor: datetime | None) -> OrdersRead:
    """The given orders, or (a full pass) those modified since the stream's ``cursor`` less its overlap."""
    if order_ids is not None:
        return await fetch_orders_by_id(merchant, order_ids)
    since = window_start(cursor, overlap=timedelta(minutes=merchant.orders.overlap_minutes),
                         first_run=timedelta(days=merchant.orders.first_run_lookback_days))
    return await fetch_orders_modified_since(merchant, since)
