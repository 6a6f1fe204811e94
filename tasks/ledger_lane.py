"""A ledger lane: a run's ledger bookkeeping done in one thread beside its vendor calls.

A vendor write waits on the network far longer than the connector spends recording it, and Ongoing takes a
goods owner's writes one at a time. A run that records each write before sending the next adds its own
work to every write; one that hands the recording to a lane sends the next write while the lane records
the last one. The lane is one thread, so its jobs run one at a time in the order they were given (a status
mark after the binding it marks), each in the context of the run that gave it (Prefect's run context, for
the audit row's flow-run id and the run logger).
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import TypeVar

T = TypeVar("T")


class LedgerLane:
    """Ledger jobs in order, in one thread; leave the ``with`` block only after every job is done."""

    def __init__(self, name: str = "ledger-lane") -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    def submit(self, job: Callable[[], T]) -> asyncio.Future[T]:
        """Queue ``job``; its result (or its exception) comes with the future."""
        context = contextvars.copy_context()
        return asyncio.get_running_loop().run_in_executor(self._pool, context.run, job)

    def __enter__(self) -> LedgerLane:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._pool.shutdown(wait=True)
