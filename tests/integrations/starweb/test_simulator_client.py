"""The real Starweb client against the simulator: the simulator's answers parse with the client's
models, and calls go through ``StarwebClient`` end to end (token, paging, writes, faults)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from integrations.errors import AuthenticationFailed, RefusedByVendor
from integrations.http import CircuitBreaker, RetryPolicy
from integrations.simulation.server import RunningServer
from integrations.starweb.client import StarwebClient, StarwebSettings
from integrations.starweb.models import (
    Address,
    Order,
    OrderCreate,
    OrderItemWrite,
    OrderPatch,
    OrderStatus,
    Product,
    ProductCreate,
    ProductLanguageWrite,
    Variant,
    VariantPatch,
    VariantWrite,
)
from tests.integrations.starweb.sim_fixtures import (  # noqa: F401
    CLIENT_ID,
    CLIENT_SECRET,
    order_payload,
    place_order,
    shop_fixture,
    sim_admin_fixture,
    starweb_sim_fixture,
    variant_for_sku,
)


def client_for(server: RunningServer, *, secret: str = CLIENT_SECRET) -> StarwebClient:
    settings = StarwebSettings(base_url=f"{server.root_url}/api/v2", client_id=CLIENT_ID, client_secret=secret)
    return StarwebClient(settings, policy=RetryPolicy.no_wait(), breaker=CircuitBreaker(failure_threshold=50),
                         timeout=5)


@pytest.fixture
async def starweb_client(starweb_sim, sim_admin) -> AsyncIterator[StarwebClient]:
    async with client_for(starweb_sim) as client:
        yield client


def test_the_simulators_order_product_and_status_payloads_parse_with_the_client_models(shop) -> None:
    order_id = place_order(shop)["orderId"]
    raw_order = shop.get(f"/orders/{order_id}", params={"include": "items,addresses,status,externalServices"})
    order = Order.model_validate(raw_order.json()["data"])
    assert order.order_id == order_id and order.status is not None and order.status.id_code == "created"
    assert order.items is not None and [i.sku for i in order.items] == ["POLE-CF-120", "THERMOS-1L"]
    assert order.addresses is not None and order.addresses.original_delivery is not None
    assert order.addresses.original_delivery.city == "Östersund" and order.addresses.customer_invoice is None
    assert str(order.amount_to_pay) == "1618.35" and order.modified_at is not None
    assert order.modified_at.utcoffset() is not None

    raw_product = shop.get("/products", params={"filterSku": "SOCK-MER-42", "include": "primaryVariant,languages"})
    product = Product.model_validate(raw_product.json()["data"][0])
    assert product.name == "Ullstrumpa Merino" and product.has_several_variants is True
    assert product.primary_variant is not None and product.primary_variant.sku == "SOCK-MER-38"
    variants = shop.get(f"/products/{product.product_id}/variants", params={"include": "prices"}).json()["data"]
    parsed = [Variant.model_validate(v) for v in variants]
    assert [v.sku for v in parsed] == ["SOCK-MER-38", "SOCK-MER-42", "SOCK-MER-46"]
    assert parsed[1].prices is not None and str(parsed[1].prices[0].price_ex_vat) == "119.2"

    statuses = [OrderStatus.model_validate(s) for s in shop.get("/order-statuses").json()["data"]]
    assert [(s.id_code, s.name) for s in statuses[:2]] == [("created", "Mottagen"), ("picking", "Plockning")]


async def test_the_client_creates_an_order_and_reads_it_back(starweb_client, sim_admin) -> None:
    created = await starweb_client.create_order(OrderCreate(
        shipping_method_id=3, payment_method_id=2, original_customer_email="kund@example.se",
        items=[OrderItemWrite(sku="TENT-FJ2", quantity=1), OrderItemWrite(sku="SOCK-MER-42", quantity=2)],
        on_order_status_change_send_email=False))
    assert created.order_id >= 1001 and created.shipping_method_name == "PostNord Parcel"
    await starweb_client.put_order_address(created.order_id, "originalDelivery", Address(
        first_name="Karin", last_name="Berg", address="Stigen 2", postal_code="831 41", city="Östersund",
        country_code="SE"))

    order = await starweb_client.get_order(created.order_id)
    assert order.items is not None and [(i.sku, i.quantity) for i in order.items] == [("TENT-FJ2", 1),
                                                                                       ("SOCK-MER-42", 2)]
    assert order.addresses is not None and order.addresses.original_delivery.address == "Stigen 2"
    assert str(order.total_amount) == "3437.6"  # 3199.2 + 2 × 119.2
    assert sim_admin.get("/emails").json()["data"] == []


async def test_the_client_pages_through_all_orders_sorted_by_modified_at(starweb_client, shop) -> None:
    for _ in range(130):
        place_order(shop, onOrderStatusChangeSendEmail=False)
    first = await starweb_client.list_orders_page(1, sort_by="modifiedAt")
    assert first.total_pages == 2 and len(first.items) == 100
    seen = [order.order_id async for order in starweb_client.iter_orders(sort_by="modifiedAt", include=())]
    assert len(seen) == 130 and seen[0] == max(seen)


async def test_a_creation_window_ending_within_an_orders_second_still_lists_it(starweb_client, shop) -> None:
    # Starweb keeps whole seconds and the simulator reads the bound as exclusive: a window ending at
    # 12:00:00.5 must still list an order created at 12:00:00.
    order = place_order(shop)
    created = datetime.fromisoformat(order["createdAt"])
    window_end = created + timedelta(milliseconds=500)

    listed = [o.order_id async for o in starweb_client.iter_orders(
        created_after=created - timedelta(minutes=1), created_before=window_end, include=())]

    assert listed == [order["orderId"]]


async def test_a_status_patch_through_the_client_mails_the_customer_once(starweb_client, shop, sim_admin) -> None:
    order_id = place_order(shop, onOrderStatusChangeSendEmail=False)["orderId"]
    statuses = {s.id_code: s.status_id for s in await starweb_client.list_order_statuses() if s.id_code}
    patched = await starweb_client.patch_order(order_id, OrderPatch(
        status_id=statuses["completed"], shipping_tracker_type=1, shipping_tracking_no="00370712345678901234"))
    assert patched.status_id == statuses["completed"]
    emails = sim_admin.get("/emails", params={"orderId": order_id}).json()["data"]
    assert [(e["kind"], e["shippingTrackingNo"]) for e in emails] == [("status_change", "00370712345678901234")]
    payments = sim_admin.get("/payments", params={"orderId": order_id}).json()["data"]
    assert [p["processed"] for p in payments] == [True]


async def test_the_client_writes_stock_and_sees_it_with_updated_since(starweb_client, shop, sim_admin) -> None:
    sim_admin.post("/clock/advance", json={"seconds": 60}).raise_for_status()
    since = datetime.fromisoformat(sim_admin.get("/clock").json()["now"])
    product_id, variant = variant_for_sku(shop, "HEADLAMP-400")
    patched = await starweb_client.patch_variant(product_id, variant["variantId"], VariantPatch(stock_quantity=40))
    assert patched.stock_quantity == 40
    changed = [p async for p in starweb_client.iter_products(updated_since=since)]
    assert [p.product_id for p in changed] == [product_id]
    assert changed[0].primary_variant is not None and changed[0].primary_variant.stock_quantity == 40


async def test_a_duplicate_sku_from_the_client_is_refused_with_starwebs_message(starweb_client) -> None:
    product = ProductCreate(visibility="visible", languages=[ProductLanguageWrite(lang_code="sv", name="Termos")],
                            variants=[VariantWrite(sku="THERMOS-1L")])
    with pytest.raises(RefusedByVendor) as refused:
        await starweb_client.create_product(product)
    assert refused.value.status == 400
    assert "THERMOS-1L" in (refused.value.vendor_message or "")


async def test_the_client_renews_its_token_after_the_simulator_expires_it(starweb_client, sim_admin) -> None:
    assert (await starweb_client.get_shop()).id_code == "fjallbutiken"
    sim_admin.post("/tokens/expire").raise_for_status()
    assert len(await starweb_client.list_shipping_methods()) == 4


async def test_bad_credentials_reach_the_client_as_authentication_failed(starweb_sim, sim_admin) -> None:
    async with client_for(starweb_sim, secret="wrong") as client:
        with pytest.raises(AuthenticationFailed) as failed:
            await client.get_shop()
    assert failed.value.status == 400
    assert "invalid credentials" in (failed.value.vendor_message or "")


async def test_the_client_rides_out_a_scripted_429(starweb_client, sim_admin) -> None:
    sim_admin.post("/faults", json={"retry_after_seconds": 0, "scripted": [
        {"fault": "429", "method": "GET", "path_contains": "/payment-methods", "times": 2}]}).raise_for_status()
    methods = await starweb_client.list_payment_methods()
    assert [m.id_code for m in methods] == ["klarna_checkout", "invoice", "card"]
    assert len(sim_admin.get("/faults").json()["injected"]) == 2


async def test_a_token_that_expires_mid_paging_is_renewed_and_the_walk_reads_every_order_once(
        starweb_client, shop, sim_admin) -> None:
    placed = {place_order(shop)["orderId"] for _ in range(101)}  # two pages of 100
    sim_admin.post("/faults", json={"scripted": [{"fault": "invalid_token", "query_contains": "page=2"}]}
                   ).raise_for_status()

    read = [order.order_id async for order in starweb_client.iter_orders()]

    assert placed <= set(read) and len(read) == len(set(read))
    assert [f["fault"] for f in sim_admin.get("/faults").json()["injected"]] == ["invalid_token"], (
        "page 2 was refused once, and the walk went on with a new token")
