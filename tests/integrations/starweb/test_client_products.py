"""Products and variants through the Starweb client: names from languages, stock on variants, paging."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
import respx

from integrations.errors import UnexpectedResponse
from integrations.starweb.client import StarwebClient
from integrations.starweb.models import ProductCreate, ProductLanguageWrite, ProductPatch, VariantPatch, VariantWrite
from tests.integrations.starweb import payloads
from tests.integrations.starweb.conftest import sent_json


def variants_answer(first_id: int, count: int) -> httpx.Response:
    # The spec gives the variants list no meta block, so none is sent here.
    return httpx.Response(200, json=payloads.collection(
        [payloads.variant(i, f"SKU-{i}") for i in range(first_id, first_id + count)]))


async def test_iter_products_sends_filters_and_reads_name_and_primary_variant(
        starweb: respx.MockRouter, client: StarwebClient) -> None:
    route = starweb.get("/products").mock(side_effect=[
        httpx.Response(200, json=payloads.page([payloads.product(i, f"Produkt {i}", f"SKU-{i}")
                                               for i in range(1, 101)], 1, 130)),
        httpx.Response(200, json=payloads.page([payloads.product(i, f"Produkt {i}", f"SKU-{i}")
                                               for i in range(101, 131)], 2, 130)),
    ])

    products = [p async for p in client.iter_products(updated_since=datetime(2024, 5, 1, tzinfo=UTC))]

    assert [call.request.url.params["page"] for call in route.calls] == ["1", "2"]
    params = route.calls[0].request.url.params
    assert (params["updatedSince"], params["include"]) == ("2024-05-01T00:00:00+00:00", "primaryVariant,languages")
    assert len(products) == 130
    first = products[0]
    assert first.name == "Produkt 1"
    assert first.primary_variant is not None
    assert (first.primary_variant.sku, first.primary_variant.stock_quantity) == ("SKU-1", 40)
    assert first.primary_variant.weight_in_kg == Decimal("0.21")


async def test_a_product_is_found_by_sku(starweb: respx.MockRouter, client: StarwebClient) -> None:
    route = starweb.get("/products").respond(json=payloads.page([payloads.product(7, sku="TENT-2P")], 1, 1))

    found = [p async for p in client.iter_products(filter_sku="TENT-2P", include=("primaryVariant",))]

    assert route.calls.last.request.url.params["filterSku"] == "TENT-2P"
    assert route.calls.last.request.url.params["include"] == "primaryVariant"
    assert [p.product_id for p in found] == [7]


async def test_languages_sent_as_a_bare_array_are_read_too(starweb: respx.MockRouter, client: StarwebClient) -> None:
    # Starweb 2.11 answered languages without the {"data": ...} wrapper.
    body = payloads.product(5, languages=[{"langCode": "en", "name": "Hiking pole"},
                                          {"langCode": "sv", "name": "Vandringsstav"}])
    starweb.get("/products/5").respond(json=payloads.item(body))

    product = await client.get_product(5)

    assert (product.name, product.name_in("sv")) == ("Hiking pole", "Vandringsstav")


async def test_create_product_sends_variants_and_languages_inline(starweb: respx.MockRouter,
                                                                  client: StarwebClient) -> None:
    route = starweb.post("/products").respond(201, json=payloads.item(payloads.product(9, "Termos", "THERMOS-1")))

    created = await client.create_product(ProductCreate(
        visibility="visible", languages=[ProductLanguageWrite(lang_code="sv", name="Termos")],
        variants=[VariantWrite(sku="THERMOS-1", stock_quantity=10, weight_in_kg=Decimal("0.45"),
                               ean="7350001000999", cost_price=Decimal("80.50"))]))

    assert sent_json(route) == {
        "visibility": "visible", "languages": [{"langCode": "sv", "name": "Termos"}],
        "variants": [{"sku": "THERMOS-1", "attributeValueLinks": [], "stockQuantity": 10, "weightInKg": 0.45,
                      "ean": "7350001000999", "costPrice": "80.50"}]}
    assert (created.product_id, created.name) == (9, "Termos")


async def test_patch_and_delete_product(starweb: respx.MockRouter, client: StarwebClient) -> None:
    patched = starweb.patch("/products/9").respond(json=payloads.item(payloads.product(9, visibility="hidden")))
    deleted = starweb.delete("/products/9").respond(204)

    product = await client.patch_product(9, ProductPatch(visibility="hidden"))
    await client.delete_product(9)

    assert sent_json(patched) == {"visibility": "hidden"}
    assert product.visibility == "hidden"
    assert deleted.call_count == 1


async def test_iter_variants_stops_at_a_short_page_when_there_is_no_meta(starweb: respx.MockRouter,
                                                                        client: StarwebClient) -> None:
    route = starweb.get("/products/1/variants").mock(side_effect=[variants_answer(1, 100), variants_answer(101, 5)])

    variants = [v async for v in client.iter_variants(1)]

    assert [call.request.url.params["page"] for call in route.calls] == ["1", "2"]
    assert [v.variant_id for v in variants] == list(range(1, 106))


async def test_iter_variants_refuses_to_loop_when_the_page_parameter_is_ignored(
        starweb: respx.MockRouter, client: StarwebClient) -> None:
    route = starweb.get("/products/1/variants").mock(side_effect=lambda request: variants_answer(1, 100))

    with pytest.raises(UnexpectedResponse, match="repeats page 1"):
        _ = [v async for v in client.iter_variants(1)]

    assert route.call_count == 2


async def test_stock_is_written_with_a_variant_patch_of_only_the_quantity(starweb: respx.MockRouter,
                                                                           client: StarwebClient) -> None:
    route = starweb.patch("/products/1/variants/2").respond(json=payloads.item(payloads.variant(2, stock=12)))

    variant = await client.patch_variant(1, 2, VariantPatch(stock_quantity=12))

    assert sent_json(route) == {"stockQuantity": 12}
    assert variant.stock_quantity == 12


async def test_variants_can_be_read_created_and_deleted(starweb: respx.MockRouter, client: StarwebClient) -> None:
    starweb.get("/products/1/variants/2").respond(json=payloads.item(payloads.variant(2, "POLE-CF-135",
                                                                                      stock=None)))
    created = starweb.post("/products/1/variants").respond(201, json=payloads.item(payloads.variant(3, "POLE-150")))
    deleted = starweb.delete("/products/1/variants/3").respond(204)

    variant = await client.get_variant(1, 2)
    new_variant = await client.create_variant(1, VariantWrite(sku="POLE-150", attribute_value_links=[4]))
    await client.delete_variant(1, 3)

    assert (variant.sku, variant.stock_quantity, variant.cost_price) == ("POLE-CF-135", None, Decimal("120.50"))
    assert sent_json(created) == {"sku": "POLE-150", "attributeValueLinks": [4]}
    assert new_variant.variant_id == 3
    assert deleted.call_count == 1
