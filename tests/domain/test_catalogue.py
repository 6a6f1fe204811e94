"""Starweb products as Ongoing articles: one per variant with a SKU, named so pickers can tell them apart."""

from __future__ import annotations

from typing import Any

import pytest

from domain.catalogue import CatalogueItem, SkippedVariant, catalogue_items, retired_article, to_ongoing_article
from integrations.errors import MappingError
from integrations.starweb.models import Product, Variant


def variant(variant_id: int = 1, sku: str | None = "POLE-CF-120", **overrides: Any) -> Variant:
    return Variant.model_validate({
        "variantId": variant_id, "sku": sku, "externalId": None, "isActive": True, "sortIndex": 0,
        "stockQuantity": 40, "weightInKg": 0.21, "costPrice": "120.50", "ean": "7350001000012", "mpn": "KF-120",
        "attributeValueLinks": [], **overrides,
    })


def product(*names: tuple[str, str], product_id: int = 5) -> Product:
    return Product.model_validate({
        "productId": product_id, "type": "basic", "visibility": "visible", "hasSeveralVariants": False,
        "languages": {"data": [{"langCode": lang, "name": name, "shortDescription": None} for lang, name in names]},
    })


POLE = product(("sv", "Vandringsstav Kolfiber"), ("en", "Carbon hiking pole"))


def names(items: list[CatalogueItem]) -> list[str]:
    return [item.name for item in items]


def test_a_single_variant_becomes_one_article_named_after_the_product() -> None:
    items, skipped = catalogue_items(POLE, [variant()])
    assert items == [CatalogueItem(sku="POLE-CF-120", product_id=5, variant_id=1, name="Vandringsstav Kolfiber",
                                   ean="7350001000012", mpn="KF-120", weight_kg=0.21, is_active=True)]
    assert skipped == []
    assert to_ongoing_article(items[0]).to_wire() == {
        "articleNumber": "POLE-CF-120", "articleName": "Vandringsstav Kolfiber",
        "barCodeInfo": {"barCode": "7350001000012"}, "supplierInfo": {"supplierArticleNumber": "KF-120"},
        "weight": 0.21, "isStockArticle": True, "isActive": True,
    }


def test_variants_of_one_product_get_their_sku_in_the_name() -> None:
    items, _ = catalogue_items(POLE, [variant(1, "POLE-CF-120"), variant(2, "POLE-CF-135")])
    assert names(items) == ["Vandringsstav Kolfiber (POLE-CF-120)", "Vandringsstav Kolfiber (POLE-CF-135)"]


def test_variants_without_a_sku_are_skipped_with_the_reason() -> None:
    items, skipped = catalogue_items(POLE, [variant(1, None), variant(2, "  "), variant(3, "POLE-CF-135")])
    assert [item.sku for item in items] == ["POLE-CF-135"]
    assert names(items) == ["Vandringsstav Kolfiber"]  # the only article of the product needs no SKU suffix
    assert skipped == [SkippedVariant(5, 1, "the variant has no SKU"), SkippedVariant(5, 2, "the variant has no SKU")]


@pytest.mark.parametrize(
    ("languages", "expected_name"),
    [
        ((("en", "Carbon hiking pole"), ("sv", "Vandringsstav Kolfiber")), "Vandringsstav Kolfiber"),
        ((("en", "Carbon hiking pole"), ("de", "Wanderstock")), "Carbon hiking pole"),  # no Swedish: the first
        ((), "POLE-CF-120"),  # no name at all: the SKU
    ],
)
def test_the_name_is_the_swedish_one_else_the_first(languages: tuple, expected_name: str) -> None:
    items, _ = catalogue_items(product(*languages), [variant()])
    assert names(items) == [expected_name]


@pytest.mark.parametrize(
    ("variant_count", "expected_name"),
    [(1, "A" * 99 + "…"), (2, "A" * 85 + "… (POLE-CF-120)")],
)
def test_long_names_are_cut_to_100_characters_keeping_the_sku_visible(variant_count: int, expected_name: str) -> None:
    variants = [variant(1, "POLE-CF-120"), variant(2, "POLE-CF-135")][:variant_count]
    items, _ = catalogue_items(product(("sv", "A" * 150)), variants)
    assert items[0].name == expected_name and len(expected_name) == 100


def test_an_inactive_variant_without_ean_mpn_or_weight_becomes_an_inactive_bare_article() -> None:
    (item,), _ = catalogue_items(POLE, [variant(isActive=False, ean=" ", mpn=None, weightInKg=None)])
    assert to_ongoing_article(item).to_wire() == {
        "articleNumber": "POLE-CF-120", "articleName": "Vandringsstav Kolfiber", "isStockArticle": True,
        "isActive": False,
    }


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"sku": "P" * 51}, "articleNumber is 51 characters long, Ongoing takes at most 50"),
        ({"ean": "7" * 60}, "barCodeInfo.barCode is 60 characters long, Ongoing takes at most 50"),
        ({"mpn": "M" * 55}, "supplierInfo.supplierArticleNumber is 55 characters long, Ongoing takes at most 50"),
    ],
)
def test_a_sku_ean_or_mpn_longer_than_ongoing_takes_is_refused_naming_sku_field_limit_and_length(
    overrides: dict, expected: str
) -> None:
    (item,), _ = catalogue_items(POLE, [variant(**overrides)])
    with pytest.raises(MappingError) as raised:
        to_ongoing_article(item)
    assert f"SKU {item.sku} (product 5, variant 1)" in str(raised.value)
    assert expected in str(raised.value)


def test_a_retired_article_is_only_deactivated() -> None:
    assert retired_article("POLE-CF-120").to_wire() == {"articleNumber": "POLE-CF-120", "isActive": False}
