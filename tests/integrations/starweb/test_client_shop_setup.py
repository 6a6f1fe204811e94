"""The shop's set-up through the Starweb client: statuses, methods, tracking types, web hooks, the shop."""

from __future__ import annotations

from decimal import Decimal

import pytest
import respx

from integrations.starweb.client import StarwebClient
from integrations.starweb.models import WebHookWrite
from tests.integrations.starweb import payloads
from tests.integrations.starweb.conftest import sent_json


async def test_order_statuses_are_listed_with_id_codes_and_names(starweb: respx.MockRouter,
                                                                 client: StarwebClient) -> None:
    starweb.get("/order-statuses").respond(json=payloads.collection([
        payloads.order_status(1, "created", "Mottagen"), payloads.order_status(3, "completed", "Skickad"),
        payloads.order_status(6, None, "Behandlad", should_send_email=False)]))

    statuses = await client.list_order_statuses()

    assert [(s.status_id, s.id_code, s.name, s.should_send_email) for s in statuses] == [
        (1, "created", "Mottagen", True), (3, "completed", "Skickad", True), (6, None, "Behandlad", False)]


async def test_shipping_and_payment_methods_and_tracking_types(starweb: respx.MockRouter,
                                                               client: StarwebClient) -> None:
    starweb.get("/shipping-methods").respond(json=payloads.collection([
        payloads.shipping_method(3, "PostNord Parcel", "PN|PNPARCEL"), payloads.shipping_method(4, "Hämta i butik")]))
    starweb.get("/payment-methods").respond(json=payloads.collection([payloads.payment_method()]))
    starweb.get("/shipping-tracking-types").respond(json=payloads.collection([
        {"type": 1, "name": "Posten Sverige"}, {"type": 2, "name": "DB Schenker"}]))

    shipping = await client.list_shipping_methods()
    payment = await client.list_payment_methods()
    tracking = await client.list_shipping_tracking_types()

    assert [(m.shipping_method_id, m.name, m.external_id) for m in shipping] == [
        (3, "PostNord Parcel", "PN|PNPARCEL"), (4, "Hämta i butik", None)]
    assert [(m.payment_method_id, m.id_code, m.name, m.fee) for m in payment] == [
        (1, "klarna_checkout", "Klarna", Decimal("0"))]
    assert [(t.type, t.name) for t in tracking] == [(1, "Posten Sverige"), (2, "DB Schenker")]


async def test_web_hooks_can_be_listed_created_read_changed_and_deleted(starweb: respx.MockRouter,
                                                                        client: StarwebClient) -> None:
    starweb.get("/web-hooks").respond(json=payloads.collection([payloads.web_hook(1)]))
    created = starweb.post("/web-hooks").respond(201, json=payloads.item(payloads.web_hook(2)))
    starweb.get("/web-hooks/2").respond(json=payloads.item(payloads.web_hook(2)))
    patched = starweb.patch("/web-hooks/2").respond(json=payloads.item(payloads.web_hook(2, statusId=4)))
    deleted = starweb.delete("/web-hooks/2").respond(204)

    listed = await client.list_web_hooks()
    hook = await client.create_web_hook(WebHookWrite(name="Order status changed", event="order-status-changed",
                                                     status_id=3, url="https://connector.example/hooks/starweb"))
    fetched = await client.get_web_hook(2)
    changed = await client.patch_web_hook(2, WebHookWrite(status_id=4))
    await client.delete_web_hook(2)

    assert [h.web_hook_id for h in listed] == [1]
    assert sent_json(created) == {"name": "Order status changed", "event": "order-status-changed", "statusId": 3,
                                  "url": "https://connector.example/hooks/starweb"}
    assert (hook.web_hook_id, fetched.url) == (2, "https://connector.example/hooks/starweb")
    assert sent_json(patched) == {"statusId": 4}
    assert changed.status_id == 4
    assert deleted.call_count == 1


def test_an_unknown_web_hook_event_is_refused_before_sending() -> None:
    with pytest.raises(ValueError, match="event"):
        WebHookWrite(event="order-shipped")


async def test_get_shop(starweb: respx.MockRouter, client: StarwebClient) -> None:
    starweb.get("/shop").respond(json=payloads.item(payloads.shop()))

    shop = await client.get_shop()

    assert (shop.id_code, shop.base_currency, shop.default_lang_code, shop.active_lang_codes) == (
        "fjallbutiken", "SEK", "sv", ["sv", "en"])
