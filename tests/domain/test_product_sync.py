"""Product sync decisions: which variants are pushed as articles, which are unchanged, refused or skipped,
which SKUs left the shop, and when the full catalogue is read to find out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.catalogue import SkippedVariant, catalogue_items, to_ongoing_article
from domain.hashing import payload_hash
from domain.product_sync import ArticlePlan, plan_article_pushes, removal_check_due, removed_skus, skus_in_shop
from integrations.starweb.models import Product, Variant
from tests.integrations.starweb.payloads import product as product_json
from tests.integrations.starweb.payloads import variant as variant_json

Catalogue = list[tuple[Product, list[Variant]]]


def product(product_id: int, name: str, *variants: dict[str, Any]) -> tuple[Product, list[Variant]]:
    """A product and its variants as Starweb lists them."""
    return Product.model_validate(product_json(product_id, name)), [Variant.model_validate(v) for v in variants]


SHOP: Catalogue = [
    product(1, "Vandringsstav Kolfiber", variant_json(11, "POLE-CF-120"), variant_json(12, "POLE-CF-135")),
    product(2, "Termos 1 liter", variant_json(21, "THERMOS-1L", ean="7350001000050")),
    product(3, "Ullstrumpa", variant_json(31, None), variant_json(32, "SOCK-MER-42")),
]


def pushed_hash_of(sku: str, catalogue: Catalogue = SHOP) -> str:
    """The hash the ledger holds after a push of this SKU as it is in ``catalogue``."""
    for p, variants in catalogue:
        for item in catalogue_items(p, variants).items:
            if item.sku == sku:
                return payload_hash(to_ongoing_article(item))
    raise LookupError(sku)


def outcome(plan: ArticlePlan) -> dict[str, list[str]]:
    return {"pushed": [p.item.sku for p in plan.pushes], "unchanged": [i.sku for i in plan.unchanged],
            "refused": [r.item.sku for r in plan.refusals]}


def test_a_first_sync_pushes_every_variant_with_a_sku_and_lists_the_others() -> None:
    plan = plan_article_pushes(SHOP, {})
    assert outcome(plan) == {"pushed": ["POLE-CF-120", "POLE-CF-135", "THERMOS-1L", "SOCK-MER-42"], "unchanged": [],
                             "refused": []}
    assert plan.skipped == [SkippedVariant(3, 31, "the variant has no SKU")]
    first = plan.pushes[0]
    assert first.payload.article_name == "Vandringsstav Kolfiber (POLE-CF-120)"
    assert first.payload_hash == payload_hash(first.payload)


def test_only_articles_that_changed_since_the_last_push_are_sent() -> None:
    renamed = [product(2, "Termos 1 liter, stål", variant_json(21, "THERMOS-1L", ean="7350001000050"))]
    hashes = {sku: pushed_hash_of(sku) for sku in ("POLE-CF-120", "POLE-CF-135", "THERMOS-1L", "SOCK-MER-42")}
    plan = plan_article_pushes(SHOP[:1] + renamed + SHOP[2:], hashes | {"SOCK-MER-42": None})
    assert outcome(plan) == {"pushed": ["THERMOS-1L", "SOCK-MER-42"], "unchanged": ["POLE-CF-120", "POLE-CF-135"],
                             "refused": []}
    assert plan.pushes[0].payload.article_name == "Termos 1 liter, stål"


def test_a_variant_ongoing_cannot_take_is_refused_and_the_rest_still_pushed() -> None:
    catalogue = [product(4, "Pannlampa", variant_json(41, "HEADLAMP-400", ean="7" * 60)), *SHOP[1:2]]
    plan = plan_article_pushes(catalogue, {})
    assert outcome(plan) == {"pushed": ["THERMOS-1L"], "unchanged": [], "refused": ["HEADLAMP-400"]}
    assert "barCodeInfo.barCode is 60 characters long" in str(plan.refusals[0].error)


def test_the_article_name_is_taken_in_the_requested_language() -> None:
    body = product_json(5, "Tält")
    body["languages"]["data"].append({"langCode": "en", "name": "Tent", "shortDescription": None, "permalink": None})
    plan = plan_article_pushes([(Product.model_validate(body), [Variant.model_validate(variant_json(51, "TENT-FJ2"))])],
                               {}, lang_code="en")
    assert [p.payload.article_name for p in plan.pushes] == ["Tent"]


def test_the_skus_in_the_shop_are_those_of_its_variants() -> None:
    assert skus_in_shop(SHOP) == {"POLE-CF-120", "POLE-CF-135", "THERMOS-1L", "SOCK-MER-42"}


@pytest.mark.parametrize(
    ("bound_active", "expected"),
    [
        (["THERMOS-1L", "POLE-CF-120"], []),
        (["TENT-FJ2", "THERMOS-1L", "BOOT-42", "TENT-FJ2"], ["BOOT-42", "TENT-FJ2"]),
        ([], []),
    ],
)
def test_skus_pushed_as_active_that_the_shop_no_longer_has_are_listed(bound_active: list[str],
                                                                      expected: list[str]) -> None:
    assert removed_skus(bound_active, skus_in_shop(SHOP)) == expected


NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("last_check", "every_hours", "due"),
    [(None, 24, True), (NOW - timedelta(hours=23, minutes=59), 24, False), (NOW - timedelta(hours=24), 24, True),
     (NOW - timedelta(hours=2), 1.5, True), (NOW - timedelta(hours=1), 1.5, False)],
)
def test_the_full_catalogue_is_read_for_removals_at_most_as_often_as_configured(
    last_check: datetime | None, every_hours: float, due: bool
) -> None:
    assert removal_check_due(last_check, NOW, every_hours) is due
