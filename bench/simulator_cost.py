"""Bench: what one request costs the simulators, against how much they store.

Both simulators are built twice in this process, small and large (by default 1 000 and 50 000 SKUs,
1 000 and 10 000 orders on each side), with the bulk seed and the vendor routes. Then the requests the
connector makes at scale are sent to each through the in-process ASGI transport, and two things are
measured per request: the documents the store decoded (exact) and the CPU seconds of this process. CPU
is the best of several batches, taken alternately on the small and the large pair with the build's heap
frozen out of the garbage collector, so that other processes on the machine weigh on both alike. The
figure per request is its growth, large over small; the bound is 1.5 for CPU (fifty times the catalogue
and ten times the orders may cost a request at most half as much again: a binary search is allowed, a
scan is not) and 1.1 for documents (the same requests, with other random arguments).

Run: ``.venv/bin/python -m bench.simulator_cost [--skus-small 1000 --skus 50000 --orders-small 1000
--orders 10000]``
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from bench.figures import Figure, report
from integrations.ongoing.simulator import OngoingSimSettings
from integrations.ongoing.simulator import create_app as create_ongoing
from integrations.simulation.store import DocumentStore
from integrations.starweb.simulator import create_app as create_starweb

CPU_GROWTH_BOUND = 1.5
READS_GROWTH_BOUND = 1.1
GOODS_OWNER = 1
FIRST_ARTICLE_ID = 18001


@dataclass
class World:
    """Both simulators filled to one size, with clients and what the timed requests need."""

    stores: tuple[DocumentStore, DocumentStore]
    ongoing: httpx.AsyncClient  # the vendor API
    ongoing_admin: httpx.AsyncClient  # /_sim
    starweb: httpx.AsyncClient
    starweb_admin: httpx.AsyncClient
    skus: list[str]
    ongoing_orders: dict[str, int] = field(default_factory=dict)  # order number → orderId
    starweb_orders: list[int] = field(default_factory=list)
    variants: list[tuple[int, int]] = field(default_factory=list)  # (productId, variantId)
    ongoing_changed_from: str = ""
    starweb_changed_from: str = ""

    @property
    def documents_read(self) -> int:
        return sum(store.documents_read for store in self.stores)

    async def aclose(self) -> None:
        for client in (self.ongoing, self.ongoing_admin, self.starweb, self.starweb_admin):
            await client.aclose()


def _client(app: object, base_url: str, **kwargs: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url,  # type: ignore[arg-type]
                             timeout=600, **kwargs)  # type: ignore[arg-type]


def _ongoing_order(number: str, skus: list[str]) -> dict[str, object]:
    return {"goodsOwnerId": GOODS_OWNER, "orderNumber": number, "deliveryDate": "2026-12-01",
            "consignee": {"customerNumber": f"C-{number}", "name": "Bench Customer", "address1": "Storgatan 1",
                          "postCode": "11122", "city": "Stockholm", "countryCode": "SE"},
            "orderLines": [{"rowNumber": str(row), "articleNumber": sku, "numberOfItems": 1}
                           for row, sku in enumerate(skus, start=1)]}


def _starweb_order(skus: list[str]) -> dict[str, object]:
    return {"shippingMethodId": 1, "paymentMethodId": 1, "statusId": 1, "isComplete": True,
            "currencyCode": "SEK", "langCode": "sv", "originalCustomerEmail": "bench@example.se",
            "onOrderStatusChangeSendEmail": False, "items": [{"sku": sku, "quantity": 1} for sku in skus]}


async def build(skus: int, orders: int, rng: random.Random) -> World:
    stores = (DocumentStore(), DocumentStore())
    settings = OngoingSimSettings()
    ongoing_app = create_ongoing(store=stores[0], settings=settings)
    starweb_app = create_starweb(store=stores[1])
    ongoing_root, starweb_root = "http://ongoing.local", "http://starweb.local"
    starweb_admin = _client(starweb_app, starweb_root)
    ongoing_admin = _client(ongoing_app, ongoing_root)
    for admin, seed in ((ongoing_admin, {"articles": False}), (starweb_admin, None)):
        (await admin.post("/_sim/seed", json=seed)).raise_for_status()
        (await admin.post("/_sim/seed/catalogue", json={"skus": skus})).raise_for_status()
    token = (await starweb_admin.post("/api/v2/token", data={
        "grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret"})).json()
    w = World(stores, _client(ongoing_app, settings.api_root(ongoing_root), auth=("demo-api", "demo-password")),
              ongoing_admin, _client(starweb_app, f"{starweb_root}/api/v2",
                                     headers={"Authorization": f"Bearer {token['access_token']}"}),
              starweb_admin, [f"BENCH-{n:06d}" for n in range(1, skus + 1)])
    for n in range(orders):
        number = f"BENCH-O{n}"
        answer = await w.ongoing.put("/orders", json=_ongoing_order(number, rng.sample(w.skus, 2)))
        w.ongoing_orders[number] = answer.raise_for_status().json()["orderId"]
        created = await w.starweb.post("/orders", json=_starweb_order(rng.sample(w.skus, 2)))
        w.starweb_orders.append(created.raise_for_status().json()["data"]["orderId"])
    for sku in rng.sample(w.skus, 100):
        found = (await w.starweb.get("/products", params={"filterSku": sku, "include": "primaryVariant"})).json()
        product = found["data"][0]
        w.variants.append((product["productId"], product["primaryVariant"]["data"]["variantId"]))
    await _recent_changes(w, rng)
    return w


async def _recent_changes(w: World, rng: random.Random) -> None:
    """Twenty changes on each side after a moment, so "changed since" lists answer the same at any size."""
    w.ongoing_changed_from = datetime.now(UTC).isoformat(timespec="milliseconds")
    await asyncio.sleep(0.01)
    for sku in rng.sample(w.skus, 20):
        (await w.ongoing_admin.post(f"/_sim/articles/{sku}/stock", json={"delta": 1})).raise_for_status()
    for number in rng.sample(sorted(w.ongoing_orders), 20):
        (await w.ongoing_admin.post(f"/_sim/orders/{number}/status", json={"orderStatusNumber": 300})
         ).raise_for_status()
    (await w.starweb_admin.post("/_sim/clock/advance", json={"seconds": 5})).raise_for_status()
    w.starweb_changed_from = (await w.starweb_admin.get("/_sim/clock")).json()["now"]
    (await w.starweb_admin.post("/_sim/clock/advance", json={"seconds": 5})).raise_for_status()
    for product_id, variant_id in w.variants[:20]:
        (await w.starweb.patch(f"/products/{product_id}/variants/{variant_id}", json={"stockQuantity": 7})
         ).raise_for_status()
    for order_id in w.starweb_orders[:20]:
        (await w.starweb.patch(f"/orders/{order_id}", json={"statusId": 5, "onOrderStatusChangeSendEmail": False})
         ).raise_for_status()


Request = Callable[[World, int, random.Random], Awaitable[httpx.Response]]

# The requests the connector (and the warehouse staff) make all day, each with its own arguments per call.
REQUESTS: dict[str, Request] = {
    # Reads first: the writes below change what "changed since" lists answer.
    "ongoing GET /orders/{id}": lambda w, i, r: w.ongoing.get(f"/orders/{r.choice(list(w.ongoing_orders.values()))}"),
    "ongoing GET /orders?orderNumbers (20)": lambda w, i, r: w.ongoing.get("/orders", params=[
        ("goodsOwnerId", GOODS_OWNER), *(("orderNumbers", n) for n in r.sample(sorted(w.ongoing_orders), 20))]),
    "ongoing GET /orders?orderStatusChangedTimeFrom": lambda w, i, r: w.ongoing.get("/orders", params={
        "goodsOwnerId": GOODS_OWNER, "orderStatusChangedTimeFrom": w.ongoing_changed_from}),
    "ongoing GET /articles, a page of 100": lambda w, i, r: w.ongoing.get("/articles", params={
        "goodsOwnerId": GOODS_OWNER, "articleSystemIdFrom": FIRST_ARTICLE_ID + r.randrange(len(w.skus) - 100),
        "maxArticlesToGet": 100}),
    "ongoing GET /articles?articleNumbers (20)": lambda w, i, r: w.ongoing.get("/articles", params=[
        ("goodsOwnerId", GOODS_OWNER), *(("articleNumbers", s) for s in r.sample(w.skus, 20))]),
    "ongoing GET /articles?stockInfoChangedFrom": lambda w, i, r: w.ongoing.get("/articles", params={
        "goodsOwnerId": GOODS_OWNER, "stockInfoChangedFrom": w.ongoing_changed_from}),
    "starweb GET /orders/{id}": lambda w, i, r: w.starweb.get(
        f"/orders/{r.choice(w.starweb_orders)}", params={"include": "items,addresses"}),
    "starweb GET /orders by modifiedAt, page 1": lambda w, i, r: w.starweb.get("/orders", params={
        "sortBy": "modifiedAt", "sortOrder": "DESC", "include": "items,addresses"}),
    "starweb GET /orders?statusFilter": lambda w, i, r: w.starweb.get("/orders", params={
        "statusFilter": 5, "include": ""}),
    "starweb GET /products, a page": lambda w, i, r: w.starweb.get("/products", params={
        "page": 1 + r.randrange(max(1, len(w.skus) // 100 - 1)), "include": "primaryVariant,languages"}),
    "starweb GET /products?filterSku": lambda w, i, r: w.starweb.get("/products", params={
        "filterSku": r.choice(w.skus), "include": "primaryVariant"}),
    "starweb GET /products?updatedSince": lambda w, i, r: w.starweb.get("/products", params={
        "updatedSince": w.starweb_changed_from, "include": "primaryVariant"}),
    "ongoing PUT /orders (new order)": lambda w, i, r: w.ongoing.put(
        "/orders", json=_ongoing_order(f"NEW-{i}", r.sample(w.skus, 2))),
    "ongoing /_sim pick (warehouse)": lambda w, i, r: w.ongoing_admin.post(f"/_sim/orders/NEW-{i}/pick"),
    "ongoing PUT /articles (update)": lambda w, i, r: w.ongoing.put("/articles", json={
        "goodsOwnerId": GOODS_OWNER, "articleNumber": r.choice(w.skus), "articleName": f"Renamed {i}"}),
    "starweb POST /orders": lambda w, i, r: w.starweb.post("/orders", json=_starweb_order(r.sample(w.skus, 2))),
    "starweb PATCH /orders/{id} (status)": lambda w, i, r: w.starweb.patch(
        f"/orders/{r.choice(w.starweb_orders[20:])}",
        json={"statusId": 2 if i % 2 else 1, "onOrderStatusChangeSendEmail": False}),
    "starweb PATCH variant stockQuantity": lambda w, i, r: w.starweb.patch(
        "/products/{}/variants/{}".format(*r.choice(w.variants)), json={"stockQuantity": i % 50}),
}


@dataclass(frozen=True)
class Cost:
    cpu_seconds: float
    documents_read: float


async def compare(worlds: tuple[World, World], rng: random.Random, *, batches: int,
                  per_batch: int) -> dict[str, tuple[Cost, Cost]]:
    """Per request: its cost on the small and on the large world, batches taken in turn on each."""
    result = {}
    for name, request in REQUESTS.items():
        best = [float("inf"), float("inf")]
        reads = [0, 0]
        for batch in range(batches):
            for side, w in enumerate(worlds):
                read_before, started = w.documents_read, time.process_time()
                for i in range(per_batch):
                    (await request(w, batch * per_batch + i, rng)).raise_for_status()
                best[side] = min(best[side], (time.process_time() - started) / per_batch)
                reads[side] += w.documents_read - read_before
        small, large = (Cost(best[side], reads[side] / (batches * per_batch)) for side in (0, 1))
        result[name] = (small, large)
    return result


async def measure(sizes: tuple[tuple[int, int], tuple[int, int]], *, batches: int,
                  per_batch: int) -> dict[str, tuple[Cost, Cost]]:
    rng = random.Random(13)
    worlds = []
    for skus, orders in sizes:
        built = time.monotonic()
        worlds.append(await build(skus, orders, rng))
        print(f"built {skus} SKUs and {orders} orders a side in {time.monotonic() - built:.0f} s", flush=True)
    gc.collect()
    gc.freeze()  # what the builds left behind is no longer the collector's work during the measurement
    try:
        return await compare((worlds[0], worlds[1]), rng, batches=batches, per_batch=per_batch)
    finally:
        for w in worlds:
            await w.aclose()
        gc.unfreeze()


def figures(costs: dict[str, tuple[Cost, Cost]]) -> list[Figure]:
    result = []
    for name, (s, b) in costs.items():
        result.append(Figure(f"{name}: CPU", b.cpu_seconds / s.cpu_seconds, CPU_GROWTH_BOUND, "×",
                             detail=f"{s.cpu_seconds * 1000:.2f} → {b.cpu_seconds * 1000:.2f} ms"))
        result.append(Figure(f"{name}: documents read", b.documents_read / max(s.documents_read, 1),
                             READS_GROWTH_BOUND, "×", detail=f"{s.documents_read:.3g} → {b.documents_read:.3g}"))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--skus-small", type=int, default=1_000)
    parser.add_argument("--skus", type=int, default=50_000)
    parser.add_argument("--orders-small", type=int, default=1_000)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--batches", type=int, default=7)
    parser.add_argument("--per-batch", type=int, default=20)
    args = parser.parse_args()
    costs = asyncio.run(measure(((args.skus_small, args.orders_small), (args.skus, args.orders)),
                                batches=args.batches, per_batch=args.per_batch))
    return report(f"Simulator cost per request: {args.skus_small} → {args.skus} SKUs, "
                  f"{args.orders_small} → {args.orders} orders stored (growth, large over small)", figures(costs))


if __name__ == "__main__":
    sys.exit(main())
