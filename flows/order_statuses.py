"""Warehouse changes Ongoing → Starweb: statuses the TPL moved, lines it changed, short picks.

Trigger: Ongoing order webhooks (the run then takes the orders the events name, see
``tasks.event_follow``), a backstop poll per merchant (deployment ``sync-order-statuses/<merchant>``), or
on demand. Source: Ongoing's view of every exported order that is not yet sent, cancelled or returned
(or only ``order_numbers``; read in chunks by order number, as Ongoing's change filters miss line
edits). Target: Starweb order status (no customer email or payment processing unless the merchant's map
says so), order items, and a comment for lines picked short; a status the merchant's map does not know,
or a "sent" order of which nothing was picked, is held in quarantine (with a comment where the merchant
should see it). Idempotency: the ledger's last known state per order, a marker of the short pick already
noted and comments checked before posting; an order whose warehouse view matches the ledger is not even
read from Starweb.
"""

from __future__ import annotations

from datetime import datetime

from prefect import flow

from tasks.event_follow import follow_events
from tasks.order_statuses import (
    bring_back_warehouse_changes,
    close_settled_statuses,
    orders_needing_attention,
    read_unfinished_orders,
)
from tasks.process_locks import one_run_at_a_time
from tasks.reporting import RunReport, ends_with_attention_state, finish_run
from tasks.runtime import load_merchant
from tasks.shop_reads import created_in_starweb, fetch_orders_by_id, fetch_status_table
from tasks.warehouse_reads import fetch_warehouse_orders


@flow(name="sync-order-statuses", flow_run_name="sync-order-statuses-{merchant_id}")
@ends_with_attention_state
@one_run_at_a_time("sync-order-statuses")
async def sync_order_statuses(merchant_id: str, dry_run: bool = False, order_numbers: list[str] | None = None,
                              event_at: datetime | None = None) -> dict[str, int]:
    """Bring warehouse-side changes of exported orders back to Starweb; returns counts per result."""
    if event_at is not None:
        return await follow_events("sync-order-statuses", merchant_id, event_at, lambda records: (
            statuses_pass(merchant_id, dry_run, records)))
    return await statuses_pass(merchant_id, dry_run, order_numbers)


async def statuses_pass(merchant_id: str, dry_run: bool, order_numbers: list[str] | None) -> dict[str, int]:
    """One pass over every unfinished exported order, or over ``order_numbers`` only."""
    merchant = load_merchant(merchant_id)
    report = RunReport("sync-order-statuses", merchant_id, dry_run)
    table, _ = await fetch_status_table(merchant)

    unfinished, held = read_unfinished_orders(merchant_id, order_numbers)
    in_warehouse = await fetch_warehouse_orders(merchant, [b.order_number for b in unfinished])
    if order_numbers is None:  # a narrowed pass cannot tell which held orders are settled
        report.extend(close_settled_statuses(
            merchant_id, {b.starweb_order_id for b in unfinished if b.order_number in in_warehouse}, dry_run))
    pairs, waiting = orders_needing_attention(merchant, table, unfinished, in_warehouse, held)
    report.extend(waiting)
    starweb_orders = (await fetch_orders_by_id(merchant, [b.starweb_order_id for b, _ in pairs],
                                               created_in_starweb(b for b, _ in pairs))).orders

    outcomes, unexpected = await bring_back_warehouse_changes(
        merchant, table, pairs, {o.order_id: o for o in starweb_orders}, dry_run)
    report.extend(outcomes)
    return await finish_run(report, unexpected)
