"""End to end: a run killed mid-way holds nothing once Prefect shows it over. A release killed between
its Ongoing and Starweb steps leaves the merchant's release lock and its order claim behind; a shipment
report killed after recording its intent leaves the shipment claimed. The next run — started at once,
not after the minutes a time limit would take — finishes both, and the customer is mailed once."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.states import Running

import flows.order_release
import flows.shipment_report
import ledger.locks
import ledger.release
import ledger.shipments
import tasks.shipments
from flows.order_export import export_orders
from flows.order_release import release_orders
from flows.shipment_report import report_shipments
from ledger.models import OrderBinding, RunLock, Shipment
from tasks.run_holders import finished_runs
from tests.flows.actors import Shop, Warehouse, binding, ledger_rows
from tests.flows.conftest import World

PICKING_IN_STARWEB, SENT = 2, 3


class Killed(BaseException):
    """The process died here: no ``except`` catches it and nothing after it runs."""


@contextmanager
def killed_after(monkeypatch: pytest.MonkeyPatch, module: Any, step: str,
                 cleanups: list[tuple[Any, str]]) -> Iterator[None]:
    """Kill the next run right after ``module.step`` and skip the clean-ups a killed process never reaches."""
    real = getattr(module, step)

    def step_then_die(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise Killed

    async def async_step_then_die(*args: Any, **kwargs: Any) -> Any:
        await real(*args, **kwargs)
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(module, step, async_step_then_die if inspect.iscoroutinefunction(real) else step_then_die)
        for owner, name in cleanups:
            patch.setattr(owner, name, lambda *args, **kwargs: None)
        with pytest.raises(Killed):
            yield


async def state_of(holder: str) -> str:
    async with get_client() as client:
        run = await client.read_flow_run(UUID(holder))
    return run.state.name if run.state and run.state.name else "?"


async def test_a_killed_release_leaves_nothing_the_next_run_waits_for(world: World,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    shop, warehouse = Shop(world.sims.starweb_api), Warehouse(world.ongoing, world.sims.ongoing_api)
    first, second = [await shop.place_order([("SOCK-MER-42", 1)]) for _ in range(2)]
    await export_orders("demo")

    # Killed after the first order's warehouse step, before its Starweb step; no clean-up ran.
    with killed_after(monkeypatch, ledger.release, "mark_picking_in_warehouse",
                      [(flows.order_release, "let_go_of_claims"), (ledger.locks, "release_lock")]):
        await release_orders("demo")
    (lock,) = ledger_rows(RunLock, name="release:demo")
    killed = lock.holder
    assert binding(first).release_claim == killed, "the killed run still holds its order"
    assert await state_of(killed) == "Crashed"
    assert warehouse.status(f"FJ-{first}") == 300
    assert (await shop.order(first)).status_id == 1

    result = await asyncio.wait_for(release_orders("demo"), timeout=120)

    assert result == {"released": 2}
    for order in (first, second):
        assert warehouse.status(f"FJ-{order}") == 300
        assert (await shop.order(order)).status_id == PICKING_IN_STARWEB
    assert ledger_rows(RunLock, name="release:demo") == [], "the lock was let go"
    assert all(b.release_claim is None for b in ledger_rows(OrderBinding))


async def test_a_live_holder_is_not_taken_over(world: World) -> None:
    async with get_client() as client:
        live = await client.create_flow_run(release_orders, parameters={"merchant_id": "demo"}, state=Running())
    assert await finished_runs([str(live.id), "not-a-flow-run", "9" * 32]) == set()


async def test_a_killed_shipment_report_leaves_nothing_the_next_run_waits_for(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    shop, warehouse = Shop(world.sims.starweb_api), Warehouse(world.ongoing, world.sims.ongoing_api)
    order = await shop.place_order([("POLE-CF-120", 1)])
    await export_orders("demo")
    warehouse.pick(f"FJ-{order}")
    world.ongoing.post(f"/_sim/orders/FJ-{order}/ship", json={"waybill": "00370000000000000009"}).raise_for_status()

    # Killed after recording the intent (and the email decision), before the Starweb status change.
    with killed_after(monkeypatch, tasks.shipments, "_cut_items",
                      [(flows.shipment_report, "let_go_of_shipments")]):
        await report_shipments("demo")
    (intent,) = ledger_rows(Shipment)
    assert intent.state == ledger.shipments.INTENT and intent.claimed_by is not None
    assert await state_of(intent.claimed_by) == "Crashed"

    result = await report_shipments("demo")

    assert (result.get("reported"), result["emails"]) == (1, 1)
    sent = [e for e in world.starweb.get("/_sim/emails", params={"orderId": order}).json()["data"]
            if e["statusId"] == SENT]
    assert len(sent) == 1
    assert (await shop.order(order)).shipping_tracking_no == "00370000000000000009"
    (done,) = ledger_rows(Shipment)
    assert (done.state, done.claimed_by) == (ledger.shipments.ACKNOWLEDGED, None)
