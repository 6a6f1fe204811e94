"""End to end: a process without claims of its own runs once per merchant at a time, whoever starts it. A
status sync that finds another live run of it at work leaves the work to that run and writes nothing; once
Prefect shows that run over, the next run takes the lock at once and does the work, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from prefect.client.orchestration import get_client
from prefect.states import Crashed, Running

from flows.order_export import export_orders
from flows.order_statuses import sync_order_statuses
from ledger import locks
from ledger.models import RunLock
from tasks.runtime import ledger
from tests.flows.actors import Shop, Warehouse, ledger_rows
from tests.flows.conftest import World

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


async def test_a_second_status_sync_leaves_the_work_to_the_run_at_work_and_takes_over_when_it_is_over(
        world: World) -> None:
    shop, warehouse = Shop(world.sims.starweb_api), Warehouse(world.ongoing, world.sims.ongoing_api)
    order_id = await shop.place_order([("SOCK-MER-42", 2)])
    await export_orders("demo")
    number = f"FJ-{order_id}"
    (line,) = (warehouse.order(number) or {})["orderLines"]
    warehouse.pick(number, [{"rowNumber": line["rowNumber"], "numberOfItems": 1}])  # a short pick: a comment
    async with get_client() as client:
        other = await client.create_flow_run(sync_order_statuses, parameters={"merchant_id": "demo"},
                                             state=Running())
    with ledger().session() as session:
        assert locks.acquire_lock(session, "sync-order-statuses:demo", str(other.id),
                                  lease=timedelta(minutes=10)) is None

    skipped = await sync_order_statuses("demo", return_state=True)

    assert skipped.name == "Skipped" and str(other.id) in (skipped.message or "")
    assert await shop.comments(order_id) == [], "nothing was written"

    async with get_client() as client:
        await client.set_flow_run_state(other.id, Crashed(message="its worker was killed"), force=True)
    result = await sync_order_statuses("demo")

    assert result["commented"] == 1
    assert sum("plockade färre" in text for text in await shop.comments(order_id)) == 1
    assert ledger_rows(RunLock) == [], "the run let go of the lock"


async def test_a_dry_run_takes_no_lock(world: World) -> None:
    with ledger().session() as session:
        locks.acquire_lock(session, "sync-order-statuses:demo", "f" * 32, lease=timedelta(minutes=10))

    state = await sync_order_statuses("demo", dry_run=True, return_state=True)

    assert state.is_completed() and state.name != "Skipped"
