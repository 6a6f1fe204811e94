"""The demo orders of ``make run``, placed through the real Starweb client into the Starweb simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest

from domain.config import MERCHANTS_DIR, load_merchants
from integrations.http import CircuitBreaker, RetryPolicy
from integrations.simulation.server import RunningServer
from integrations.starweb.client import StarwebClient, StarwebSettings
from swo.demo_orders import place_demo_orders
from tests.integrations.starweb.sim_fixtures import (  # noqa: F401
    CLIENT_ID,
    CLIENT_SECRET,
    place_order,
    shop_fixture,
    sim_admin_fixture,
    starweb_sim_fixture,
)


@pytest.fixture
async def starweb(starweb_sim: RunningServer, sim_admin: httpx.Client) -> AsyncIterator[StarwebClient]:
    settings = StarwebSettings(base_url=f"{starweb_sim.root_url}/api/v2", client_id=CLIENT_ID,
                               client_secret=CLIENT_SECRET)
    async with StarwebClient(settings, policy=RetryPolicy.no_wait(), breaker=CircuitBreaker(), timeout=5) as client:
        yield client


async def test_an_empty_shop_gets_one_order_per_shipping_method(starweb: StarwebClient,
                                                                sim_admin: httpx.Client) -> None:
    placed = await place_demo_orders(starweb)
    orders = [await starweb.get_order(order_id) for order_id in placed]

    assert [o.shipping_method_id for o in orders] == [1, 2, 3, 4]
    assert {o.status.id_code for o in orders if o.status} == {"created"}
    first = orders[0]
    assert [(i.sku, i.quantity, i.unit_price, i.vat_rate) for i in first.items or []] == [
        ("SOCK-MER-42", 2, Decimal("119.2"), Decimal(25)), ("THERMOS-1L", 1, Decimal("319.2"), Decimal(25))]
    assert first.addresses is not None and first.addresses.original_delivery is not None
    assert first.addresses.original_delivery.country_code == "SE"
    assert first.original_customer_email
    # Placing orders sends the customer no confirmation: the outbox is left to what the connector causes.
    assert sim_admin.get("/emails").json()["data"] == []


async def test_exactly_one_demo_order_uses_a_shipping_method_the_demo_merchant_leaves_unmapped(
        starweb: StarwebClient) -> None:
    mapped = set(load_merchants(MERCHANTS_DIR)["demo"].shipping_methods)

    orders = [await starweb.get_order(order_id) for order_id in await place_demo_orders(starweb)]

    assert [o.shipping_method_id for o in orders if o.shipping_method_id not in mapped] == [4]


async def test_a_shop_that_already_has_orders_gets_none(starweb: StarwebClient, shop: httpx.Client) -> None:
    existing = place_order(shop)

    assert await place_demo_orders(starweb) == []
    assert [o.order_id async for o in starweb.iter_orders(include=())] == [existing["orderId"]]


async def test_running_twice_places_the_orders_once(starweb: StarwebClient) -> None:
    first = await place_demo_orders(starweb)

    assert len(first) == 4
    assert await place_demo_orders(starweb) == []
