"""The admin surface and the shop's fixed registers: seeding, reset, faults, web hooks, shop data."""

from __future__ import annotations

from typing import Any

import httpx

from tests.integrations.starweb.sim_fixtures import (  # noqa: F401
    fetch_token,
    place_order,
    shop_fixture,
    sim_admin_fixture,
    starweb_sim_fixture,
)


def shop_snapshot(shop: httpx.Client) -> dict[str, Any]:
    products = shop.get("/products", params={"include": "languages"}).json()["data"]
    return {
        "statuses": shop.get("/order-statuses").json(),
        "shipping": shop.get("/shipping-methods").json(),
        "payment": shop.get("/payment-methods").json(),
        "tracking": shop.get("/shipping-tracking-types").json(),
        "shop": shop.get("/shop").json(),
        "products": products,
        "variants": [shop.get(f"/products/{p['productId']}/variants").json() for p in products],
    }


def test_seeding_twice_yields_the_same_shop(shop, sim_admin) -> None:
    first = shop_snapshot(shop)
    again = sim_admin.post("/seed").json()
    assert again["productsCreated"] == 0
    assert shop_snapshot(shop) == first
    assert len(first["products"]) == 5 and sum(len(v["data"]) for v in first["variants"]) == 8


def test_seeding_keeps_a_running_scenarios_stock(shop, sim_admin) -> None:
    place_order(shop, items=[{"sku": "HEADLAMP-400", "quantity": 2}])
    sim_admin.post("/seed").raise_for_status()
    stock = shop.get("/products", params={"filterSku": "HEADLAMP-400", "include": "primaryVariant"}).json()
    assert stock["data"][0]["primaryVariant"]["data"]["stockQuantity"] == 1  # seeded 3, two sold


def test_reset_empties_the_shop_but_keeps_tokens(shop, sim_admin) -> None:
    place_order(shop)
    sim_admin.post("/reset").raise_for_status()
    assert shop.get("/orders").json()["data"] == []
    assert shop.get("/products").json()["meta"]["pagination"]["total"] == 0
    assert shop.get("/order-statuses").json() == {"data": []}


def test_issued_tokens_are_counted_and_expiring_them_leaves_none_valid(starweb_sim, sim_admin) -> None:
    before = sim_admin.get("/tokens").json()
    fetch_token(f"{starweb_sim.root_url}/api/v2")
    fetch_token(f"{starweb_sim.root_url}/api/v2")
    after = sim_admin.get("/tokens").json()
    assert after["issued"] == before["issued"] + 2
    assert after["valid"] == before["valid"] + 2
    sim_admin.post("/tokens/expire").raise_for_status()
    assert sim_admin.get("/tokens").json() == {"issued": after["issued"], "valid": 0}


def test_the_read_only_registers_come_from_the_demo_data(shop) -> None:
    shipping = shop.get("/shipping-methods").json()["data"]
    assert [(m["shippingMethodId"], m["externalId"]) for m in shipping] == [
        (1, "SBTL-BPA"), (2, "PLAB-P19"), (3, "PLAB-P18"), (4, None)]
    assert shipping[0]["languages"]["data"][0]["name"] == "Schenker Parcel"
    assert shop.get("/shipping-methods/4").json()["data"]["isClickAndCollect"] is True
    assert shop.get("/shipping-methods/9").status_code == 404
    assert shop.get("/payment-methods/2").json()["data"]["idCode"] == "invoice"
    assert shop.get("/shipping-tracking-types").json()["data"][0] == {"type": 1, "name": "Posten Sverige"}
    assert shop.get("/shop").json()["data"]["idCode"] == "fjallbutiken"


def test_web_hooks_accept_only_the_specs_events(shop) -> None:
    refused = shop.post("/web-hooks", json={"name": "x", "event": "order-shipped", "url": "https://example.se/h"})
    assert refused.status_code == 400
    hook = shop.post("/web-hooks", json={"name": "Status", "event": "order-status-changed", "statusId": 3,
                                         "url": "https://connector.example.se/starweb"}).json()["data"]
    assert hook == {"webHookId": hook["webHookId"], "name": "Status", "event": "order-status-changed",
                    "statusId": 3, "url": "https://connector.example.se/starweb"}
    patched = shop.patch(f"/web-hooks/{hook['webHookId']}", json={"statusId": None}).json()["data"]
    assert patched["statusId"] is None and patched["event"] == "order-status-changed"
    assert shop.get("/web-hooks").json()["data"] == [patched]
    assert shop.patch(f"/web-hooks/{hook['webHookId']}", json={"url": "u" * 256}).status_code == 400
    assert shop.delete(f"/web-hooks/{hook['webHookId']}").status_code == 204
    assert shop.get(f"/web-hooks/{hook['webHookId']}").status_code == 404


def fault_sequence(shop: httpx.Client, sim_admin: httpx.Client) -> list[int]:
    sim_admin.post("/faults", json={"rate_429": 0.25, "rate_500": 0.25, "seed": 2024}).raise_for_status()
    return [shop.get("/order-statuses").status_code for _ in range(40)]


def test_a_seeded_fault_configuration_gives_the_same_failures_twice(shop, sim_admin) -> None:
    first = fault_sequence(shop, sim_admin)
    second = fault_sequence(shop, sim_admin)
    assert first == second
    assert {200, 429, 500} <= set(first)


def test_a_scripted_429_carries_retry_after_and_starwebs_error_shape(shop, sim_admin) -> None:
    sim_admin.post("/faults", json={"retry_after_seconds": 2, "scripted": [
        {"fault": "429", "method": "PATCH", "path_contains": "/orders/"}]}).raise_for_status()
    order_id = place_order(shop)["orderId"]  # a POST: not matched

    limited = shop.patch(f"/orders/{order_id}", json={"internalComment": "x"})
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "2"
    assert set(limited.json()) == {"error", "error_description"}
    assert shop.patch(f"/orders/{order_id}", json={"internalComment": "x"}).status_code == 200
    assert sim_admin.get("/emails").status_code == 200  # the admin surface is never faulted
