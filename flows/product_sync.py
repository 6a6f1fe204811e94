"""Product sync: Starweb products and variants → Ongoing articles.

Trigger: every half hour or so per merchant (deployment ``sync-products/<merchant>``) or on demand.
Source: Starweb products updated since the cursor (all of them on the first run), each with all its
variants; once a day the whole catalogue, to find SKUs that were removed. The first run (the first product
push) shows its progress as the ``sync-products-<merchant>-progress`` artifact. Target: Ongoing
``PUT /articles`` (articleNumber = SKU, name, EAN, manufacturer SKU, weight); removed SKUs go on a
worklist artifact and, if configured, are sent with ``isActive: false`` (Ongoing cannot delete).
Products quarantined earlier are read again by id when due, and failed deactivations sent again.
Idempotency: the article number is the upsert key; a payload identical to the last push is skipped.
"""

from __future__ import annotations

from datetime import timedelta

from prefect import flow

from domain.product_sync import plan_article_pushes, removal_check_due, removed_skus, skus_in_shop
from ledger.types import utcnow
from tasks.cursors import advance_cursor, read_cursor_time
from tasks.mapping_checks import check_ongoing_mappings
from tasks.products import (
    close_settled_products,
    push_articles,
    read_article_bindings,
    read_product_retries,
    retire_removed_articles,
)
from tasks.progress import long_run, progress_stage
from tasks.reporting import RunReport, ends_with_attention_state, finish_run
from tasks.runtime import load_merchant, unwalked
from tasks.shop_reads import fetch_products_by_id, fetch_products_changed_since

STREAM = "starweb-products"
REMOVAL_STREAM = "starweb-products-removal-check"
OVERLAP = timedelta(minutes=10)


@flow(name="sync-products", flow_run_name="sync-products-{merchant_id}")
@ends_with_attention_state
async def sync_products(merchant_id: str, dry_run: bool = False) -> dict[str, int]:
    """Send new and changed products to Ongoing as articles; returns counts per result."""
    merchant = load_merchant(merchant_id)
    await check_ongoing_mappings(merchant)
    report = RunReport("sync-products", merchant_id, dry_run)
    started = utcnow()
    cursor = read_cursor_time(merchant_id, STREAM)
    full_check = removal_check_due(read_cursor_time(merchant_id, REMOVAL_STREAM), started,
                                   merchant.products.removal_check_hours)

    since = None if full_check or cursor is None else cursor - OVERLAP
    async with long_run("sync-products", merchant_id, "First product push", when=cursor is None):
        await progress_stage("reading the Starweb catalogue", until=20)
        products = await fetch_products_changed_since(merchant, since)
        retries = read_product_retries(merchant_id)
        again, vanished = await fetch_products_by_id(merchant,
                                                     retries.products_to_read(p.product_id for p, _ in products))
        report.extend(close_settled_products(merchant_id, retries, vanished, dry_run))
        known = read_article_bindings(merchant_id)
        plan = plan_article_pushes([*products, *again], {sku: b.pushed_hash for sku, b in known.items()})
        await progress_stage("sending articles to Ongoing", until=100)
        outcomes, unexpected = await push_articles(merchant, unwalked(plan), dry_run, retries.open_skus)
    report.extend(outcomes)
    retired, retired_unexpected = await retire_removed_articles(merchant, retries.due_retirements, dry_run, retry=True)
    report.extend(retired)
    unexpected += retired_unexpected

    if full_check:
        active = [sku for sku, b in known.items() if b.is_active and b.removed_in_starweb_at is None]
        gone = removed_skus(active, skus_in_shop(products))
        more, more_unexpected = await retire_removed_articles(merchant, gone, dry_run)
        report.extend(more)
        unexpected += more_unexpected
        advance_cursor(merchant_id, REMOVAL_STREAM, started, dry_run=dry_run)
    advance_cursor(merchant_id, STREAM, started, dry_run=dry_run)
    return await finish_run(report, unexpected)
