"""Order changes Starweb → Ongoing: edited lines, cancellations and picking set by hand of exported orders.

Trigger: Starweb order webhooks (the run then takes the orders the events name, see
``tasks.event_follow``), a backstop poll per merchant (deployment ``sync-order-changes/<merchant>``), or
on demand. Source: Starweb orders modified since the cursor (or only ``order_ids``) that the ledger has
bound to an Ongoing order, plus changes quarantined earlier that are due for another try. Target: Ongoing
``PUT /orders`` (same order number, every line by row number, then read back: a removed row Ongoing keeps
is set to 0 units), ``DELETE /orders/{id}`` while the warehouse has not started, and ``PATCH …/orderStatus``
to picking when a person set picking in Starweb (under the release's per-order claim). When the warehouse
has started or does not take the change: a comment on the Starweb order and a quarantine entry.
Idempotency: the hash of the last pushed payload (an unchanged order is not re-sent), of the last refused
one (a refusal is flagged once) and the release claim.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from prefect import flow

from domain.order_mapping import order_lines
from ledger.types import utcnow
from tasks.cursors import advance_cursor, read_window_start
from tasks.event_follow import follow_events, order_ids_of
from tasks.mapping_checks import check_ongoing_mappings
from tasks.order_changes import close_settled_changes, push_starweb_edits, read_bound_orders
from tasks.reporting import RunReport, ends_with_attention_state, finish_run
from tasks.runtime import load_merchant
from tasks.shop_reads import fetch_orders_by_id, fetch_orders_modified_since, fetch_status_table
from tasks.warehouse_reads import fetch_articles, fetch_warehouse_orders

STREAM = "starweb-orders-changes"


@flow(name="sync-order-changes", flow_run_name="sync-order-changes-{merchant_id}")
@ends_with_attention_state
async def sync_order_changes(merchant_id: str, dry_run: bool = False, order_ids: list[int] | None = None,
                             event_at: datetime | None = None) -> dict[str, int]:
    """Carry Starweb edits and cancellations of exported orders to Ongoing; returns counts per result."""
    if event_at is not None:
        return await follow_events("sync-order-changes", merchant_id, event_at, lambda records: (
            changes_pass(merchant_id, dry_run, order_ids_of(records))))
    return await changes_pass(merchant_id, dry_run, order_ids)


async def changes_pass(merchant_id: str, dry_run: bool, order_ids: list[int] | None) -> dict[str, int]:
    """One pass over the orders modified since the cursor, or over ``order_ids`` only."""
    merchant = load_merchant(merchant_id)
    await check_ongoing_mappings(merchant)
    report = RunReport("sync-order-changes", merchant_id, dry_run)
    started = utcnow()
    since = read_window_start(merchant_id, STREAM, overlap=timedelta(minutes=merchant.orders.overlap_minutes),
                              first_run=timedelta(days=merchant.orders.first_run_lookback_days))
    table, _ = await fetch_status_table(merchant)

    if order_ids is None:
        recent = await fetch_orders_modified_since(merchant, since)
    else:
        recent, _gone = await fetch_orders_by_id(merchant, order_ids)
    bound = read_bound_orders(merchant_id, [o.order_id for o in recent])
    retried, gone = await fetch_orders_by_id(merchant, bound.to_fetch)
    report.extend(close_settled_changes(merchant_id, gone, dry_run))
    orders = [o for o in [*recent, *retried] if o.order_id in bound.in_play]
    in_warehouse = await fetch_warehouse_orders(merchant, [b.order_number for b in bound.in_play.values()])
    articles = await fetch_articles(merchant, {sku for o in orders for sku, _ in order_lines(o)})

    outcomes, unexpected = await push_starweb_edits(merchant, table, orders, bound, in_warehouse,
                                                    articles.keys(), dry_run)
    report.extend(outcomes)
    # A pass over given orders says nothing of the others: the cursor stays where the last full pass left it.
    advance_cursor(merchant_id, STREAM, started, dry_run=dry_run or order_ids is not None)
    return await finish_run(report, unexpected)
