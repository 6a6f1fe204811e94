"""Fixtures for the Starweb simulator tests: one simulator on a real local port for the session,
and per test a freshly reset, seeded demo shop with an authenticated HTTP client.

Test modules import the fixture functions (``*_fixture``; pytest knows them by the short name, e.g.
``shop``) and the helpers that build what a shop front would send.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from integrations.simulation.server import RunningServer, serve_in_thread
from integrations.simulation.store import DocumentStore
from integrations.starweb.simulator import StarwebSimSettings, create_app

CLIENT_ID = "sim-test-client"
CLIENT_SECRET = "sim-test-secret"


@pytest.fixture(scope="session", name="starweb_sim")
def starweb_sim_fixture() -> Iterator[RunningServer]:
    settings = StarwebSimSettings(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, state_path=None)
    server = serve_in_thread(create_app(store=DocumentStore(), settings=settings))
    yield server
    server.stop()


@pytest.fixture(name="sim_admin")
def sim_admin_fixture(starweb_sim: RunningServer) -> Iterator[httpx.Client]:
    """The ``/_sim`` surface, after putting the simulator back to a seeded shop without faults."""
    with httpx.Client(base_url=f"{starweb_sim.root_url}/_sim", timeout=10) as admin:
        admin.delete("/faults").raise_for_status()
        admin.post("/reset").raise_for_status()
        admin.post("/seed").raise_for_status()
        yield admin


@pytest.fixture(name="shop")
def shop_fixture(starweb_sim: RunningServer, sim_admin: httpx.Client) -> Iterator[httpx.Client]:
    """A client on ``/api/v2`` of the freshly seeded demo shop, holding a valid bearer token."""
    base_url = f"{starweb_sim.root_url}/api/v2"
    token = fetch_token(base_url)
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        yield client


def fetch_token(base_url: str, *, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> str:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
    response = httpx.post(f"{base_url}/token", data=form, timeout=10)
    response.raise_for_status()
    return response.json()["access_token"]


def order_payload(**overrides: Any) -> dict[str, Any]:
    """A checkout as a shop front would post it: two poles and a thermos to a private customer."""
    payload: dict[str, Any] = {
        "shippingMethodId": 2,
        "paymentMethodId": 1,
        "shippingCost": 49.0,
        "shippingVatRate": 25,
        "originalCustomerEmail": "anna.lind@example.se",
        "items": [
            {"sku": "POLE-CF-120", "description": "Vandringsstav Kolfiber 120 cm", "quantity": 2,
             "unitPrice": 479.2, "vatRate": 25},
            {"sku": "THERMOS-1L", "description": "Termos 1 L stål", "quantity": 1, "unitPrice": 319.2,
             "vatRate": 25, "discount": 10, "discountType": "percent"},
        ],
        "addresses": {
            "originalDelivery": {"firstName": "Anna", "lastName": "Lind", "address": "Fjällvägen 3",
                                 "postalCode": "831 40", "city": "Östersund", "countryCode": "SE",
                                 "mobilePhoneNo": "+46701234567"},
            "originalInvoice": {"firstName": "Anna", "lastName": "Lind", "address": "Fjällvägen 3",
                                "postalCode": "831 40", "city": "Östersund", "countryCode": "SE"},
        },
    }
    payload.update(overrides)
    return payload


def place_order(shop: httpx.Client, **overrides: Any) -> dict[str, Any]:
    response = shop.post("/orders", json=order_payload(**overrides))
    assert response.status_code == 201, response.text
    return response.json()["data"]


def status_id(shop: httpx.Client, id_code: str | None = None, *, name: str | None = None) -> int:
    """A status id looked up the way a connector must: by idCode (standard) or by name (custom)."""
    for status in shop.get("/order-statuses").json()["data"]:
        names = {lang["name"] for lang in status["languages"]["data"]}
        if (id_code and status["idCode"] == id_code) or (name and name in names):
            return status["statusId"]
    raise AssertionError(f"no status {id_code or name}")


def variant_for_sku(shop: httpx.Client, sku: str) -> tuple[int, dict[str, Any]]:
    """(productId, variant) for a SKU, found the way Starweb allows: filterSku, then the variant list."""
    products = shop.get("/products", params={"filterSku": sku}).json()["data"]
    assert len(products) == 1, products
    product_id = products[0]["productId"]
    variants = shop.get(f"/products/{product_id}/variants").json()["data"]
    return product_id, next(v for v in variants if v["sku"] == sku)
