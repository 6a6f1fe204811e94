"""Deciding which products go to Ongoing as articles, and which SKUs left the shop.

A Starweb variant becomes an Ongoing article keyed by SKU. Only articles whose payload differs from
the last one pushed are sent. A SKU that disappeared from Starweb cannot be deleted in Ongoing (the API
has no delete): it is listed for a person and, if the merchant wants, deactivated.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.catalogue import CatalogueItem, SkippedVariant, catalogue_items, to_ongoing_article
from domain.hashing import payload_hash
from integrations.errors import MappingError
from integrations.ongoing.models import ArticleWrite
from integrations.starweb.models import Product, Variant


@dataclass(frozen=True)
class ArticlePush:
    item: CatalogueItem
    payload: ArticleWrite
    payload_hash: str


@dataclass(frozen=True)
class ArticleRefusal:
    item: CatalogueItem
    error: MappingError


@dataclass(frozen=True)
class ArticlePlan:
    pushes: list[ArticlePush]
    refusals: list[ArticleRefusal]
    unchanged: list[CatalogueItem]
    skipped: list[SkippedVariant]


def plan_article_pushes(products: Iterable[tuple[Product, list[Variant]]],
                        pushed_hashes: Mapping[str, str | None], *, lang_code: str = "sv") -> ArticlePlan:
    plan = ArticlePlan([], [], [], [])
    for product, variants in products:
        items, skipped = catalogue_items(product, variants, lang_code=lang_code)
        plan.skipped.extend(skipped)
        for item in items:
            try:
                payload = to_ongoing_article(item)
            except MappingError as error:
                plan.refusals.append(ArticleRefusal(item, error))
                continue
            digest = payload_hash(payload)
            if pushed_hashes.get(item.sku) == digest:
                plan.unchanged.append(item)
            else:
                plan.pushes.append(ArticlePush(item, payload, digest))
    return plan


def restrict_plan(plan: ArticlePlan, skus: Collection[str]) -> ArticlePlan:
    """The part of a plan that concerns these SKUs (e.g. the articles a purchase order needs first)."""
    wanted = set(skus)
    return ArticlePlan(pushes=[p for p in plan.pushes if p.item.sku in wanted],
                       refusals=[r for r in plan.refusals if r.item.sku in wanted],
                       unchanged=[i for i in plan.unchanged if i.sku in wanted], skipped=[])


def skus_in_shop(products: Iterable[tuple[Product, list[Variant]]]) -> set[str]:
    return {str(v.sku) for _, variants in products for v in variants if v.sku}


def removed_skus(bound_active: Iterable[str], in_shop: set[str]) -> list[str]:
    """SKUs the connector pushed as active articles that the shop no longer has."""
    return sorted(set(bound_active) - in_shop)


def removal_check_due(last_check: datetime | None, now: datetime, every_hours: float) -> bool:
    """The full catalogue is read to spot removed SKUs at most this often (it costs a page per 100)."""
    return last_check is None or now - last_check >= timedelta(hours=every_hours)
