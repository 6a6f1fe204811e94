"""Stock bookkeeping: where each SKU lives in Starweb, and Starweb's stock figure as last written or seen.

The variant index is the article bindings' Starweb product and variant ids, kept fresh by the stock sync
when it finds a SKU somewhere else. The stock levels are the baseline of the one-stock-master check:
what Starweb showed for a SKU, bracketed by the moments just before and just after the read or write
that showed it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.models import ArticleBinding, StockLevel
from ledger.types import utcnow

# SKUs per IN list: a whole catalogue in one list would pass PostgreSQL's 65 535 bound parameters.
SKUS_PER_QUERY = 10_000


# Rows written per flush: the session lets go of each flushed chunk, so a catalogue-sized write holds one
# chunk of ORM objects at a time (50 000 held at once took over 150 MiB).
ROWS_PER_FLUSH = 2_000


def _chunks(skus: Iterable[str], size: int = SKUS_PER_QUERY) -> Iterator[list[str]]:
    wanted = list(dict.fromkeys(skus))
    for start in range(0, len(wanted), size):
        yield wanted[start:start + size]


def _flush_and_let_go(session: Session, rows: Iterable[object]) -> None:
    """Write the rows' changes in the open transaction, then drop them from the session's identity map."""
    session.flush()
    for row in rows:
        session.expunge(row)


@dataclass(frozen=True)
class VariantPlace:
    """Where a SKU's stock lives in Starweb."""

    product_id: int
    variant_id: int


# --- the variant index ------------------------------------------------------------------------


def variant_index(session: Session, merchant_id: str) -> dict[str, VariantPlace]:
    """SKU → Starweb variant for every SKU bound to one and not known to be gone from the shop."""
    found = session.scalars(select(ArticleBinding).where(
        ArticleBinding.merchant_id == merchant_id, ArticleBinding.starweb_product_id.is_not(None),
        ArticleBinding.starweb_variant_id.is_not(None), ArticleBinding.removed_in_starweb_at.is_(None)))
    return {b.sku: VariantPlace(int(b.starweb_product_id or 0), int(b.starweb_variant_id or 0)) for b in found}


def index_variants(session: Session, merchant_id: str, places: Mapping[str, VariantPlace],
                   article_ids: Mapping[str, int]) -> int:
    """Remember where these SKUs live in Starweb; returns how many bindings changed.

    A SKU with no binding yet is bound only when its Ongoing article is known (``article_ids``): a
    binding means the SKU exists on both sides, and the product sync retires bound SKUs that leave the
    shop."""
    changed = 0
    for chunk in _chunks(places, ROWS_PER_FLUSH):
        bound = {b.sku: b for b in session.scalars(select(ArticleBinding).where(
            ArticleBinding.merchant_id == merchant_id, ArticleBinding.sku.in_(chunk)))}
        for sku in chunk:
            place, binding = places[sku], bound.get(sku)
            if binding is None:
                if sku not in article_ids:
                    continue
                binding = bound[sku] = ArticleBinding(merchant_id=merchant_id, sku=sku,
                                                      article_system_id=article_ids[sku], is_active=True)
                session.add(binding)
            elif (binding.starweb_product_id, binding.starweb_variant_id) == (place.product_id, place.variant_id):
                continue
            binding.starweb_product_id, binding.starweb_variant_id = place.product_id, place.variant_id
            changed += 1
        _flush_and_let_go(session, bound.values())
    return changed


# --- Starweb's stock figures --------------------------------------------------------------------


def stock_levels(session: Session, merchant_id: str, skus: Iterable[str] | None = None) -> dict[str, StockLevel]:
    query = select(StockLevel).where(StockLevel.merchant_id == merchant_id)
    if skus is None:
        return {level.sku: level for level in session.scalars(query)}
    return {level.sku: level for chunk in _chunks(skus)
            for level in session.scalars(query.where(StockLevel.sku.in_(chunk)))}


def _level(session: Session, merchant_id: str, sku: str) -> StockLevel | None:
    return session.scalars(select(StockLevel).where(StockLevel.merchant_id == merchant_id,
                                                    StockLevel.sku == sku)).first()


def record_seen(session: Session, merchant_id: str, seen: Mapping[str, int], *, seen_from: datetime,
                seen_until: datetime) -> None:
    """Starweb showed these figures during a read that ran from ``seen_from`` to ``seen_until``."""
    for chunk in _chunks(seen, ROWS_PER_FLUSH):
        known = stock_levels(session, merchant_id, chunk)
        for sku in chunk:
            level = known.get(sku)
            if level is None:
                level = known[sku] = StockLevel(merchant_id=merchant_id, sku=sku)
                session.add(level)
            level.seen_quantity, level.seen_from, level.seen_until = seen[sku], seen_from, seen_until
        _flush_and_let_go(session, known.values())


def record_written(session: Session, merchant_id: str, sku: str, quantity: int, *, sent_at: datetime,
                   answered_at: datetime | None = None) -> StockLevel:
    """The connector set Starweb's figure: the write was sent at ``sent_at`` and answered at ``answered_at``."""
    answered_at = answered_at or utcnow()
    level = _level(session, merchant_id, sku)
    if level is None:
        level = StockLevel(merchant_id=merchant_id, sku=sku)
        session.add(level)
    level.written_quantity, level.written_at = quantity, answered_at
    level.seen_quantity, level.seen_from, level.seen_until = quantity, sent_at, answered_at
    session.flush()
    return level
