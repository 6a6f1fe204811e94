"""Each merchant's request budget per vendor is a Prefect rate limit, shared by every process: made from the
merchant file (limit = burst, decay = per second), corrected when the file changes, and spent by every
request of a vendor client built for a run; a used-up budget holds the request back instead of sending it."""

from __future__ import annotations

import contextlib

import pytest
from prefect.client.orchestration import get_client
from prefect.exceptions import ObjectNotFound

import tasks.request_budgets
from domain.config import load_merchant_by_id
from integrations.errors import RetryableError
from integrations.http import RetryPolicy
from tasks.request_budgets import ensure_budgets
from tasks.runtime import ongoing_client, starweb_client
from tests.flows.conftest import World


def set_rate_limits(world: World, text: str) -> None:
    path = world.merchants_dir / "demo.yaml"
    body = path.read_text()
    path.write_text(body[:body.index("rate_limits:")] + text)


async def test_every_merchants_budgets_are_made_from_its_file_and_follow_its_changes(world: World) -> None:
    merchant = load_merchant_by_id("demo", world.merchants_dir)

    names = await ensure_budgets([merchant])

    assert names == ["starweb-requests:demo", "ongoing-requests:demo"]
    async with get_client() as client:
        limit = await client.read_global_concurrency_limit_by_name("ongoing-requests:demo")
        assert (limit.limit, limit.slot_decay_per_second) == (2000, 1000), "the test world's figures"
        set_rate_limits(world, "rate_limits:\n  ongoing: {per_second: 2.5, burst: 5}\n")
        await ensure_budgets([load_merchant_by_id("demo", world.merchants_dir)])
        limit = await client.read_global_concurrency_limit_by_name("ongoing-requests:demo")
        assert (limit.limit, limit.slot_decay_per_second) == (5, 2.5)


async def test_a_used_up_budget_holds_requests_back(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # Two requests at once, then one every 1000 s: the third request of either client must wait for it.
    set_rate_limits(world, "rate_limits:\n  ongoing: {per_second: 0.001, burst: 2}\n"
                           "  starweb: {per_second: 0.001, burst: 2}\n")
    monkeypatch.setattr(tasks.request_budgets, "BUDGET_WAIT_SECONDS", 1.0)
    merchant = load_merchant_by_id("demo", world.merchants_dir)
    async with get_client() as client:  # an earlier test's slots must not count here
        for name in ("ongoing-requests:demo", "starweb-requests:demo"):
            with contextlib.suppress(ObjectNotFound):
                await client.delete_global_concurrency_limit_by_name(name)
    tasks.request_budgets._ensured.clear()

    async with await ongoing_client(merchant, policy=RetryPolicy.no_wait(1)) as warehouse:
        assert await warehouse.list_order_statuses()
        assert await warehouse.list_order_statuses()
        with pytest.raises(RetryableError, match=r"request budget ongoing-requests:demo \(0.001 per second\)"):
            await warehouse.list_order_statuses()
    async with await starweb_client(merchant, policy=RetryPolicy.no_wait(1)) as shop:
        with pytest.raises(RetryableError, match="starweb-requests:demo"):
            # the token request and the list take the two slots
            for _ in range(3):
                await shop.list_order_statuses()
