"""End to end: a run started by webhook events makes its start checks (the merchant file against Ongoing's
registers, the ledger's continuity, the shop's statuses) once, however many passes its window brings."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

import tasks.run_start
import tasks.runtime
from flows.order_export import export_orders
from flows.shipment_report import report_shipments
from ledger.types import utcnow
from ledger.webhooks import mark_emitted, record_delivery
from tests.flows.actors import Shop, Warehouse
from tests.flows.conftest import World

START_CHECKS = ("check_ongoing_mappings", "check_ledger_continuity", "fetch_status_table")


def deliver(event: str, record: str) -> None:
    """A delivery as the receiver records it, its event emitted."""
    now = utcnow()
    with tasks.runtime.ledger().session() as session:
        _, row = record_delivery(session, merchant_id="demo", source=event.split(".")[0],
                                 key=f"{event}-{record}-{now.isoformat()}", event=event, record=record, received_at=now)
        mark_emitted(session, row.id, now)


def count_start_checks(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    calls: Counter[str] = Counter()

    def counting(name: str) -> Callable[..., Any]:
        original = getattr(tasks.run_start, name)

        def counted(*args: Any) -> Any:
            calls[name] += 1
            return original(*args)
        return counted

    for name in START_CHECKS:
        monkeypatch.setattr(tasks.run_start, name, counting(name))
    return calls


async def eventually(check: Callable[[], Any], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not ((await found) if asyncio.iscoroutine(found := check()) else found):
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.2)


def ship(warehouse: Warehouse, order_id: int, waybill: str) -> None:
    warehouse.admin.post(f"/_sim/orders/FJ-{order_id}/ship", json={"waybill": waybill}).raise_for_status()
    deliver("ongoing.order.shipped", f"FJ-{order_id}")


@pytest.fixture
def window(world: World) -> None:
    """Runs stay 5 s (and the grace) for the events that follow their first."""
    path = world.merchants_dir / "demo.yaml"
    path.write_text(path.read_text().replace("event_window_seconds: 60", "event_window_seconds: 5"))


async def test_an_event_started_export_checks_once_and_its_passes_take_only_their_orders(
        window: None, shop: Shop, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = count_start_checks(monkeypatch)
    first = await shop.place_order([("POLE-CF-120", 1)])
    deliver("starweb.order.created", str(first))
    run = asyncio.create_task(export_orders("demo", event_at=utcnow()))
    await eventually(lambda: warehouse.order(f"FJ-{first}"))
    second = await shop.place_order([("SOCK-MER-42", 2)])
    deliver("starweb.order.created", str(second))
    counts = await run

    assert counts["created"] == 2 and counts["passes"] == 2
    assert calls == {name: 1 for name in START_CHECKS}
    assert warehouse.status(f"FJ-{first}") == warehouse.status(f"FJ-{second}") == 210


async def test_an_event_started_shipment_report_checks_once_for_all_its_passes(
        window: None, shop: Shop, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    orders = [await shop.place_order([("THERMOS-1L", 1)]) for _ in range(2)]
    await export_orders("demo")  # exported by the poll: this test is about the way back
    for order_id in orders:
        warehouse.pick(f"FJ-{order_id}")
    calls = count_start_checks(monkeypatch)

    ship(warehouse, orders[0], "RUN-CHECKS-1")
    run = asyncio.create_task(report_shipments("demo", event_at=utcnow()))
    await eventually(lambda: tracking(shop, orders[0]))
    ship(warehouse, orders[1], "RUN-CHECKS-2")
    counts = await run

    assert counts["reported"] == 2 and counts["passes"] == 2
    assert calls == {name: 1 for name in START_CHECKS}
    assert await tracking(shop, orders[1]) == "RUN-CHECKS-2"


async def tracking(shop: Shop, order_id: int) -> str | None:
    return (await shop.order(order_id)).shipping_tracking_no
