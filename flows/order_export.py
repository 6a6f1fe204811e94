"""New-order export: Starweb → Ongoing.

Trigger: Starweb order webhooks (the run then takes the orders the events name, see
``tasks.event_follow``), a backstop poll per merchant (deployment ``export-orders/<merchant>``), or on demand.
Source: Starweb orders in an exportable status (by default new and paid) modified since the cursor (or
only ``order_ids``), plus quarantined orders due for another try. Target: Ongoing ``PUT /orders``, then
the initial status "open, in stock" or "open, backordered" from the warehouse's sellable stock.
Idempotency: the Ongoing order number (prefix + Starweb orderId) is the upsert key, and the ledger
binding makes an exported order skip every later run.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from prefect import flow

from domain.order_export import plan_exports, select_for_export
from domain.order_mapping import order_lines
from domain.statuses import resolve_status_refs
from ledger.types import utcnow
from tasks.cursors import advance_cursor, read_window_start
from tasks.event_follow import follow_events, order_ids_of
from tasks.mapping_checks import check_ongoing_mappings
from tasks.order_export import complete_initial_statuses, push_new_orders, read_export_state
from tasks.reporting import RunReport, finish_run
from tasks.runtime import load_merchant
from tasks.shop_reads import fetch_orders_by_id, fetch_orders_modified_since, fetch_status_table
from tasks.warehouse_reads import fetch_articles, sellable

STREAM = "starweb-orders-export"


@flow(name="export-orders", flow_run_name="export-orders-{merchant_id}")
async def export_orders(merchant_id: str, dry_run: bool = False, order_ids: list[int] | None = None,
                        event_at: datetime | None = None) -> dict[str, int]:
    """Export new Starweb orders to Ongoing; returns the count of records per result."""
    if event_at is not None:
        return await follow_events("export-orders", merchant_id, event_at, lambda records: export_orders.fn(
            merchant_id, dry_run, order_ids=order_ids_of(records)))
    merchant = load_merchant(merchant_id)
    await check_ongoing_mappings(merchant)
    report = RunReport("export-orders", merchant_id, dry_run)
    started = utcnow()
    since = read_window_start(merchant_id, STREAM, overlap=timedelta(minutes=merchant.orders.overlap_minutes),
                              first_run=timedelta(days=merchant.orders.first_run_lookback_days))
    table, shop_statuses = await fetch_status_table(merchant)
    exportable = resolve_status_refs(merchant.orders.exportable_starweb_statuses, shop_statuses,
                                     what="orders.exportable_starweb_statuses")

    if order_ids is None:
        recent = await fetch_orders_modified_since(merchant, since)
    else:
        recent, _gone = await fetch_orders_by_id(merchant, order_ids)
    bound, held, due = read_export_state(merchant_id, [o.order_id for o in recent])
    retried, _gone = await fetch_orders_by_id(merchant, [i for i in due if i not in {o.order_id for o in recent}])
    orders = select_for_export([*recent, *retried], exportable_status_ids=exportable, bound_order_ids=bound,
                               held_order_ids=held - set(due))

    articles = await fetch_articles(merchant, {sku for o in orders for sku, _ in order_lines(o)})
    plans = plan_exports(orders, merchant, sellable=sellable(articles), known_skus=articles.keys())
    outcomes, unexpected = await push_new_orders(merchant, plans, table, dry_run)
    report.extend(outcomes)
    more, more_unexpected = await complete_initial_statuses(merchant, table, dry_run)
    report.extend(more)

    # A pass over given orders says nothing of the others: the cursor stays where the last full pass left it.
    advance_cursor(merchant_id, STREAM, started, dry_run=dry_run or order_ids is not None)
    return await finish_run(report, unexpected + more_unexpected)
