"""A merchant's request budget per vendor, within one process: slots are taken from Prefect a few at a
time, never more than half the burst, and the ones not used soon lapse instead of being spent later in a
burst (Prefect's rate limit replaced by a recorder; the limits themselves are tested against a Prefect
server in tests/flows/test_request_budgets.py)."""

from __future__ import annotations

import pytest

from domain.config import RequestRate
from tasks.request_budgets import TOKEN_LIFETIME_SECONDS, RequestBudget, batch_size, budget_name


class PrefectRecorder:
    def __init__(self) -> None:
        self.acquired: list[int] = []

    async def __call__(self, slots: int) -> None:
        self.acquired.append(slots)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(("per_second", "burst", "batch"), [
    (10, 20, 5),    # half a second's worth
    (1, 20, 1),     # at least one
    (0.2, 1, 1),
    (100, 4, 2),    # never more than half the burst, so other processes get their share
    (100, 1, 1),
])
def test_a_process_takes_about_half_a_second_of_slots_at_once(per_second: float, burst: int, batch: int) -> None:
    assert batch_size(RequestRate(per_second=per_second, burst=burst)) == batch


def test_each_merchant_and_vendor_has_its_own_named_budget() -> None:
    assert budget_name("ongoing", "demo") == "ongoing-requests:demo"
    assert budget_name("starweb", "demo") != budget_name("starweb", "acme")


async def test_requests_spend_the_slots_taken_before_asking_prefect_again() -> None:
    prefect, clock = PrefectRecorder(), Clock()
    budget = RequestBudget("ongoing-requests:demo", "ongoing", RequestRate(per_second=10, burst=20),
                           acquire=prefect, clock=clock)

    for _ in range(12):
        await budget()

    assert prefect.acquired == [5, 5, 5]  # 15 slots taken for 12 requests, 3 left for the next second


async def test_slots_not_used_within_a_second_lapse() -> None:
    prefect, clock = PrefectRecorder(), Clock()
    budget = RequestBudget("starweb-requests:demo", "starweb", RequestRate(per_second=10, burst=20),
                           acquire=prefect, clock=clock)
    await budget()
    clock.now += TOKEN_LIFETIME_SECONDS

    await budget()

    assert prefect.acquired == [5, 5], "the 4 slots left from a second ago were not spent"
