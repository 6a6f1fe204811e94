"""A series of writes that keeps the goods owner's turn between its writes, for long batches.

Every Ongoing write takes the goods owner's write lock in this event loop and then the caller's write
slot (the connector's is shared by every process, through the orchestrator). Taking and giving back the
slot for each of 50 000 article writes costs more than the writes themselves. A series takes both once
and keeps them for up to ``hold_writes`` writes or ``hold_seconds``, then gives them back (so other runs
get their turn: the lock is first come, first served) and takes them again at its next write. Only the
task that opened the series writes through it; any other caller queues for the lock as usual.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from typing import Any

HOLD_WRITES = 50
HOLD_SECONDS = 2.0


class WriteSeries:
    """The goods owner's lock and write slot, kept across the writes of the task that opened the series."""

    def __init__(self, lock: asyncio.Lock, slot: Callable[[], AbstractAsyncContextManager[Any]], *,
                 hold_writes: int = HOLD_WRITES, hold_seconds: float = HOLD_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._lock, self._slot, self._clock = lock, slot, clock
        self.hold_writes, self.hold_seconds = hold_writes, hold_seconds
        self.owner = asyncio.current_task()
        self._held: AsyncExitStack | None = None
        self._since = 0.0
        self._writes = 0
        self.turns = 0  # how many times the lock and slot were taken

    def serves_current_task(self) -> bool:
        return self.owner is not None and self.owner is asyncio.current_task()

    async def take_turn(self) -> None:
        """Before each write: keep the turn, or give it back when it is used up and take the next one."""
        if self._held is not None and (self._writes >= self.hold_writes
                                       or self._clock() - self._since >= self.hold_seconds):
            await self.close()
            await asyncio.sleep(0)  # let a waiting writer take the lock before we ask again
        if self._held is None:
            held = AsyncExitStack()
            await held.enter_async_context(self._lock)
            try:
                await held.enter_async_context(self._slot())
            except BaseException:
                await held.aclose()
                raise
            self._held, self._since, self._writes = held, self._clock(), 0
            self.turns += 1
        self._writes += 1

    async def close(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            await held.aclose()
