"""Vendor calls per order over its whole life, per endpoint, against the minimum the two APIs allow.

An order's life: exported, stock synced, released, picked and shipped by the warehouse, the shipment
reported (with the stock of its SKUs), stock synced again. The bench places ``--orders`` orders of 1-3
lines over a catalogue of ``--skus`` SKUs, runs each flow once over the whole batch (as the schedules
would, one run per process), counts every call both simulators answer, and compares the calls per order
with the minimum of docs/performance.md ("Calls per order"). Bound: at most 1.1 × the minimum.

A stock figure the connector saw within a few seconds of an order's Starweb stamp is in doubt and read
again (``domain.known_stock.DOUBT_WINDOW``). A merchant's orders and runs are not seconds apart as a
bench's are, so the bench waits that window out on either side of placing its orders, as
tests/flows/test_calls_per_order.py does.

    .venv/bin/python -m bench.calls_per_order [--orders 200] [--skus 150]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import sys
from collections import Counter
from datetime import UTC, datetime

from bench.figures import Figure, report
from bench.kit import BenchWorld, bench_world, timed

BOUND = 1.1
STARWEB_PAGE = 100  # Starweb's fixed page size
ONGOING_ORDER_PAGE = 200  # the connector's id-cursor page for GET /orders (Ongoing lets the client choose)
ONGOING_ARTICLE_PAGE = 500
NUMBERS_PER_QUERY = 100  # order or article numbers named in one Ongoing query


def minimum(orders: int, skus: int) -> Counter[str]:
    """The fewest calls the two APIs allow for the life of ``orders`` orders holding ``skus`` distinct SKUs,
    with one run of each flow; docs/performance.md derives each line. Per-run calls (a Starweb token, the
    registers) are not in it: they do not grow with the orders."""
    pages = math.ceil(orders / STARWEB_PAGE)
    numbered = math.ceil(orders / NUMBERS_PER_QUERY)
    return Counter({
        # export: the new orders; which of them Ongoing holds; their articles' sellable units; two writes each
        "starweb GET /orders?sortBy": pages + 3 * pages,  # and the orders Starweb changed, for each stock figure
        "ongoing GET /orders?orderNumbers": 2 * numbered,  # the export's look-up and the release's
        "ongoing GET /articles?articleNumbers": 2 * math.ceil(skus / NUMBERS_PER_QUERY),  # export; shipped SKUs
        "ongoing PUT /orders": orders,
        "ongoing PATCH /orders/{order_id}/orderStatus": 2 * orders,  # initial status; picking at the release
        # stock sync, after the export and after the shipment: the articles whose stock changed
        "ongoing GET /articles?stockInfoChangedFrom": 2 * math.ceil(skus / ONGOING_ARTICLE_PAGE),
        # release: the orders in a releasable status; then picking on both sides
        "starweb GET /orders?sortBy&statusFilter": pages,
        "starweb PATCH /orders/{order_id}": 2 * orders,  # picking; then sent, with tracking, at the shipment
        # shipment report: orders with units to acknowledge; their Starweb side by page; one acknowledgement
        "ongoing GET /orders?onlyOrdersWithOrderLinesToReport&orderStatusFrom&orderStatusTo":
            math.ceil(orders / ONGOING_ORDER_PAGE),
        "starweb GET /orders?ordersCreatedAfter&ordersCreatedBefore&sortBy": pages,
        "ongoing PATCH /orders/{order_id}/setReportedNumberOfItemsToPickedNumberOfItems": orders,
    })


async def build_catalogue(world: BenchWorld, skus: int) -> list[str]:
    """``skus`` single-variant products in Starweb, pushed to Ongoing by the product sync, with stock."""
    from pydantic import SecretStr

    from flows.product_sync import sync_products
    from integrations.starweb.client import StarwebClient, StarwebSettings
    from integrations.starweb.models import ProductCreate, ProductLanguageWrite, VariantWrite

    names = [f"BENCH-{n:05d}" for n in range(skus)]
    settings = StarwebSettings(base_url=world.sims.starweb_api, client_id="demo-client",
                               client_secret=SecretStr("demo-secret"))
    async with StarwebClient(settings) as shop:
        for sku in names:
            await shop.create_product(ProductCreate(
                languages=[ProductLanguageWrite(lang_code="sv", name=f"Bench {sku}")],
                variants=[VariantWrite(sku=sku, stock_quantity=1000, weight_in_kg=0.2)]))
    await sync_products("demo")
    with world.sims.admin("ongoing") as ongoing:
        for sku in names:
            ongoing.post(f"/_sim/articles/{sku}/stock", json={"numberOfItems": 1000}).raise_for_status()
    return names


async def place_orders(world: BenchWorld, skus: list[str], count: int, seed: int) -> tuple[list[int], set[str]]:
    from pydantic import SecretStr

    from integrations.starweb.client import StarwebClient, StarwebSettings
    from integrations.starweb.models import Address, OrderAddresses, OrderCreate, OrderItemWrite

    rng = random.Random(seed)
    address = Address(first_name="Anna", last_name="Andersson", address="Storgatan 1", postal_code="111 22",
                      city="Stockholm", country_code="SE")
    settings = StarwebSettings(base_url=world.sims.starweb_api, client_id="demo-client",
                               client_secret=SecretStr("demo-secret"))
    placed, ordered = [], set()
    async with StarwebClient(settings) as shop:
        for _ in range(count):
            lines = rng.sample(skus, rng.randint(1, 3))
            ordered.update(lines)
            order = await shop.create_order(OrderCreate(
                shipping_method_id=1, payment_method_id=1, currency_code="SEK", lang_code="sv", status_id=1,
                is_complete=True, original_customer_email="anna@example.se",
                items=[OrderItemWrite(sku=sku, quantity=rng.randint(1, 2)) for sku in lines],
                addresses=OrderAddresses(original_delivery=address, original_invoice=address),
                on_order_status_change_send_email=False))
            placed.append(order.order_id)
    return placed, ordered


def ship_everything(world: BenchWorld, order_ids: list[int]) -> None:
    with world.sims.admin("ongoing") as ongoing:
        for order_id in order_ids:
            ongoing.post(f"/_sim/orders/FJ-{order_id}/pick").raise_for_status()
            ongoing.post(f"/_sim/orders/FJ-{order_id}/ship", json={"waybill": f"WB-{order_id}"}).raise_for_status()


async def past_the_doubt_window(moment: datetime) -> None:
    """Wait until an order placed now is stamped (Starweb stamps whole seconds, cut down) beyond the doubt
    window of ``moment``."""
    from domain.known_stock import DOUBT_WINDOW
    from domain.stock_sync import STARWEB_STAMP_PRECISION

    until = moment + DOUBT_WINDOW + STARWEB_STAMP_PRECISION
    await asyncio.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 0.1)


def latest_figure_seen() -> datetime:
    """The latest moment the ledger records a Starweb stock figure as seen."""
    from sqlalchemy import func, select

    from ledger.models import StockLevel
    from tasks.runtime import ledger

    with ledger().session() as session:
        latest = session.scalar(select(func.max(StockLevel.seen_until)))  # the ledger's UTC type: aware
    return latest or datetime.now(UTC)


def in_a_new_process() -> None:
    """Each deployment run has a process of its own: nothing of an earlier run's memory (the Starweb token)."""
    from integrations.http import reset_shared_breakers
    from integrations.starweb.auth import forget_process_tokens

    reset_shared_breakers()
    forget_process_tokens()


async def life(world: BenchWorld, orders: int, skus: int, seed: int) -> tuple[Counter[str], int, int]:
    from flows.order_export import export_orders
    from flows.order_release import release_orders
    from flows.shipment_report import report_shipments
    from flows.stock_sync import sync_stock

    catalogue = await build_catalogue(world, skus)
    # The merchant's first runs (first activation, first full stock resync) are not part of an order's life.
    await export_orders("demo")
    await past_the_doubt_window(datetime.now(UTC))
    await sync_stock("demo")
    await past_the_doubt_window(latest_figure_seen())
    placed, ordered = await place_orders(world, catalogue, orders, seed)
    await past_the_doubt_window(datetime.now(UTC))
    world.sims.calls(reset=True)

    in_a_new_process()
    exported = await export_orders("demo")
    in_a_new_process()
    await sync_stock("demo")
    in_a_new_process()
    released = await release_orders("demo")
    ship_everything(world, placed)
    in_a_new_process()
    reported = await report_shipments("demo")
    in_a_new_process()
    await sync_stock("demo")
    assert exported.get("created") == orders, exported
    assert released.get("released") == orders, released
    assert reported.get("reported") == orders, reported

    counted: Counter[str] = Counter()
    for vendor, calls in world.sims.calls().items():
        for endpoint, n in calls.items():
            counted[f"{vendor} {endpoint}"] += n
    return counted, len(placed), len(ordered)


def print_table(counted: Counter[str], least: Counter[str], orders: int) -> None:
    print(f"{'endpoint':<88} {'calls/order':>11} {'minimum':>8}")
    for name in sorted(set(counted) | set(least)):
        print(f"{name:<88} {counted[name] / orders:>11.3f} {least[name] / orders:>8.3f}")
    print(f"{'total':<88} {sum(counted.values()) / orders:>11.3f} {sum(least.values()) / orders:>8.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--skus", type=int, default=150)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    with bench_world() as world:
        counted, orders, skus = timed("order life",
                                      lambda: asyncio.run(life(world, args.orders, args.skus, args.seed)))
    least = minimum(orders, skus)
    print_table(counted, least, orders)
    per_order, floor = sum(counted.values()) / orders, sum(least.values()) / orders
    return report(f"Calls per order over its life, {orders} orders", [Figure(
        "calls per order, as a multiple of the minimum", per_order / floor, BOUND, "×",
        detail=f"{per_order:.2f} calls per order, minimum {floor:.2f}")])


if __name__ == "__main__":
    sys.exit(main())
