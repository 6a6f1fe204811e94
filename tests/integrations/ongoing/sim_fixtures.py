"""Fixtures for testing the Ongoing simulator over real HTTP.

Test modules load them with ``pytest_plugins = ["tests.integrations.ongoing.sim_fixtures"]`` (and import
``OngoingSim`` only under ``TYPE_CHECKING``). ``ongoing_sim`` serves one simulator per test module on a
free port; ``sim`` hands each test that simulator freshly reset and seeded with the demo warehouse
(statuses, transporter contracts, return causes, the demo catalogue with stock); ``start_ongoing_sim``
starts a separate simulator with custom settings or store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from integrations.ongoing.simulator import OngoingSimSettings, create_app
from integrations.simulation.server import RunningServer, serve_in_thread
from integrations.simulation.store import DocumentStore


@dataclass
class OngoingSim:
    server: RunningServer
    settings: OngoingSimSettings
    api: httpx.Client  # the vendor API, with the API user's Basic credentials
    admin: httpx.Client  # the /_sim surface at the server root

    @property
    def api_url(self) -> str:
        return self.settings.api_root(self.server.root_url)

    def reset(self, *, seed: bool = True, articles: bool = True) -> None:
        self.admin.post("/_sim/reset").raise_for_status()
        self.admin.delete("/_sim/faults").raise_for_status()
        if seed:
            self.admin.post("/_sim/seed", json={"articles": articles}).raise_for_status()

    def inventory(self, article_number: str) -> dict[str, Any]:
        response = self.api.get("/articles", params={"goodsOwnerId": self.goods_owner_id,
                                                     "articleNumber": article_number})
        response.raise_for_status()
        (article,) = response.json()
        return article["inventoryInfo"]

    @property
    def goods_owner_id(self) -> int:
        return self.settings.goods_owner_id

    def order_body(self, number: str, lines: list[tuple[str, float]], **extra: Any) -> dict[str, Any]:
        return order_payload(number, lines, goods_owner_id=self.goods_owner_id, **extra)

    def put_order(self, number: str, lines: list[tuple[str, float]], **extra: Any) -> httpx.Response:
        return self.api.put("/orders", json=self.order_body(number, lines, **extra))

    def order(self, order_id: int) -> dict[str, Any]:
        response = self.api.get(f"/orders/{order_id}")
        response.raise_for_status()
        return response.json()

    def warehouse(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """Call a ``/_sim`` warehouse action that must succeed; returns its answer."""
        response = self.admin.post(f"/_sim/{path}", json=body)
        assert response.status_code == 200, response.text
        return response.json()


def order_payload(number: str, lines: list[tuple[str, float]], *, goods_owner_id: int,
                  **extra: Any) -> dict[str, Any]:
    """A v57 PostOrderModel with one line per (articleNumber, numberOfItems), rows numbered 1, 2, …"""
    return {
        "goodsOwnerId": goods_owner_id, "orderNumber": number, "deliveryDate": "2026-12-01",
        "consignee": {"customerNumber": f"C-{number}", "name": "Anna Andersson", "address1": "Storgatan 1",
                      "postCode": "11122", "city": "Stockholm", "countryCode": "SE"},
        "orderLines": [{"rowNumber": str(row), "articleNumber": article, "numberOfItems": quantity}
                       for row, (article, quantity) in enumerate(lines, start=1)],
        **extra,
    }


@contextmanager
def running_sim(settings: OngoingSimSettings | None = None, store: DocumentStore | None = None) -> Iterator[OngoingSim]:
    settings = settings or OngoingSimSettings()
    server = serve_in_thread(create_app(store=store, settings=settings))
    api = httpx.Client(base_url=settings.api_root(server.root_url), timeout=30,
                       auth=(settings.username, settings.password.get_secret_value()))
    admin = httpx.Client(base_url=server.root_url, timeout=30)
    try:
        yield OngoingSim(server, settings, api, admin)
    finally:
        api.close()
        admin.close()
        server.stop()


@pytest.fixture(scope="module")
def ongoing_sim() -> Iterator[OngoingSim]:
    with running_sim() as simulator:
        yield simulator


@pytest.fixture
def start_ongoing_sim() -> Callable[..., AbstractContextManager[OngoingSim]]:
    """``with start_ongoing_sim(settings, store) as simulator: …`` — a separate simulator."""
    return running_sim


@pytest.fixture
def sim(ongoing_sim: OngoingSim) -> OngoingSim:
    ongoing_sim.reset()
    return ongoing_sim
