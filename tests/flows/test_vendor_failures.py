"""End to end: how runs meet failing vendors. A transient error is retried by the task and the run
completes; a down Ongoing costs a handful of failed calls across many runs — each in its own process,
as Prefect runs them — and then every run says it is paused, until when and why; one Starweb login
serves a whole run."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import tasks.runtime
from flows.order_export import export_orders
from flows.order_statuses import sync_order_statuses
from flows.product_sync import sync_products
from flows.shipment_report import report_shipments
from flows.stock_sync import sync_stock
from integrations.http import reset_shared_breakers
from integrations.starweb.auth import forget_process_tokens
from ledger.models import BreakerRecord
from tests.flows.actors import Shop, Warehouse, quarantined
from tests.flows.conftest import World


def as_if_in_a_new_process() -> None:
    """Prefect starts every deployment run in a process of its own: nothing of an earlier run's memory."""
    reset_shared_breakers()
    forget_process_tokens()


def failed_calls(world: World) -> list[dict[str, Any]]:
    """The Ongoing API calls the simulator failed (every one reached it and counted against us)."""
    return world.ongoing.get("/_sim/faults").json()["injected"]


def ten_minutes_pass() -> None:
    with tasks.runtime.ledger().session() as session:
        for record in session.query(BreakerRecord).all():
            if record.open_until is not None:
                record.open_until -= timedelta(minutes=10)


async def test_a_transient_ongoing_error_is_retried_by_the_task_and_the_run_completes(
        world: World, shop: Shop, warehouse: Warehouse) -> None:
    order = await shop.place_order([("SOCK-MER-42", 1)])
    # One 500 on the stock read: not retried by the transport (only 502-504 are), so the task must be.
    world.ongoing.post("/_sim/faults", json={"scripted": [{"fault": "500", "method": "GET",
                                                           "path_contains": "/articles"}]}).raise_for_status()

    result = await export_orders("demo")

    assert [f["path"] for f in failed_calls(world)] == ["/demo/api/v1/articles"], "the first attempt failed"
    assert result.get("created") == 1
    assert warehouse.status(f"FJ-{order}") == 210, "the retried run exported the order"


async def test_a_down_ongoing_costs_fewer_than_five_failed_calls_over_many_runs(
        world: World, shop: Shop, warehouse: Warehouse) -> None:
    order = await shop.place_order([("SOCK-MER-42", 1)])
    world.ongoing.post("/_sim/faults", json={"scripted": [{"fault": "503", "times": 10_000}]}).raise_for_status()

    # Each run's first Ongoing call is its mapping check: once the breaker is open, every run stops there.
    for run in (export_orders, report_shipments, sync_stock, export_orders, sync_products):
        as_if_in_a_new_process()
        state = await run("demo", return_state=True)
        assert state.is_failed()
        assert "Ongoing unavailable: calls paused until" in (state.message or ""), state.message
        assert "consecutive failed calls; last cause: ongoing failed with a server error" in (state.message or "")
    assert not quarantined("product"), "a paused Ongoing holds back the whole run, not each record"
    assert len(failed_calls(world)) < 5

    before = len(failed_calls(world))
    ten_minutes_pass()
    for run in (export_orders, sync_stock, export_orders):
        as_if_in_a_new_process()
        state = await run("demo", return_state=True)
        assert "Ongoing unavailable: calls paused until" in (state.message or "")
    assert len(failed_calls(world)) == before + 1, "after the pause, one trial call for all runs together"

    world.ongoing.delete("/_sim/faults").raise_for_status()
    ten_minutes_pass()
    as_if_in_a_new_process()
    assert (await export_orders("demo")).get("created") == 1
    assert warehouse.status(f"FJ-{order}") == 210


async def test_a_flow_run_logs_in_to_starweb_once(world: World, shop: Shop) -> None:
    await shop.place_order([("SOCK-MER-42", 1)])
    as_if_in_a_new_process()
    before = world.starweb.get("/_sim/tokens").json()["issued"]

    await export_orders("demo")  # reads statuses and orders in separate tasks, each with its own client
    await sync_order_statuses("demo")

    assert world.starweb.get("/_sim/tokens").json()["issued"] - before == 1
