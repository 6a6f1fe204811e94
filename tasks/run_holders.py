"""Who holds a claim or a lock, and whether that holder is still at work.

Claims (an order taken for a release, a shipment being reported) and run locks are held by a Prefect
flow run: the holder id written to the ledger is the flow-run id. Prefect knows what became of every
run, so a holder whose run is over (crashed, failed, cancelled or completed) is taken over at once
instead of after a time limit; the time limits in the ledger remain only for holders Prefect cannot
tell about. ``run_lock`` is a ledger lock held by the current run, renewed while it runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import timedelta
from uuid import UUID, uuid4

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

from ledger import locks
from tasks.runtime import current_flow_run_id, ledger

log = logging.getLogger(__name__)

LOCK_LEASE = timedelta(minutes=2)  # the fallback: a holder that stops renewing loses the lock after this


class LockBusy(RuntimeError):
    """Another run kept the lock for longer than this run was willing to wait (``holder``: that run)."""

    def __init__(self, message: str, *, holder: str) -> None:
        super().__init__(message)
        self.holder = holder


def current_holder() -> str:
    """The holder id for claims and locks taken now: this flow run's id (a random id outside a flow run)."""
    return current_flow_run_id() or uuid4().hex


def _run_id(holder: str) -> UUID | None:
    try:
        return UUID(holder)
    except ValueError:
        return None


async def finished_runs(holders: Iterable[str]) -> set[str]:
    """The holders that are Prefect flow runs in a final state. Holders Prefect does not know (a random
    id, another server) are not among them: for those the ledger's time limit decides."""
    ids = {run_id: holder for holder in set(holders) if holder and (run_id := _run_id(holder)) is not None}
    if not ids:
        return set()
    async with get_client() as client:
        runs = await client.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=list(ids))))
    return {ids[run.id] for run in runs if run.id in ids and run.state is not None and run.state.is_final()}


@asynccontextmanager
async def run_lock(name: str, holder: str, *, what: str, wait: timedelta = timedelta(minutes=15),
                   poll_seconds: float = 1.0, lease: timedelta = LOCK_LEASE) -> AsyncIterator[None]:
    """Hold the ledger lock ``name`` for ``holder`` while the block runs: wait while a live run holds it,
    take it over at once from a run that is over, and renew it every quarter lease until the block ends."""
    deadline = time.monotonic() + wait.total_seconds()
    while True:
        with ledger().session() as session:
            other = locks.acquire_lock(session, name, holder, lease=lease)
        if other is not None and other in await finished_runs([other]):
            log.info("%s: flow run %s held it and is over; taking it over", what, other)
            with ledger().session() as session:
                other = locks.acquire_lock(session, name, holder, lease=lease, finished_holders=[other])
        if other is None:
            break
        if time.monotonic() >= deadline:
            raise LockBusy(f"{what}: flow run {other} still holds it after {wait.total_seconds():g} s of waiting; "
                           "nothing was done", holder=other)
        await asyncio.sleep(poll_seconds)
    renewing = asyncio.create_task(_keep_renewed(name, holder, lease))
    try:
        yield
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing
        with ledger().session() as session:
            locks.release_lock(session, name, holder)


async def _keep_renewed(name: str, holder: str, lease: timedelta) -> None:
    while True:
        await asyncio.sleep(lease.total_seconds() / 4)
        with ledger().session() as session:
            if not locks.renew_lock(session, name, holder, lease=lease):
                log.warning("lock %s was taken over from flow run %s while it still ran", name, holder)
                return
