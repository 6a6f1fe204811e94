"""Tasks of the stock sync: reading both sides' figures, the one-stock-master check, and setting Starweb's
stock where it differs from the warehouse's.

An incremental run knows most of Starweb's current figures without reading them: the last figure the
connector wrote or saw, less the units Starweb's orders took since (``tasks.known_stock``); it writes the
absolute target where that differs. The rest are read with one variant GET per SKU (a search by SKU when
the index does not know the variant); a full resync reads the whole catalogue, which also checks the
known figures against what Starweb really shows. ``sync_stock_for_skus`` is the entry other flows call,
without a subflow, for SKUs they just moved.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from prefect import get_run_logger, task
from prefect.artifacts import acreate_table_artifact
from prefect.cache_policies import NO_CACHE
from sqlalchemy.exc import IntegrityError

from domain.config import MerchantConfig
from domain.statuses import OrderState
from domain.stock_sync import (
    STARWEB_STAMP_PRECISION,
    MasterConflict,
    ShopLevel,
    StarwebBaseline,
    StockArticle,
    StockPlan,
    StockWrite,
    WorklistEntry,
    master_conflicts,
    plan_stock_writes,
    sale_lines,
    shop_levels,
    stock_article,
    stock_articles,
    warehouse_levels,
)
from integrations.errors import NotFound, RefusedByVendor
from integrations.starweb.client import StarwebClient
from integrations.starweb.models import Variant, VariantPatch
from ledger import quarantine
from ledger import stock as stock_ledger
from ledger.stock import VariantPlace
from ledger.types import utcnow
from tasks.known_stock import known_shop_figures
from tasks.progress import report_progress
from tasks.recording import Batch, DryRun
from tasks.reporting import Outcome
from tasks.runtime import ledger, ongoing_client, starweb_client, unwalked
from tasks.shop_reads import READ_RETRIES, fetch_orders_modified_since, fetch_status_table, iter_catalogue
from tasks.unbooked_stock import read_unbooked_stock
from tasks.warehouse_reads import fetch_articles

STOCK_KIND = "stock"
STOCK_WRITE = "PATCH /products/{productId}/variants/{variantId}"
# An older baseline is refreshed without a check: explaining it would mean reading days of orders.
MAX_BASELINE_AGE = timedelta(days=2)


@dataclass(frozen=True)
class ShopRead:
    """Starweb's figures, read or known between ``started`` and ``finished``, and variants found outside the
    index. ``known``: the SKUs whose figure was worked out from the ledger and Starweb's orders, not read."""

    levels: list[ShopLevel]
    started: datetime
    finished: datetime
    found: dict[str, VariantPlace] = field(default_factory=dict)
    known: frozenset[str] = frozenset()


@dataclass
class StockResult:
    outcomes: list[Outcome]
    unexpected: list[str]
    conflicts: list[MasterConflict]
    worklist: list[WorklistEntry]


@task(name="fetch-warehouse-stock", **READ_RETRIES)
async def fetch_warehouse_stock(merchant: MerchantConfig,
                                changed_since: datetime | None) -> dict[str, StockArticle]:
    """Every article (``changed_since`` None) or those whose stock figures changed since then; each kept as
    its stock figures only, page by page."""
    async with await ongoing_client(merchant) as warehouse:
        return {a.article_number: stock_article(a)
                async for a in warehouse.iter_articles(stock_info_changed_from=changed_since)}


@task(name="fetch-shop-stock", **READ_RETRIES)
async def fetch_shop_stock(merchant: MerchantConfig, skus: Collection[str],
                           index: Mapping[str, VariantPlace]) -> ShopRead:
    """Starweb's current figure for each SKU it sells, known where the ledger and Starweb's orders since tell
    it, read otherwise; SKUs it does not sell are absent."""
    started = utcnow()
    levels: list[ShopLevel] = []
    found: dict[str, VariantPlace] = {}
    async with await starweb_client(merchant) as shop:
        known = await known_shop_figures(merchant, shop, read_stock_baselines.fn(merchant.merchant_id, skus),
                                         index, skus)
        for sku, figure in known.figures.items():
            levels.append(ShopLevel(sku, index[sku].product_id, index[sku].variant_id, figure))
        for sku in sorted(set(skus) - known.figures.keys()):
            place = index.get(sku)
            variant = await _indexed_variant(shop, sku, place) if place else None
            if variant is None:
                located = await _find_by_sku(shop, sku)
                if located is None:
                    continue
                place, variant = located
                found[sku] = place
            assert place is not None
            levels.append(ShopLevel(sku, place.product_id, place.variant_id, variant.stock_quantity))
    return ShopRead(levels, min(started, known.as_of), utcnow(), found, frozenset(known.figures))


async def _indexed_variant(shop: StarwebClient, sku: str, place: VariantPlace) -> Variant | None:
    try:
        variant = await shop.get_variant(place.product_id, place.variant_id)
    except NotFound:
        return None
    return variant if variant.sku == sku else None  # the variant was given another SKU since


async def _find_by_sku(shop: StarwebClient, sku: str) -> tuple[VariantPlace, Variant] | None:
    try:
        async for product in shop.iter_products(filter_sku=sku, include=("primaryVariant",)):
            if product.has_several_variants:
                variants = [v async for v in shop.iter_variants(product.product_id)]
            else:
                variants = [product.primary_variant] if product.primary_variant else []
            for variant in variants:
                if variant.sku == sku:
                    return VariantPlace(product.product_id, variant.variant_id), variant
    except RefusedByVendor:
        return None  # filterSku refuses characters a Starweb SKU cannot have, so the shop cannot sell it
    return None


@task(name="fetch-shop-catalogue-stock", **READ_RETRIES)
async def fetch_shop_catalogue_stock(merchant: MerchantConfig) -> ShopRead:
    """Every variant's figure, from a read of the whole catalogue (which also refreshes the index)."""
    started = utcnow()
    levels: list[ShopLevel] = []
    # Product by product, keeping four figures per variant: a 50 000-SKU catalogue's models never pile up.
    async for product, variants in iter_catalogue(merchant, include=("primaryVariant",)):
        levels += shop_levels([(product, variants)])
    return ShopRead(levels, started, utcnow(), {lv.sku: VariantPlace(lv.product_id, lv.variant_id) for lv in levels})


@task(name="read-variant-index", cache_policy=NO_CACHE)
def read_variant_index(merchant_id: str) -> dict[str, VariantPlace]:
    with ledger().session() as session:
        return stock_ledger.variant_index(session, merchant_id)


@task(name="read-stock-retries", cache_policy=NO_CACHE)
def read_stock_retries(merchant_id: str) -> list[str]:
    """SKUs whose stock write failed earlier and is due for another try."""
    with ledger().session() as session:
        return [entry.key for entry in quarantine.due_for_retry(session, merchant_id, STOCK_KIND)]


@task(name="remember-variants", cache_policy=NO_CACHE)
def remember_variants(merchant_id: str, found: Mapping[str, VariantPlace], articles: Mapping[str, StockArticle],
                      dry_run: bool) -> int:
    if dry_run or not found:
        return 0
    article_ids = {sku: a.article_system_id for sku, a in articles.items()}
    try:
        with ledger().session() as session:
            return stock_ledger.index_variants(session, merchant_id, found, article_ids)
    except IntegrityError:
        # Another run of the merchant (a shipment report's stock sync beside this one) bound one of these SKUs
        # between our read and our write: read again, and its binding is updated instead of added twice.
        with ledger().session() as session:
            return stock_ledger.index_variants(session, merchant_id, found, article_ids)


@task(name="read-stock-baselines", cache_policy=NO_CACHE)
def read_stock_baselines(merchant_id: str, skus: Collection[str]) -> list[StarwebBaseline]:
    fresh_after = utcnow() - MAX_BASELINE_AGE
    with ledger().session() as session:
        levels = stock_ledger.stock_levels(session, merchant_id, skus).values()
        return [StarwebBaseline(lv.sku, lv.seen_quantity, lv.seen_from, lv.seen_until) for lv in levels
                if lv.seen_until >= fresh_after]


async def check_stock_master(merchant: MerchantConfig, plan: StockPlan, shop: ShopRead) -> list[MasterConflict]:
    """Starweb figures that changed since the connector's last write or read by more than Starweb's own
    orders explain: published as an artifact and logged as warnings (by SKU, nothing about customers). Only
    figures read from Starweb are checked: a known figure is the baseline's explanation itself."""
    observed = {row.sku: row.current for row in [*plan.writes, *plan.unchanged] if row.sku not in shop.known}
    baselines = read_stock_baselines(merchant.merchant_id, unwalked(sorted(observed)))
    if not baselines:
        return []
    table, statuses = await fetch_status_table(merchant)
    cancelled = {s.status_id for s in statuses if s.id_code == "canceled"}
    cancelled.add(table.starweb_status_id(OrderState.CANCELLED))
    orders = (await fetch_orders_modified_since(merchant, min(b.seen_from for b in baselines)
                                                - STARWEB_STAMP_PRECISION)).orders
    conflicts = master_conflicts(baselines, observed, sale_lines(orders, cancelled),
                                 observed_from=shop.started, observed_until=shop.finished)
    logger = get_run_logger()
    for c in conflicts:
        logger.warning("SKU %s: Starweb shows %d, but from %d at %s its orders explain %s (%+g unexplained); "
                       "another system may be writing Starweb's stock", c.sku, c.observed, c.baseline,
                       c.baseline_at.isoformat(timespec="seconds"), _expected(c), c.unexplained)
    if conflicts:
        await acreate_table_artifact(
            [{"sku": c.sku, "starweb before": c.baseline, "at": c.baseline_at.isoformat(timespec="seconds"),
              "sold since": f"{c.sold:g}", "given back by cancellations": f"{c.restored:g}", "expected": _expected(c),
              "starweb now": c.observed, "unexplained": f"{c.unexplained:+g}"} for c in conflicts],
            key=f"stock-master-conflicts-{merchant.merchant_id}",
            description="Starweb stock changed by more than its orders explain: is another system writing stock? "
                        "The warehouse's figure was written anyway.")
    return conflicts


def _expected(conflict: MasterConflict) -> str:
    low, high = conflict.expected_low, conflict.expected_high
    return f"{low:g}" if low == high else f"{low:g} to {high:g}"


@task(name="write-shop-stock", cache_policy=NO_CACHE)
async def write_shop_stock(merchant: MerchantConfig, plan: StockPlan, shop: ShopRead, conflicts: list[MasterConflict],
                           dry_run: bool) -> tuple[list[Outcome], list[str]]:
    """PATCH each differing variant's stockQuantity; remember what Starweb showed or was given; a failed
    write is quarantined for its SKU and the rest goes on."""
    batch = Batch(merchant, dry_run)
    flagged = {c.sku: f"changed elsewhere ({c.unexplained:+g})" for c in conflicts}

    def columns(row: StockWrite) -> dict[str, str]:
        return {"starweb": "" if row.current is None else str(row.current), "target": str(row.target),
                "sellable": f"{row.sellable:g}", "held by unexported orders": f"{row.unbooked:g}",
                "master check": flagged.get(row.sku, "")}

    for item in plan.worklist:
        batch.add(f"SKU {item.sku}", "on worklist", item.side)
    for sku in plan.ignored:
        batch.add(f"SKU {sku}", "skipped", "inactive or not a stock article in Ongoing")
    for row in plan.unchanged:
        batch.add(f"SKU {row.sku}", "unchanged", "", columns(row))
    if not dry_run:
        seen = {row.sku: row.current for row in [*plan.unchanged, *plan.writes] if row.current is not None}
        settled = {row.sku for row in plan.unchanged} | {e.sku for e in plan.worklist} | set(plan.ignored)
        with ledger().session() as session:
            stock_ledger.record_seen(session, merchant.merchant_id, seen, seen_from=shop.started,
                                     seen_until=shop.finished)
            for entry in quarantine.open_entries(session, merchant.merchant_id, STOCK_KIND):
                if entry.key in settled:  # nothing left to write for it
                    quarantine.resolve(session, merchant.merchant_id, STOCK_KIND, entry.key, "no write needed")
    if not plan.writes:
        return batch.outcomes, batch.unexpected
    async with await starweb_client(merchant) as starweb:
        for done, row in enumerate(plan.writes):
            await report_progress(done, len(plan.writes))
            record, sent_at = f"SKU {row.sku}", utcnow()
            try:
                await batch.write("starweb", STOCK_WRITE, row.sku,
                                  partial(starweb.patch_variant, row.product_id, row.variant_id,
                                          VariantPatch(stock_quantity=row.target)),
                                  detail={"productId": row.product_id, "variantId": row.variant_id,
                                          "stockQuantity": row.target, "was": row.current})
            except DryRun:
                batch.add(record, "would update", f"{row.current} → {row.target}", columns(row))
                continue
            except Exception as error:
                batch.quarantine(STOCK_KIND, row.sku, record, error, payload={
                    "productId": row.product_id, "variantId": row.variant_id, "stockQuantity": row.target})
                continue
            with ledger().session() as session:
                stock_ledger.record_written(session, merchant.merchant_id, row.sku, row.target, sent_at=sent_at)
            batch.resolve(STOCK_KIND, row.sku, "written")
            batch.add(record, "updated", f"{row.current} → {row.target}", columns(row))
    return batch.outcomes, batch.unexpected


async def publish_worklist(merchant_id: str, worklist: list[WorklistEntry], *, complete: bool) -> None:
    """The SKUs known on one side only, for a person. A complete (full-resync) list is published even
    when empty, so yesterday's list does not linger."""
    if not worklist and not complete:
        return
    await acreate_table_artifact([{"sku": e.sku, "side": e.side, "to do": e.to_do} for e in worklist],
                                key=f"stock-worklist-{merchant_id}",
                                description="Stock sync: SKUs known in only one of Starweb and Ongoing")


async def reconcile_stock(merchant: MerchantConfig, articles: Mapping[str, StockArticle], shop: ShopRead, dry_run: bool,
                          *, complete: bool, warehouse_read_at: datetime) -> StockResult:
    """Compare, check the one stock master, write the differences and publish the worklist. The units of
    Starweb orders the warehouse figures (read from ``warehouse_read_at``) do not book are held back."""
    # Catalogue-sized arguments are quoted: Prefect would otherwise walk every element looking for futures.
    remember_variants(merchant.merchant_id, unwalked(shop.found), unwalked(articles), dry_run)
    # Read last, just before the writes, so an order placed meanwhile is counted.
    unbooked = await read_unbooked_stock(merchant, warehouse_read_at=warehouse_read_at, dry_run=dry_run,
                                         recheck=complete)
    plan = plan_stock_writes(warehouse_levels(articles), shop.levels, safety_buffer=merchant.stock.safety_buffer,
                             unbooked=unbooked)
    conflicts = await check_stock_master(merchant, plan, shop)
    outcomes, unexpected = await write_shop_stock(merchant, unwalked(plan), unwalked(shop), conflicts, dry_run)
    await publish_worklist(merchant.merchant_id, plan.worklist, complete=complete)
    return StockResult(outcomes, unexpected, conflicts, plan.worklist)


async def sync_stock_for_skus(merchant: MerchantConfig, skus: Collection[str],
                              dry_run: bool) -> tuple[list[Outcome], list[str]]:
    """Bring Starweb's stock of exactly these SKUs to the warehouse's figure (for flows that just moved
    them, e.g. the shipment report). Returns the outcomes and the unexpected errors, like a batch task."""
    warehouse_read_at = utcnow()
    articles = stock_articles(await fetch_articles(merchant, skus))
    shop = await fetch_shop_stock(merchant, skus, read_variant_index(merchant.merchant_id))
    result = await reconcile_stock(merchant, articles, shop, dry_run, complete=False,
                                   warehouse_read_at=warehouse_read_at)
    return result.outcomes, result.unexpected
