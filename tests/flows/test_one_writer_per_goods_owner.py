"""End to end, across processes: two writing flows of one merchant started at the same moment, each in
a process of its own as Prefect runs deployments, never have two Ongoing writes in flight at once —
the simulator, which takes its time over each write, counts every write that arrives while another is
still in flight. A batch's series of writes takes the goods owner's slot once and keeps it until the
series ends: another process cannot have it meanwhile."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitUpdate
from prefect.settings import PREFECT_API_URL

import tasks.runtime
from domain.config import load_merchant_by_id
from integrations.ongoing.models import ArticleWrite
from settings import PROJECT_ROOT
from tasks import write_slots
from tasks.write_slots import ensure_write_limits
from tests.flows.actors import Shop, Warehouse
from tests.flows.conftest import World

# Import everything, say so, wait for the starting signal, then run one flow for the demo merchant.
RUN_ONE_FLOW = """
import asyncio, pathlib, sys, time
from flows.order_export import export_orders
from flows.product_sync import sync_products
flow = {"export-orders": export_orders, "sync-products": sync_products}[sys.argv[1]]
pathlib.Path(sys.argv[2]).touch()
while not pathlib.Path(sys.argv[3]).exists():
    time.sleep(0.01)
print(asyncio.run(flow("demo")))
"""


def wait_for(paths: list[Path], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not all(path.exists() for path in paths):
        assert time.monotonic() < deadline, "the flow processes did not start"
        time.sleep(0.05)


async def test_two_writing_flows_in_two_processes_never_write_to_ongoing_at_once(
        world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shop, warehouse = Shop(world.sims.starweb_api), Warehouse(world.ongoing, world.sims.ongoing_api)
    orders = [await shop.place_order([("SOCK-MER-42", 1)]) for _ in range(3)]
    monkeypatch.setattr(world.sims.ongoing_settings, "write_processing_seconds", 0.25)
    world.ongoing.delete("/_sim/writes").raise_for_status()
    tasks.runtime.ledger()  # the ledger exists before the runs start, as in production (migrating is not a race)

    environment = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
    go = tmp_path / "go"
    ready = {name: tmp_path / f"{name}.ready" for name in ("export-orders", "sync-products")}
    processes = [subprocess.Popen([sys.executable, "-c", RUN_ONE_FLOW, name, str(flag), str(go)], cwd=PROJECT_ROOT,
                                  env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for name, flag in ready.items()]
    try:
        await asyncio.to_thread(wait_for, list(ready.values()))
        go.touch()
        outputs = [await asyncio.to_thread(process.communicate, timeout=300) for process in processes]
    finally:
        for process in processes:
            process.kill()
    for process, (output, _) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, output[-3000:]

    writes = world.ongoing.get("/_sim/writes").json()["goodsOwners"]["1"]
    assert writes["writes"] >= 10, "both flows wrote"
    assert writes["overlaps"] == 0 and writes["maxInFlight"] == 1
    assert all(warehouse.status(f"FJ-{order}") == 210 for order in orders)
    assert warehouse.article("POLE-CF-120") is not None


async def test_each_merchants_write_limit_is_made_with_one_slot_and_put_back_to_one(world: World) -> None:
    merchant = load_merchant_by_id("demo", world.merchants_dir)
    (name,) = await ensure_write_limits([merchant])
    assert name == f"ongoing-writes:{world.sims.ongoing.root_url.removeprefix('http://')}:demo:goods-owner-1"
    async with get_client() as client:
        await client.update_global_concurrency_limit(name, GlobalConcurrencyLimitUpdate(limit=2))
        write_slots._ensured.discard(name)  # as a new process would
        await ensure_write_limits([merchant])
        assert (await client.read_global_concurrency_limit_by_name(name)).limit == 1


# In another process: try the goods owner's slot briefly, say how it went, and (once told to) again.
TRY_THE_SLOT = """
import asyncio, pathlib, sys
from prefect.concurrency.asyncio import AcquireConcurrencySlotTimeoutError, concurrency
name, said, again = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])

async def attempt(timeout):
    try:
        async with concurrency(name, occupy=1, strict=True, lease_duration=60, timeout_seconds=timeout):
            return "acquired"
    except AcquireConcurrencySlotTimeoutError:
        return "timed out"

said.write_text(asyncio.run(attempt(3)))
while not again.exists():
    asyncio.run(asyncio.sleep(0.05))
print(asyncio.run(attempt(60)))
"""


async def test_a_write_series_holds_the_slot_from_its_first_write_to_its_end_against_another_process(
        world: World, warehouse: Warehouse, tmp_path: Path) -> None:
    merchant = load_merchant_by_id("demo", world.merchants_dir)
    (name,) = await ensure_write_limits([merchant])
    taken: list[str] = []
    slot = write_slots.write_slot(name)

    def counted() -> AbstractAsyncContextManager[Any]:
        taken.append(name)
        return slot()

    said, again = tmp_path / "said", tmp_path / "again"
    async with await tasks.runtime.ongoing_client(merchant, write_slot=counted) as ongoing:
        async with ongoing.write_series():
            assert taken == []  # nothing taken before the first write
            for sku in ("SERIES-1", "SERIES-2", "SERIES-3"):
                await ongoing.put_article(ArticleWrite(article_number=sku, article_name="Series"))
            environment = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
            other = subprocess.Popen([sys.executable, "-c", TRY_THE_SLOT, name, str(said), str(again)],
                                     cwd=PROJECT_ROOT, env=environment, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
            try:
                await asyncio.to_thread(wait_for, [said])
                while not said.read_text():
                    await asyncio.sleep(0.05)
                held_out = said.read_text()
                await ongoing.put_article(ArticleWrite(article_number="SERIES-4", article_name="Series"))
            except BaseException:
                other.kill()
                raise
        again.touch()  # the series is over: its slot is back
        output, _ = await asyncio.to_thread(other.communicate, timeout=300)

    assert taken == [name]  # one turn for four writes
    assert held_out == "timed out"
    assert "acquired" in output.splitlines(), output[-2000:]
    assert warehouse.article("SERIES-1") is not None and warehouse.article("SERIES-4") is not None
