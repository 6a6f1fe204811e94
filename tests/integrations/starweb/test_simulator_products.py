"""The catalogue over real HTTP: products, variants, SKU uniqueness, ``updatedSince`` and stock."""

from __future__ import annotations

from tests.integrations.starweb.sim_fixtures import (  # noqa: F401
    place_order,
    shop_fixture,
    sim_admin_fixture,
    starweb_sim_fixture,
    variant_for_sku,
)


def new_product(sku: str, **extra: object) -> dict:
    return {"visibility": "visible", "defaultVatRate": 25, "languages": [{"langCode": "sv", "name": "Sittunderlag"},
                                                                          {"langCode": "en", "name": "Seat pad"}],
            "variants": [{"sku": sku, "stockQuantity": 12, "weightInKg": 0.12, "costPrice": 40.5,
                          "prices": [{"pricelistId": 1, "priceExVat": 119.2}]}], **extra}


def test_a_product_is_created_with_its_variant_and_reads_back_in_the_spec_shape(shop) -> None:
    created = shop.post("/products", json=new_product("PAD-01"))
    assert created.status_code == 201
    product = created.json()["data"]
    assert product["visibility"] == "visible" and product["hasSeveralVariants"] is False
    assert product["defaultVatRate"] == "25" and product["externalId"] is None

    listed = shop.get("/products", params={"filterSku": "PAD-01", "include": "primaryVariant.prices,languages"})
    entry = listed.json()["data"][0]
    variant = entry["primaryVariant"]["data"]
    assert variant["sku"] == "PAD-01" and variant["stockQuantity"] == 12 and variant["costPrice"] == "40.5"
    assert variant["prices"]["data"][0]["priceExVat"] == 119.2
    assert entry["languages"]["data"] == [  # a list carries one language, the shop's default
        {"langCode": "sv", "name": "Sittunderlag", "shortDescription": None, "permalink": None}]
    one = shop.get(f"/products/{product['productId']}", params={"include": "languages"}).json()["data"]
    assert {lang["langCode"] for lang in one["languages"]["data"]} == {"sv", "en"}


def test_a_sku_already_in_the_shop_or_twice_in_one_request_is_a_400(shop) -> None:
    taken = shop.post("/products", json=new_product("THERMOS-1L"))
    assert taken.status_code == 400 and "THERMOS-1L" in taken.json()["error_description"]
    twice = new_product("PAD-02")
    twice["variants"].append({"sku": "PAD-02"})
    assert shop.post("/products", json=twice).status_code == 400

    product_id, _ = variant_for_sku(shop, "SOCK-MER-38")
    assert shop.post(f"/products/{product_id}/variants", json={"sku": "SOCK-MER-42"}).status_code == 400
    assert shop.post(f"/products/{product_id}/variants", json={"sku": "S" * 41}).status_code == 400
    assert shop.get("/products", params={"filterSku": "PAD-02"}).json()["data"] == []


def test_filter_sku_finds_the_product_of_any_variant(shop) -> None:
    product_id, variant = variant_for_sku(shop, "SOCK-MER-46")  # third variant of the sock product
    assert variant["sortIndex"] == 2
    product = shop.get(f"/products/{product_id}").json()["data"]
    assert product["hasSeveralVariants"] is True
    assert shop.get("/products", params={"filterSku": "NOPE"}).json()["data"] == []
    assert shop.get("/products", params={"filterSku": "bad sku!"}).status_code == 400


def test_updated_since_returns_only_products_changed_since_then(shop, sim_admin) -> None:
    sim_admin.post("/clock/advance", json={"seconds": 120}).raise_for_status()
    since = sim_admin.get("/clock").json()["now"]
    sock_product, sock = variant_for_sku(shop, "SOCK-MER-42")
    tent_product, _ = variant_for_sku(shop, "TENT-FJ2")
    shop.patch(f"/products/{sock_product}/variants/{sock['variantId']}", json={"stockQuantity": 7}).raise_for_status()
    shop.patch(f"/products/{tent_product}", json={"moreInfoUrl": "https://example.se/talt"}).raise_for_status()

    changed = shop.get("/products", params={"updatedSince": since}).json()
    assert [p["productId"] for p in changed["data"]] == [sock_product, tent_product]
    assert changed["meta"]["pagination"]["total"] == 2
    assert len(shop.get("/products").json()["data"]) == 5


def test_a_variant_stock_patch_is_what_the_shop_shows_afterwards(shop) -> None:
    product_id, variant = variant_for_sku(shop, "HEADLAMP-400")
    patched = shop.patch(f"/products/{product_id}/variants/{variant['variantId']}", json={"stockQuantity": 17})
    assert patched.status_code == 200 and patched.json()["data"]["stockQuantity"] == 17
    again = shop.get(f"/products/{product_id}/variants/{variant['variantId']}").json()["data"]
    assert again["stockQuantity"] == 17 and again["ean"] == variant["ean"]


def test_placing_and_changing_order_rows_moves_variant_stock(shop) -> None:
    _, before = variant_for_sku(shop, "THERMOS-1L")
    order = place_order(shop, items=[{"sku": "THERMOS-1L", "quantity": 3}])
    assert variant_for_sku(shop, "THERMOS-1L")[1]["stockQuantity"] == before["stockQuantity"] - 3

    item_id = shop.get(f"/orders/{order['orderId']}/items").json()["data"][0]["itemId"]
    shop.patch(f"/orders/{order['orderId']}/items/{item_id}", json={"quantity": 1}).raise_for_status()
    assert variant_for_sku(shop, "THERMOS-1L")[1]["stockQuantity"] == before["stockQuantity"] - 1
    shop.delete(f"/orders/{order['orderId']}/items/{item_id}").raise_for_status()
    assert variant_for_sku(shop, "THERMOS-1L")[1]["stockQuantity"] == before["stockQuantity"]


def test_a_product_patch_leaves_its_variants_alone(shop) -> None:
    product_id, _ = variant_for_sku(shop, "POLE-CF-135")
    shop.patch(f"/products/{product_id}", json={
        "languages": [{"langCode": "en", "name": "Carbon hiking pole"}],
        "variants": [{"sku": "SOMETHING-ELSE", "stockQuantity": 0}]}).raise_for_status()
    variants = shop.get(f"/products/{product_id}/variants").json()
    assert [v["sku"] for v in variants["data"]] == ["POLE-CF-120", "POLE-CF-135"]
    assert variants["meta"]["pagination"]["total"] == 2
    names = shop.get(f"/products/{product_id}", params={"include": "languages"}).json()["data"]["languages"]["data"]
    assert {lang["langCode"]: lang["name"] for lang in names} == {"sv": "Vandringsstav Kolfiber",
                                                                  "en": "Carbon hiking pole"}


def test_a_deleted_product_and_its_variants_stay_gone(shop) -> None:
    product_id, variant = variant_for_sku(shop, "TENT-FJ2")
    assert shop.delete(f"/products/{product_id}").status_code == 204
    assert shop.get(f"/products/{product_id}").status_code == 404
    assert shop.get(f"/products/{product_id}/variants/{variant['variantId']}").status_code == 404
    assert shop.get("/products", params={"filterSku": "TENT-FJ2"}).json()["data"] == []
    recreated = shop.post("/products", json=new_product("TENT-FJ2")).json()["data"]
    assert recreated["productId"] > product_id  # ids are never reused
