"""Stock sync: Ongoing's sellable stock → Starweb's variant stock (the warehouse is the stock master).

Trigger: every few minutes per merchant (deployment ``sync-stock/<merchant>``), on demand, or for given
SKUs (``skus``; the shipment report does the same through ``tasks.stock.sync_stock_for_skus``). Source:
Ongoing articles whose stock changed since the cursor, and every article in a full resync (first run,
``full=True``, every ``stock.full_resync_hours``, or when the cursor is too old for Ongoing's 24-hour change
filter). Target: Starweb ``stockQuantity`` = sellable − units held by Starweb orders the warehouse does not
book yet (not exported: new, quarantined or held back) − ``stock.safety_buffer``, never below zero, written
only where Starweb shows something else; SKUs on one side only go on the ``stock-worklist-<merchant>``
artifact, and Starweb figures its own orders cannot explain on ``stock-master-conflicts-<merchant>``. A
full resync shows its progress as the ``sync-stock-<merchant>-progress`` artifact.
Backorders the warehouse's stock now covers are moved to "open, in stock" (``tasks.backorders``).
Idempotency: the write sets an absolute figure, and a SKU already showing its target is not written.
"""

from __future__ import annotations

from prefect import flow

from domain.stock_sync import choose_scope, stock_articles, warehouse_levels
from ledger.types import utcnow
from tasks.backorders import promote_backorders_under_release_lock
from tasks.cursors import advance_cursor, read_cursor_time
from tasks.mapping_checks import check_ongoing_mappings
from tasks.progress import long_run, progress_stage
from tasks.reporting import RunReport, ends_with_attention_state, finish_run
from tasks.runtime import load_merchant
from tasks.stock import (
    fetch_shop_catalogue_stock,
    fetch_shop_stock,
    fetch_warehouse_stock,
    read_stock_retries,
    read_variant_index,
    reconcile_stock,
    sync_stock_for_skus,
)
from tasks.warehouse_reads import fetch_articles

STREAM = "ongoing-stock"
FULL_STREAM = "ongoing-stock-full-resync"


@flow(name="sync-stock", flow_run_name="sync-stock-{merchant_id}")
@ends_with_attention_state
async def sync_stock(merchant_id: str, dry_run: bool = False, skus: list[str] | None = None,
                     full: bool = False) -> dict[str, int]:
    """Set Starweb's stock to the warehouse's sellable figures; returns counts per result."""
    merchant = load_merchant(merchant_id)
    await check_ongoing_mappings(merchant)  # it moves covered backorders in Ongoing
    report = RunReport("sync-stock", merchant_id, dry_run)
    if skus is not None:
        outcomes, unexpected = await sync_stock_for_skus(merchant, skus, dry_run)
        report.extend(outcomes)
        return await finish_run(report, unexpected)

    started = utcnow()
    scope = choose_scope(started, read_cursor_time(merchant_id, STREAM), read_cursor_time(merchant_id, FULL_STREAM),
                         full_resync_hours=merchant.stock.full_resync_hours, forced=full)
    report.notes.append(f"{'Full resync' if scope.full else 'Changed SKUs only'}: {scope.reason}")
    async with long_run("sync-stock", merchant_id, "Full stock resync", when=scope.full):
        await progress_stage("reading the warehouse's stock", until=20)
        articles = await fetch_warehouse_stock(merchant, scope.changed_since)
        await progress_stage("reading Starweb's stock", until=50)
        if scope.full:
            shop = await fetch_shop_catalogue_stock(merchant)
        else:
            retries = set(read_stock_retries(merchant_id)) - articles.keys()
            if retries:
                articles |= stock_articles(await fetch_articles(merchant, retries))
            syncable = [level.sku for level in warehouse_levels(articles) if level.syncable]
            shop = await fetch_shop_stock(merchant, syncable, read_variant_index(merchant_id))

        await progress_stage("writing Starweb's stock", until=100)
        result = await reconcile_stock(merchant, articles, shop, dry_run, complete=scope.full,
                                       warehouse_read_at=started)
    report.extend(result.outcomes)
    moved, moved_unexpected = await promote_backorders_under_release_lock(merchant, dry_run)
    report.extend(moved)
    if result.conflicts:
        report.notes.append(f"{len(result.conflicts)} SKU(s) changed in Starweb beyond what its orders explain: "
                            f"see stock-master-conflicts-{merchant_id}")
    if scope.full:
        advance_cursor(merchant_id, FULL_STREAM, started, dry_run=dry_run)
    advance_cursor(merchant_id, STREAM, started, dry_run=dry_run)
    return await finish_run(report, result.unexpected + moved_unexpected)
