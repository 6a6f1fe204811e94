"""Tasks of the product sync: pushing articles to Ongoing and retiring SKUs that left the shop.

``ensure_articles`` is the entry other flows use, without a subflow, when they need some SKUs to exist as
Ongoing articles first (a purchase order cannot name an article the warehouse does not know).

A SKU that could not be pushed or deactivated is quarantined with its product id; when the entry is due
the product is read again by id and pushed (or the deactivation sent again), and the entry closes when
the article is sent, found unchanged, or the product is gone from Starweb.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from prefect import task
from prefect.artifacts import acreate_table_artifact
from prefect.cache_policies import NO_CACHE
from sqlalchemy.exc import IntegrityError

from domain.catalogue import retired_article
from domain.config import MerchantConfig
from domain.hashing import payload_hash
from domain.product_sync import ArticlePlan, ArticlePush, plan_article_pushes, restrict_plan
from integrations.ongoing.client import OngoingClient
from integrations.starweb.models import Product, Variant
from ledger import bindings, quarantine
from ledger.db import LedgerSession
from ledger.models import ArticleBinding
from tasks.ledger_lane import LedgerLane
from tasks.progress import report_progress
from tasks.recording import Batch, DryRun
from tasks.reporting import Outcome
from tasks.runtime import ledger, ongoing_client
from tasks.warehouse_reads import fetch_articles

ARTICLE_KIND = "product"
# A first push writes one article at a time for hours; the goods owner's turn is passed on this often.
ARTICLE_WRITES_PER_TURN = 50
ARTICLE_TURN_SECONDS = 2.0


@dataclass(frozen=True)
class ProductRetries:
    """The product sync's quarantine as a run starts."""

    open_skus: set[str] = field(default_factory=set)
    due_products: dict[int, set[str]] = field(default_factory=dict)  # product id → SKUs due for a push
    due_retirements: list[str] = field(default_factory=list)  # SKUs whose deactivation is due again
    settled_retirements: list[str] = field(default_factory=list)  # back in the shop, or deactivated meanwhile

    def products_to_read(self, already_read: Iterable[int]) -> list[int]:
        return sorted(set(self.due_products) - set(already_read))


@task(name="read-product-retries", cache_policy=NO_CACHE)
def read_product_retries(merchant_id: str) -> ProductRetries:
    """Open product entries, and which of them are due: by product id to push, or SKUs to deactivate."""
    retries = ProductRetries()
    with ledger().session() as session:
        retries.open_skus.update(e.key for e in quarantine.open_entries(session, merchant_id, ARTICLE_KIND))
        due = quarantine.due_for_retry(session, merchant_id, ARTICLE_KIND)
        known = bindings.articles_by_sku(session, merchant_id) if due else {}
        for entry in due:
            payload = entry.payload or {}
            if payload.get("retire"):
                binding = known.get(entry.key)
                still_removed = binding is not None and binding.is_active and binding.removed_in_starweb_at is not None
                (retries.due_retirements if still_removed else retries.settled_retirements).append(entry.key)
            elif isinstance(payload.get("productId"), int):
                retries.due_products.setdefault(payload["productId"], set()).add(entry.key)
    return retries


@task(name="close-settled-products", cache_policy=NO_CACHE)
def close_settled_products(merchant_id: str, retries: ProductRetries, vanished: list[int],
                           dry_run: bool) -> list[Outcome]:
    """Entries whose cause is gone: the product is no longer in Starweb (nothing left to push; a bound SKU
    is retired by the daily removal check), or a failed deactivation is no longer wanted or already done."""
    settled = {sku: "the product is gone from Starweb"
               for product_id in vanished for sku in retries.due_products.get(product_id, ())}
    settled |= {sku: "no deactivation needed any more" for sku in retries.settled_retirements}
    if not dry_run:
        with ledger().session() as session:
            for sku, why in settled.items():
                quarantine.resolve(session, merchant_id, ARTICLE_KIND, sku, why)
    return [Outcome(f"SKU {sku}", "would close" if dry_run else "closed", why) for sku, why in sorted(settled.items())]


@task(name="read-article-bindings", cache_policy=NO_CACHE)
def read_article_bindings(merchant_id: str) -> dict[str, ArticleBinding]:
    with ledger().session() as session:
        return bindings.articles_by_sku(session, merchant_id)


@task(name="push-articles", cache_policy=NO_CACHE)
async def push_articles(merchant: MerchantConfig, plan: ArticlePlan, dry_run: bool,
                        open_skus: Collection[str] | None = None) -> tuple[list[Outcome], list[str]]:
    """PUT every changed article (an upsert by article number); quarantine the ones that cannot be sent.
    A quarantined SKU (``open_skus``) found unchanged since its last push is in Ongoing already: closed.
    ``open_skus`` None: the open entries are not known, so every SKU sent is looked up to be closed."""
    batch = Batch(merchant, dry_run)
    for refusal in plan.refusals:
        batch.quarantine(ARTICLE_KIND, refusal.item.sku, f"SKU {refusal.item.sku}", refusal.error,
                         payload={"productId": refusal.item.product_id, "variantId": refusal.item.variant_id})
    for skipped in plan.skipped:
        batch.add(f"product {skipped.product_id} variant {skipped.variant_id}", "skipped", skipped.reason)
    for item in plan.unchanged:
        batch.add(f"SKU {item.sku}", "skipped", "unchanged since the last push")
        if open_skus is not None and item.sku in open_skus:
            batch.resolve(ARTICLE_KIND, item.sku, "unchanged since the last push")
    if not plan.pushes:
        return batch.outcomes, batch.unexpected
    # One turn of the goods owner's write slot per run of writes, not one per article; passed on between
    # runs so that a catalogue's first push (hours) does not hold other processes' writes back. Each
    # article's audit row and binding are written in a ledger lane while the next article is on its way.
    async with (await ongoing_client(merchant) as warehouse,
                warehouse.write_series(hold_writes=ARTICLE_WRITES_PER_TURN, hold_seconds=ARTICLE_TURN_SECONDS)):
        with LedgerLane("article-ledger") as lane:
            sent: deque[_SentArticle] = deque()
            try:
                for done, push in enumerate(plan.pushes):
                    await report_progress(done, len(plan.pushes))
                    await _push_one(batch, warehouse, lane, push, sent, open_skus)
                    while sent and sent[0].done:
                        _settle(batch, sent.popleft())
            finally:
                for article in sent:
                    await asyncio.wait(article.jobs)
                    _settle(batch, article)
    return batch.outcomes, batch.unexpected


async def _push_one(batch: Batch, warehouse: OngoingClient, lane: LedgerLane, push: ArticlePush,
                    sent: deque[_SentArticle], open_skus: Collection[str] | None) -> None:
    try:
        answer, audited = await batch.write_beside(lane, "ongoing", "PUT /articles", push.item.sku,
                                                   partial(warehouse.put_article, push.payload), _nothing_more)
    except DryRun:
        batch.add(f"SKU {push.item.sku}", "would send", "article create/update")
        return
    except Exception as error:
        _hold(batch, push, error)
        return
    resolve = open_skus is None or push.item.sku in open_skus  # no ledger round trip for the others
    bound = lane.submit(partial(_bind_pushed, batch.merchant_id, push, answer.article_system_id, resolve=resolve))
    sent.append(_SentArticle(push, answer.article_system_id, audited, bound))


def _nothing_more(session: LedgerSession, answer: object) -> None:
    """A write whose audit row is all its own transaction records."""


@dataclass
class _SentArticle:
    """An article whose write went out, its outcome waiting for its ledger jobs."""

    push: ArticlePush
    article_system_id: int
    audited: asyncio.Future[None]
    bound: asyncio.Future[bool]  # whether the SKU had a binding before

    @property
    def jobs(self) -> list[asyncio.Future[Any]]:
        return [self.audited, self.bound]

    @property
    def done(self) -> bool:
        return self.audited.done() and self.bound.done()


def _hold(batch: Batch, push: ArticlePush, error: BaseException) -> None:
    batch.quarantine(ARTICLE_KIND, push.item.sku, f"SKU {push.item.sku}", error,
                     payload={"productId": push.item.product_id, "variantId": push.item.variant_id})


def _settle(batch: Batch, article: _SentArticle) -> None:
    failed = article.audited.exception() or article.bound.exception()
    if failed is not None:
        # The article is in Ongoing; held, the next push of the SKU finds it unchanged there or sends it again.
        _hold(batch, article.push, failed)
        return
    batch.add(f"SKU {article.push.item.sku}", "updated" if article.bound.result() else "created",
              f"articleSystemId {article.article_system_id}")


def _bind_pushed(merchant_id: str, push: ArticlePush, article_system_id: int, *, resolve: bool) -> bool:
    """In the ledger lane: bind the SKU, and close its quarantine entry if it had one."""
    existed = record_pushed(merchant_id, push.item.sku, article_system_id=article_system_id,
                            pushed_hash=push.payload_hash, starweb_product_id=push.item.product_id,
                            starweb_variant_id=push.item.variant_id, is_active=push.item.is_active)
    if resolve:
        with ledger().session() as session:
            quarantine.resolve(session, merchant_id, ARTICLE_KIND, push.item.sku, "sent")
    return existed


def record_pushed(merchant_id: str, sku: str, *, article_system_id: int, pushed_hash: str,
                  starweb_product_id: int | None, starweb_variant_id: int | None, is_active: bool) -> bool:
    """Bind the SKU to the article Ongoing answered with; returns whether it had a binding before. One row
    per pushed SKU, not the whole catalogue, so a first push stays linear."""
    def bind() -> bool:
        with ledger().session() as session:
            existed = bindings.find_article(session, merchant_id, sku) is not None
            bindings.mark_article_pushed(session, merchant_id, sku=sku, article_system_id=article_system_id,
                                         pushed_hash=pushed_hash, starweb_product_id=starweb_product_id,
                                         starweb_variant_id=starweb_variant_id, is_active=is_active)
            return existed

    try:
        return bind()
    except IntegrityError:
        # A stock sync of the merchant bound the SKU between our read and our write (it binds SKUs it finds
        # on both sides): read again, and that binding is updated instead of added twice.
        return bind()


@task(name="retire-removed-articles", cache_policy=NO_CACHE)
async def retire_removed_articles(merchant: MerchantConfig, removed: list[str], dry_run: bool, *,
                                  retry: bool = False) -> tuple[list[Outcome], list[str]]:
    """List SKUs gone from Starweb for a person (worklist artifact) and, if configured, deactivate them.
    ``retry``: deactivations that failed before and are due again (already listed, not listed again)."""
    batch = Batch(merchant, dry_run)
    if not removed:
        return batch.outcomes, batch.unexpected
    if not retry:
        await _list_removed(merchant, removed, dry_run)
    if not merchant.products.deactivate_removed:
        for sku in removed:
            batch.add(f"SKU {sku}", "listed", "removed in Starweb; left active in Ongoing (config)")
            batch.resolve(ARTICLE_KIND, sku, "left active in Ongoing (config)")
        return batch.outcomes, batch.unexpected
    async with await ongoing_client(merchant) as warehouse:
        for sku in removed:
            payload = retired_article(sku)
            try:
                answer = await batch.write("ongoing", "PUT /articles", sku, partial(warehouse.put_article, payload))
            except DryRun:
                batch.add(f"SKU {sku}", "would deactivate", "removed in Starweb")
                continue
            except Exception as error:
                batch.quarantine(ARTICLE_KIND, sku, f"SKU {sku}", error, payload={"retire": True})
                continue
            record_pushed(merchant.merchant_id, sku, article_system_id=answer.article_system_id,
                          pushed_hash=payload_hash(payload), starweb_product_id=None, starweb_variant_id=None,
                          is_active=False)
            batch.resolve(ARTICLE_KIND, sku, "deactivated")
            batch.add(f"SKU {sku}", "deactivated", "removed in Starweb; isActive=false in Ongoing")
    return batch.outcomes, batch.unexpected


@dataclass
class EnsuredArticles:
    """What ``ensure_articles`` did, and the SKUs that are still not (or would not be) Ongoing articles."""

    outcomes: list[Outcome] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)  # SKU -> why it is not an article


async def ensure_articles(merchant: MerchantConfig, products: list[tuple[Product, list[Variant]]],
                          skus: Collection[str], dry_run: bool, *,
                          in_warehouse: Collection[str] | None = None) -> EnsuredArticles:
    """Make every SKU an Ongoing article, pushing the missing ones from ``products`` exactly as the product
    sync does (whatever the ledger says was pushed before), then reading back which exist."""
    wanted = set(skus)
    present = set(in_warehouse) if in_warehouse is not None else set(await fetch_articles(merchant, wanted))
    missing = wanted - present
    result = EnsuredArticles()
    if not missing:
        return result
    plan = restrict_plan(plan_article_pushes(products, {}), missing)
    result.outcomes, result.unexpected = await push_articles(merchant, plan, dry_run)
    for refusal in plan.refusals:
        result.unavailable[refusal.item.sku] = f"its article cannot be created in Ongoing: {refusal.error}"
    planned = {push.item.sku for push in plan.pushes}
    for sku in sorted(missing - planned - result.unavailable.keys()):
        result.unavailable[sku] = "it is neither an Ongoing article nor a Starweb variant"
    if not dry_run and planned:
        created = await fetch_articles(merchant, planned)
        for sku in sorted(planned - created.keys()):
            result.unavailable[sku] = (f"its article could not be created in Ongoing (see the quarantine entry "
                                       f"for SKU {sku})")
    return result


async def _list_removed(merchant: MerchantConfig, removed: list[str], dry_run: bool) -> None:
    await acreate_table_artifact(
        [{"sku": sku, "action in Ongoing": "deactivated" if merchant.products.deactivate_removed else "none",
          "to do": "check stock and remove the article by hand if it is no longer sold"} for sku in removed],
        key=f"removed-products-{merchant.merchant_id}",
        description="Products removed in Starweb; Ongoing cannot delete articles through its API")
    if not dry_run:
        with ledger().session() as session:
            known = bindings.articles_by_sku(session, merchant.merchant_id)
            for sku in removed:
                bindings.mark_article_removed(known[sku])
