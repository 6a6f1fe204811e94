"""The ledger lane: jobs run one at a time in the order given, beside the event loop, in the caller's context."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from functools import partial

import pytest

from tasks.ledger_lane import LedgerLane

run_name: contextvars.ContextVar[str] = contextvars.ContextVar("run_name", default="none")


async def test_jobs_run_in_order_in_one_thread_while_the_loop_goes_on() -> None:
    done: list[int] = []
    threads: set[int] = set()

    def job(n: int) -> int:
        time.sleep(0.02)
        threads.add(threading.get_ident())
        done.append(n)
        return n * 10

    with LedgerLane() as lane:
        futures = [lane.submit(partial(job, n)) for n in range(5)]
        assert not done, "submitting does not wait for the job"
        await asyncio.sleep(0)  # the loop is free while the lane works
        results = await asyncio.gather(*futures)
    assert done == [0, 1, 2, 3, 4] and results == [0, 10, 20, 30, 40]
    assert len(threads) == 1 and threading.get_ident() not in threads


async def test_a_job_sees_the_context_it_was_given_in_and_its_failure_reaches_its_future_only() -> None:
    run_name.set("export-orders-demo")

    def broken() -> None:
        raise LookupError("no binding")

    with LedgerLane() as lane:
        failed = lane.submit(broken)
        seen = lane.submit(run_name.get)
        with pytest.raises(LookupError, match="no binding"):
            await failed
        assert await seen == "export-orders-demo"


def test_leaving_the_lane_waits_for_its_last_job() -> None:
    done: list[str] = []

    def record() -> None:
        time.sleep(0.05)
        done.append("recorded")

    async def give_and_leave() -> None:
        with LedgerLane() as lane:
            lane.submit(record)

    asyncio.run(give_and_leave())
    assert done == ["recorded"]
