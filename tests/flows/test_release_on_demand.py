"""End to end: an operator releases one order on demand with `prefect deployment run` against the
served `release-orders/<merchant>` deployment, as the README shows."""

from __future__ import annotations

import asyncio
import multiprocessing.forkserver
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prefect.runner import Runner, _starter_direct
from prefect.settings import PREFECT_API_URL

from deployments.build import build_deployments, to_runner_deployments
from deployments.registry import PROCESSES
from deployments.run_starts import preloaded_runner
from domain.config import load_merchant_by_id
from flows.order_export import export_orders
from tests.flows.actors import Shop, Warehouse
from tests.flows.conftest import World

PREFECT_CLI = Path(sys.executable).parent / "prefect"


async def test_prefect_deployment_run_releases_the_order_it_is_given(world: World) -> None:
    shop, warehouse = Shop(world.sims.starweb_api), Warehouse(world.ongoing, world.sims.ongoing_api)
    wanted = await shop.place_order([("THERMOS-1L", 1)])
    other = await shop.place_order([("THERMOS-1L", 1)])
    await export_orders("demo")

    merchant = load_merchant_by_id("demo", world.merchants_dir)
    release = [p for p in PROCESSES if p.flow_name == "release-orders"]
    # Built outside the event loop, as `swo run` does (Prefect's to_deployment is sync there).
    (deployment,) = await asyncio.to_thread(to_runner_deployments, build_deployments([merchant], processes=release))
    runner = Runner(query_seconds=1, pause_on_shutdown=False, limit=1)
    await runner.aadd_deployment(deployment)
    serving = asyncio.create_task(runner.start())
    try:
        environment = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
        command = [str(PREFECT_CLI), "deployment", "run", "release-orders/demo", "--param", f"order_ids=[{wanted}]",
                   "--watch", "--watch-timeout", "120"]
        finished = await asyncio.to_thread(subprocess.run, command, env=environment, capture_output=True,
                                           text=True, timeout=180)
    finally:
        await runner.stop()
        serving.cancel()
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "Completed" in finished.stdout + finished.stderr
    assert warehouse.status(f"FJ-{wanted}") == 300
    assert (await shop.order(wanted)).status_id == 2
    assert warehouse.status(f"FJ-{other}") == 210, "only the order asked for"


async def test_a_run_served_as_swo_run_serves_it_forks_from_the_preloaded_process_and_exports(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    shop, warehouse = Shop(world.sims.starweb_api), Warehouse(world.ongoing, world.sims.ongoing_api)
    placed = await shop.place_order([("THERMOS-1L", 1)])
    # Whatever this test changes in Prefect's starter is put back afterwards.
    monkeypatch.setattr(_starter_direct, "run_flow_in_subprocess", _starter_direct.run_flow_in_subprocess)

    merchant = load_merchant_by_id("demo", world.merchants_dir)
    export = [p for p in PROCESSES if p.flow_name == "export-orders"]
    runner = await asyncio.to_thread(preloaded_runner, build_deployments([merchant], processes=export),
                                     query_seconds=1, pause_on_shutdown=False, limit=1)
    serving = asyncio.create_task(runner.start())
    try:
        environment = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
        command = [str(PREFECT_CLI), "deployment", "run", "export-orders/demo", "--watch", "--watch-timeout", "120"]
        finished = await asyncio.to_thread(subprocess.run, command, env=environment, capture_output=True,
                                           text=True, timeout=180)
    finally:
        await runner.stop()
        serving.cancel()
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "Completed" in finished.stdout + finished.stderr
    assert warehouse.order(f"FJ-{placed}") is not None, "the served run exported the order"
    assert multiprocessing.forkserver._forkserver._forkserver_pid is not None, "the run came from the forkserver"
