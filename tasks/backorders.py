"""The task that moves backorders stock now covers to "open, in stock" in Ongoing and in the ledger.

It runs in the release, before the release decides (so a covered backorder is released as in stock even
where the merchant releases in-stock orders only), and in the stock sync, so the warehouse sees the
change between releases. Both hold the merchant's release lock meanwhile, so a release never moves an
order to picking while a stale decision moves it back to open. Each order is read back just before its
status is changed, and left alone if the warehouse moved it on.
"""

from __future__ import annotations

from functools import partial

from prefect import task
from prefect.cache_policies import NO_CACHE

from domain.backorders import BackorderCandidate, backorders_in_warehouse, covered_backorders
from domain.config import MerchantConfig
from domain.statuses import OrderState, StatusTable
from ledger import backorders as backorder_ledger
from tasks.recording import Batch, DryRun
from tasks.release import merchant_release_lock
from tasks.reporting import Outcome
from tasks.run_holders import current_holder
from tasks.runtime import ledger, ongoing_client
from tasks.shop_reads import fetch_status_table
from tasks.warehouse_reads import fetch_articles, fetch_warehouse_orders

BACKORDER_KIND = "backorder"


@task(name="promote-covered-backorders", cache_policy=NO_CACHE)
async def promote_covered_backorders(merchant: MerchantConfig, table: StatusTable,
                                     dry_run: bool) -> tuple[list[Outcome], list[str], list[int]]:
    """Outcomes, unexpected errors and the Starweb ids of the orders moved (or, in a dry run, that would be)."""
    batch = Batch(merchant, dry_run)
    with ledger().session() as session:
        candidates = [BackorderCandidate(b.starweb_order_id, b.order_number, b.starweb_created_at)
                      for b in backorder_ledger.backordered_orders(session, merchant.merchant_id)]
    if not candidates:
        return batch.outcomes, batch.unexpected, []
    backordered, in_stock = table.ongoing_number(OrderState.OPEN_BACKORDERED), table.ongoing_number(
        OrderState.OPEN_IN_STOCK)
    warehouse = await fetch_warehouse_orders.fn(merchant, [c.order_number for c in candidates])
    backorders = backorders_in_warehouse(candidates, warehouse, backordered_status=backordered)
    articles = await fetch_articles.fn(merchant, {sku for b in backorders for sku in b.booked})
    covered = covered_backorders(backorders, articles)
    promoted: list[int] = []
    if not covered:
        return batch.outcomes, batch.unexpected, promoted
    async with await ongoing_client(merchant) as ongoing:
        for backorder in covered:
            record = f"order {backorder.starweb_order_id}"
            try:
                if backordered != in_stock:
                    current = await ongoing.get_order(backorder.ongoing_order_id)
                    status = current.status_number
                    if status != backordered:
                        batch.add(record, "skipped", f"the warehouse moved it to status {status} meanwhile")
                        continue
                    await batch.write("ongoing", "PATCH /orders/{orderId}/orderStatus", backorder.order_number,
                                      partial(ongoing.patch_order_status, backorder.ongoing_order_id, in_stock),
                                      detail={"orderStatusNumber": in_stock, "was": backordered})
                elif dry_run:
                    raise DryRun(record)
            except DryRun:
                batch.add(record, "would move to in stock", "sellable stock now covers it (oldest first)")
                promoted.append(backorder.starweb_order_id)
                continue
            except Exception as error:
                batch.quarantine(BACKORDER_KIND, str(backorder.starweb_order_id), record, error,
                                 payload={"orderNumber": backorder.order_number})
                continue
            with ledger().session() as session:
                backorder_ledger.mark_in_stock(session, merchant.merchant_id, backorder.starweb_order_id,
                                               ongoing_status=in_stock)
            batch.resolve(BACKORDER_KIND, str(backorder.starweb_order_id), "moved to in stock")
            batch.add(record, "moved to in stock", f"sellable stock now covers it (Ongoing status {in_stock})")
            promoted.append(backorder.starweb_order_id)
    return batch.outcomes, batch.unexpected, promoted


async def promote_backorders_under_release_lock(merchant: MerchantConfig,
                                                dry_run: bool) -> tuple[list[Outcome], list[str]]:
    """The same step for flows other than the release: only with the release lock, and only if the ledger
    has backorders at all (most runs then cost one ledger query)."""
    with ledger().session() as session:
        if not backorder_ledger.backordered_orders(session, merchant.merchant_id):
            return [], []
    table, _ = await fetch_status_table(merchant)
    async with merchant_release_lock(merchant.merchant_id, current_holder()):
        outcomes, unexpected, _promoted = await promote_covered_backorders(merchant, table, dry_run)
    return outcomes, unexpected
