"""``swo setup`` against a Prefect server (the test harness's): the work pool with a queue per kind of work
in priority order, every merchant's limits, the automation that crashes runs whose heartbeats stopped, and
the ledger; a second run changes nothing; without a server to talk to it says so in one line."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL, temporary_settings
from typer.testing import CliRunner

from deployments.automations import MANAGED_TAG
from swo.cli import app
from tests.flows.conftest import World


@pytest.fixture
def clean_server(world: World) -> Iterator[World]:
    yield world
    asyncio.run(_remove_what_setup_made())


async def _remove_what_setup_made() -> None:
    async with get_client() as client:
        for automation in await client.read_automations():
            if MANAGED_TAG in automation.tags:
                await client.delete_automation(automation.id)
        await client.delete_work_pool("swo")


async def _server_state() -> tuple[str, list[tuple[str, int]], list[str], list[str]]:
    async with get_client() as client:
        pool = await client.read_work_pool("swo")
        queues = sorted((q.priority, q.name) for q in await client.read_work_queues(work_pool_name="swo"))
        limits = [limit.name for limit in await client.read_global_concurrency_limits(limit=200)]
        automations = [a.name for a in await client.read_automations()]
    return pool.type, [(name, priority) for priority, name in queues if name != "default"], limits, automations


def test_setup_makes_the_server_ready_for_workers_and_a_second_run_changes_nothing(clean_server: World) -> None:
    runner = CliRunner()

    first = runner.invoke(app, ["setup"])
    again = runner.invoke(app, ["setup"])

    assert first.exit_code == 0, first.output
    assert "work pool swo: created (process)" in first.output
    assert "work queue swo/orders: created (priority 1)" in first.output
    assert "automation 'swo: crash unresponsive runs': created" in first.output
    assert "Ready for 1 merchant(s): demo." in first.output
    pool_type, queues, limits, automations = asyncio.run(_server_state())
    assert pool_type == "process"
    assert queues == [("orders", 1), ("stock", 2), ("daily", 3)]
    assert {"ongoing-requests:demo", "starweb-requests:demo"} <= set(limits)
    assert any(name.startswith("ongoing-writes:") and name.endswith(":demo:goods-owner-1") for name in limits)
    assert automations.count("swo: crash unresponsive runs") == 1

    assert again.exit_code == 0, again.output
    assert "work pool swo: exists (process)" in again.output
    assert "work queue swo/daily: exists (priority 3)" in again.output
    assert "automation 'swo: crash unresponsive runs': unchanged" in again.output
    assert asyncio.run(_server_state()) == (pool_type, queues, limits, automations)


def test_setup_needs_a_prefect_server_to_set_up() -> None:
    with temporary_settings({PREFECT_API_URL: None}):
        result = CliRunner().invoke(app, ["setup"])

    assert result.exit_code == 1
    assert "PREFECT_API_URL is not set" in result.output
