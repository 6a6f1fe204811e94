"""The Starweb simulator calls its registered web-hooks: Starweb's documented body, per event, unsigned."""

from __future__ import annotations

import httpx

from tests.integrations.simulation.collector import (  # noqa: F401
    Collector,
    collector_fixture,
    collector_server_fixture,
)
from tests.integrations.starweb.sim_fixtures import (  # noqa: F401
    place_order,
    shop_fixture,
    sim_admin_fixture,
    starweb_sim_fixture,
)


def register(shop: httpx.Client, collector: Collector, event: str, **fields: object) -> None:
    body = {"name": f"test {event}", "event": event, "url": collector.url(f"/starweb/{event}"), **fields}
    assert shop.post("/web-hooks", json=body).status_code == 201


def sent(sim_admin: httpx.Client) -> list[dict]:
    return sim_admin.get("/web-hooks/deliveries", params={"waitSeconds": 10}).json()["data"]


def test_a_new_order_calls_the_order_created_hooks_with_starwebs_documented_body(shop, sim_admin,
                                                                                collector: Collector) -> None:
    register(shop, collector, "order-created")
    register(shop, collector, "product-created")  # another event: not called

    order = place_order(shop)
    sent(sim_admin)

    (call,) = collector.calls
    body = call["body"]
    assert set(body) == {"uuid", "eventId", "shopIdCode", "eventTimestamp", "orderId", "shippingMethodId",
                         "paymentMethodId", "orderStatusId", "orderStatusIdCode", "totalAmount", "currencyCode"}
    assert (body["eventId"], body["orderId"], body["shopIdCode"]) == ("order-created", order["orderId"], "fjallbutiken")
    assert (body["orderStatusIdCode"], body["totalAmount"], body["currencyCode"]) == ("created", "1294.68", "SEK")
    assert "authorization" not in call["headers"] and "x-auth-token" not in call["headers"]  # unsigned


def test_changes_fire_updated_status_changed_and_deleted_and_status_hooks_filter_by_status(
        shop, sim_admin, collector: Collector) -> None:
    for event in ("order-updated", "order-status-changed", "order-deleted"):
        register(shop, collector, event)
    register(shop, collector, "order-status-changed", statusId=3)  # only for status 3
    order_id = place_order(shop)["orderId"]

    shop.patch(f"/orders/{order_id}", json={"shippingTrackingNo": "SIM1"}).raise_for_status()
    shop.patch(f"/orders/{order_id}", json={"statusId": 2}).raise_for_status()
    shop.patch(f"/orders/{order_id}", json={"statusId": 3}).raise_for_status()
    shop.delete(f"/orders/{order_id}").raise_for_status()
    sent(sim_admin)

    # Deliveries may overtake each other, as Starweb's may.
    calls = sorted((c["body"]["eventId"], c["body"].get("orderStatusId")) for c in collector.calls)
    assert calls == [("order-deleted", 3), ("order-status-changed", 2), ("order-status-changed", 3),
                     ("order-status-changed", 3), ("order-updated", 1)]
    assert len({c["body"]["uuid"] for c in collector.calls}) == len(calls)


def test_product_routes_fire_product_hooks(shop, sim_admin, collector: Collector) -> None:
    for event in ("product-created", "product-updated", "product-removed"):
        register(shop, collector, event)

    created = shop.post("/products", json={"languages": [{"langCode": "sv", "name": "Test"}],
                                           "variants": [{"sku": "WEBHOOK-1"}]}).json()["data"]
    shop.patch(f"/products/{created['productId']}", json={"visibility": "hidden"}).raise_for_status()
    shop.delete(f"/products/{created['productId']}").raise_for_status()
    sent(sim_admin)

    assert sorted((c["body"]["eventId"], c["body"]["productId"]) for c in collector.calls) == [
        ("product-created", created["productId"]), ("product-removed", created["productId"]),
        ("product-updated", created["productId"])]


def test_deliveries_can_be_lost_by_seed_and_the_settings_reset(shop, sim_admin, collector: Collector) -> None:
    register(shop, collector, "order-created")
    sim_admin.put("/web-hooks/delivery", json={"lossRate": 1.0, "seed": 1}).raise_for_status()

    place_order(shop)
    log = sent(sim_admin)
    sim_admin.delete("/web-hooks/delivery").raise_for_status()
    place_order(shop)
    sent(sim_admin)

    assert [e["outcome"] for e in log] == ["lost"]
    assert len(collector.calls) == 1
    assert sim_admin.get("/web-hooks/delivery").json()["lossRate"] == 0.0
