"""The simulators at two sizes: a request decodes as many stored documents with ten times the catalogue
and the orders as without (lookups by index, not scans), the bulk seed gives both the same SKUs, and the
Ongoing simulator's inventory, kept one write at a time, equals a recount of everything."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict as as_dict
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient

from integrations.ongoing.simulator import OngoingSimSettings
from integrations.ongoing.simulator import create_app as create_ongoing
from integrations.ongoing.simulator.inventory import order_quantities, purchase_order_quantities
from integrations.ongoing.simulator.stock import compute_inventories
from integrations.simulation.store import DocumentStore
from integrations.starweb.simulator import create_app as create_starweb

GOODS_OWNER = 1


@dataclass
class Sims:
    stores: tuple[DocumentStore, DocumentStore]
    ongoing: httpx.Client
    ongoing_admin: httpx.Client
    starweb: httpx.Client
    starweb_admin: httpx.Client
    skus: list[str]
    ongoing_order_ids: list[int]
    starweb_order_ids: list[int]

    @property
    def documents_read(self) -> int:
        return sum(store.documents_read for store in self.stores)


def _ongoing_order(number: str, skus: list[str]) -> dict[str, object]:
    return {"goodsOwnerId": GOODS_OWNER, "orderNumber": number, "deliveryDate": "2026-12-01",
            "consignee": {"customerNumber": f"C-{number}", "name": "Test Customer", "address1": "Storgatan 1",
                          "postCode": "11122", "city": "Stockholm", "countryCode": "SE"},
            "orderLines": [{"rowNumber": str(row), "articleNumber": sku, "numberOfItems": 1}
                           for row, sku in enumerate(skus, start=1)]}


def _starweb_order(skus: list[str]) -> dict[str, object]:
    return {"shippingMethodId": 1, "paymentMethodId": 1, "statusId": 1, "isComplete": True,
            "currencyCode": "SEK", "langCode": "sv", "originalCustomerEmail": "test@example.se",
            "onOrderStatusChangeSendEmail": False, "items": [{"sku": sku, "quantity": 1} for sku in skus]}


@contextmanager
def filled(skus: int, orders: int) -> Iterator[Sims]:
    """Both simulators with ``skus`` bulk SKUs and ``orders`` orders a side, some picked in the warehouse."""
    rng = random.Random(skus)
    stores = (DocumentStore(), DocumentStore())
    settings = OngoingSimSettings()
    with TestClient(create_ongoing(store=stores[0], settings=settings)) as ongoing_app, \
            TestClient(create_starweb(store=stores[1])) as starweb_app:
        ongoing_admin, starweb_admin = ongoing_app, starweb_app
        ongoing_admin.post("/_sim/seed", json={"articles": False}).raise_for_status()
        starweb_admin.post("/_sim/seed").raise_for_status()
        for admin in (ongoing_admin, starweb_admin):
            admin.post("/_sim/seed/catalogue", json={"skus": skus, "stock": 4}).raise_for_status()
        token = starweb_admin.post("/api/v2/token", data={
            "grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret"}).json()
        with httpx.Client(transport=ongoing_app._transport, base_url=settings.api_root("http://testserver"),
                          auth=("demo-api", "demo-password")) as ongoing, \
                httpx.Client(transport=starweb_app._transport, base_url="http://testserver/api/v2",
                             headers={"Authorization": f"Bearer {token['access_token']}"}) as starweb:
            sims = Sims(stores, ongoing, ongoing_admin, starweb, starweb_admin,
                        [f"BENCH-{n:06d}" for n in range(1, skus + 1)], [], [])
            for n in range(orders):
                answer = ongoing.put("/orders", json=_ongoing_order(f"T-{n}", rng.sample(sims.skus, 2)))
                sims.ongoing_order_ids.append(answer.raise_for_status().json()["orderId"])
                if n % 3 == 0:
                    ongoing_admin.post(f"/_sim/orders/T-{n}/pick").raise_for_status()
                created = starweb.post("/orders", json=_starweb_order(rng.sample(sims.skus, 2)))
                sims.starweb_order_ids.append(created.raise_for_status().json()["data"]["orderId"])
            for order_id in sims.starweb_order_ids[:3]:  # as many orders in this status at any size
                starweb.patch(f"/orders/{order_id}", json={"statusId": 5, "onOrderStatusChangeSendEmail": False}
                              ).raise_for_status()
            yield sims


# What the connector asks all day; each request the same at both sizes (only the ids differ).
REQUESTS: dict[str, Callable[[Sims, int], httpx.Response]] = {
    "ongoing order by id": lambda s, i: s.ongoing.get(f"/orders/{s.ongoing_order_ids[i]}"),
    "ongoing orders by number": lambda s, i: s.ongoing.get("/orders", params={
        "goodsOwnerId": GOODS_OWNER, "orderNumber": f"T-{i}"}),
    "ongoing articles, a page": lambda s, i: s.ongoing.get("/articles", params={
        "goodsOwnerId": GOODS_OWNER, "articleSystemIdFrom": 18001 + i, "maxArticlesToGet": 10}),
    "ongoing article by number": lambda s, i: s.ongoing.get("/articles", params={
        "goodsOwnerId": GOODS_OWNER, "articleNumber": s.skus[i]}),
    "ongoing new order": lambda s, i: s.ongoing.put("/orders", json=_ongoing_order(f"NEW-{i}", s.skus[i:i + 2])),
    "ongoing pick": lambda s, i: s.ongoing_admin.post(f"/_sim/orders/NEW-{i}/pick"),
    "starweb order by id": lambda s, i: s.starweb.get(f"/orders/{s.starweb_order_ids[i]}",
                                                      params={"include": "items"}),
    "starweb orders in a status, by modifiedAt": lambda s, i: s.starweb.get("/orders", params={
        "statusFilter": 5, "sortBy": "modifiedAt", "sortOrder": "DESC", "include": ""}),
    "starweb product by SKU": lambda s, i: s.starweb.get("/products", params={
        "filterSku": s.skus[i], "include": "primaryVariant"}),
    "starweb new order": lambda s, i: s.starweb.post("/orders", json=_starweb_order(s.skus[i:i + 2])),
}


def documents_read(sims: Sims) -> dict[str, int]:
    cost = {}
    for name, request in REQUESTS.items():
        before = sims.documents_read
        for i in range(5):
            request(sims, i).raise_for_status()
        cost[name] = sims.documents_read - before
    return cost


def recount_matches(store: DocumentStore) -> None:
    articles = store.all("article")
    figures = compute_inventories({a["articleSystemId"]: a["physical"] for a in articles},
                                  [order_quantities(o) for o in store.all("order")],
                                  [purchase_order_quantities(po) for po in store.all("purchase_order")])
    for article in articles:
        assert article["inventory"] == as_dict(figures[article["articleSystemId"]]), article["articleNumber"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_request_reads_as_many_documents_with_ten_times_the_store() -> None:
    with filled(skus=30, orders=12) as small:
        small_cost = documents_read(small)
        recount_matches(small.stores[0])
    with filled(skus=300, orders=120) as large:
        large_cost = documents_read(large)
        recount_matches(large.stores[0])
        shop_skus = {v["sku"] for v in large.stores[1].all("variant")}
        warehouse_skus = {a["articleNumber"] for a in large.stores[0].all("article")}
        assert set(large.skus) <= shop_skus and set(large.skus) == warehouse_skus, "the same SKUs on both sides"

    assert all(small_cost.values()), small_cost
    # The same requests, give or take a document (whether an article already has demand on it, say).
    grew = {name: (small_cost[name], large_cost[name]) for name in REQUESTS
            if large_cost[name] > small_cost[name] * 1.1}
    assert not grew, f"requests that read more documents in the larger store: {grew}"
