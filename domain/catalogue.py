"""The shop's catalogue as the warehouse sees it: one Ongoing article per Starweb variant with a SKU.

A Starweb product carries the name; its variants carry SKU, EAN, manufacturer part number and weight.
``catalogue_items`` flattens a product into ``CatalogueItem``s (variants without a SKU cannot become
articles and come back in ``skipped`` with the reason); ``to_ongoing_article`` turns one into the body
of Ongoing's article upsert, and ``retired_article`` deactivates an article whose variant is gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from domain.field_limits import ARTICLE_FIELD_LIMITS, cut, overlong_members, utf16_length
from integrations.errors import MappingError
from integrations.ongoing.models import ArticleBarCodeInfo, ArticleSupplierInfo, ArticleWrite
from integrations.starweb.models import Product, Variant

DEFAULT_LANGUAGE = "sv"


@dataclass(frozen=True)
class CatalogueItem:
    """One sellable variant, with everything the warehouse needs to know about it."""

    sku: str
    product_id: int
    variant_id: int
    name: str
    ean: str | None
    mpn: str | None
    weight_kg: float | None
    is_active: bool


@dataclass(frozen=True)
class SkippedVariant:
    product_id: int
    variant_id: int
    reason: str


class CatalogueMapping(NamedTuple):
    """What a product becomes: ``items, skipped = catalogue_items(product, variants)``."""

    items: list[CatalogueItem]
    skipped: list[SkippedVariant]


def catalogue_items(product: Product, variants: Sequence[Variant], *,
                    lang_code: str = DEFAULT_LANGUAGE) -> CatalogueMapping:
    """One item per variant with a SKU. The name is the product's in ``lang_code`` (else its first
    name); when several variants share it, each gets its SKU in parentheses so pickers can tell
    them apart. Names are cut to what Ongoing takes, keeping the SKU visible."""
    with_sku = [variant for variant in variants if _text(variant.sku)]
    skipped = [SkippedVariant(product.product_id, variant.variant_id, "the variant has no SKU")
               for variant in variants if not _text(variant.sku)]
    base_name = _text(product.name_in(lang_code)) or ""
    # Starweb variants have no names of their own: every variant of a product shares the product's.
    needs_sku_suffix = len(with_sku) > 1
    items = [
        CatalogueItem(
            sku=str(variant.sku),
            product_id=product.product_id,
            variant_id=variant.variant_id,
            name=_article_name(base_name, str(variant.sku), with_suffix=needs_sku_suffix),
            ean=_text(variant.ean),
            mpn=_text(variant.mpn),
            weight_kg=float(variant.weight_in_kg) if variant.weight_in_kg is not None else None,
            is_active=variant.is_active is not False,
        )
        for variant in with_sku
    ]
    return CatalogueMapping(items, skipped)


def to_ongoing_article(item: CatalogueItem) -> ArticleWrite:
    """The ``PUT /articles`` body for an item; a SKU, EAN or MPN longer than Ongoing takes is refused."""
    article = ArticleWrite(
        article_number=item.sku,
        article_name=item.name,
        bar_code_info=ArticleBarCodeInfo(bar_code=item.ean) if item.ean else None,
        supplier_info=ArticleSupplierInfo(supplier_article_number=item.mpn) if item.mpn else None,
        weight=item.weight_kg,
        is_stock_article=True,
        is_active=item.is_active,
    )
    problems = overlong_members(article.to_wire(), ARTICLE_FIELD_LIMITS)
    if problems:
        raise MappingError(f"SKU {item.sku} (product {item.product_id}, variant {item.variant_id}) cannot become "
                           f"an Ongoing article: {'; '.join(problems)}")
    return article


def retired_article(sku: str) -> ArticleWrite:
    """Deactivates an article (Ongoing has no delete) and leaves everything else as it is."""
    return ArticleWrite(article_number=sku, is_active=False)


def _article_name(base: str, sku: str, *, with_suffix: bool) -> str:
    limit = ARTICLE_FIELD_LIMITS["articleName"]
    if not base:
        return cut(sku, limit)
    if not with_suffix:
        return cut(base, limit)
    suffix = f" ({sku})"
    if utf16_length(suffix) >= limit:  # an absurd SKU; to_ongoing_article refuses it anyway
        return cut(sku, limit)
    return cut(base, limit - utf16_length(suffix)) + suffix


def _text(value: str | None) -> str | None:
    """A vendor text with blanks treated as absent."""
    return value.strip() if value and value.strip() else None
