"""Whose turn it is to write to an Ongoing goods owner: one write at a time, or one series of writes.

Ongoing processes a goods owner's writes one at a time and times out the ones that queue. So a write
takes a lock shared by every client for that goods owner in the running event loop, then the caller's
``WriteSlot`` (the connector plugs in one shared by every process). Taking and giving back a shared
slot costs round trips to whoever keeps it, so a batch opens a ``write_series``: the lock and the slot
are taken at the series' first write and kept until the series ends, and the writes inside go one at
a time under it. A series is for one batch of a task (a pass's orders); it is not a place to wait.
A long series (a catalogue's first push: hours of writes) passes the turn on every ``hold_writes``
writes or ``hold_seconds``, so other runs of the goods owner get theirs in between.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

T = TypeVar("T")
WriteSlot = Callable[[], AbstractAsyncContextManager[Any]]
Owner = tuple[str, int]  # (base URL, goods owner id)

_write_locks: WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Owner, asyncio.Lock]] = WeakKeyDictionary()


def goods_owner_write_lock(base_url: str, goods_owner_id: int) -> asyncio.Lock:
    """The lock every write for one goods owner takes, shared by all clients in the running loop."""
    locks = _write_locks.setdefault(asyncio.get_running_loop(), {})
    return locks.setdefault((base_url.rstrip("/"), goods_owner_id), asyncio.Lock())


@dataclass
class WriteSeries:
    """An open series: what it holds once its first write took the turn, and who opened it."""

    owner_task: asyncio.Task[Any] | None
    hold_writes: float = float("inf")
    hold_seconds: float = float("inf")
    clock: Callable[[], float] = time.monotonic
    held: AsyncExitStack = field(default_factory=AsyncExitStack)
    taken: bool = False
    taken_at: float = 0.0
    writes_in_turn: int = 0
    turns: int = 0
    one_at_a_time: asyncio.Lock = field(default_factory=asyncio.Lock)

    def turn_used_up(self) -> bool:
        return self.taken and (self.writes_in_turn >= self.hold_writes
                               or self.clock() - self.taken_at >= self.hold_seconds)

    async def give_back(self) -> None:
        held, self.held, self.taken = self.held, AsyncExitStack(), False
        await held.aclose()


_open_series: ContextVar[Mapping[Owner, WriteSeries] | None] = ContextVar("ongoing_write_series", default=None)


def _owner(base_url: str, goods_owner_id: int) -> Owner:
    return base_url.rstrip("/"), goods_owner_id


@asynccontextmanager
async def write_series(base_url: str, goods_owner_id: int, *, hold_writes: float = float("inf"),
                       hold_seconds: float = float("inf"),
                       clock: Callable[[], float] = time.monotonic) -> AsyncIterator[WriteSeries]:
    """Keep the goods owner's write turn (lock and slot) from the first write inside to the end of the block,
    or for ``hold_writes`` writes / ``hold_seconds`` at a time. Inside a series of the same goods owner, a
    nested one adds nothing."""
    key = _owner(base_url, goods_owner_id)
    opened = _open_series.get() or {}
    if key in opened:
        yield opened[key]
        return
    series = WriteSeries(asyncio.current_task(), hold_writes, hold_seconds, clock)
    token = _open_series.set({**opened, key: series})
    try:
        yield series
    finally:
        _open_series.reset(token)
        await series.held.aclose()  # gives the slot back, then the lock


async def take_turn_and_write(base_url: str, goods_owner_id: int, write_slot: WriteSlot,
                              write: Callable[[], Awaitable[T]]) -> T:
    """Run one write in the goods owner's turn: the open series' (taken at its first write), or a turn of
    its own taken and given back around it."""
    series = (_open_series.get() or {}).get(_owner(base_url, goods_owner_id))
    # The turn is entered by the task that opened the series (the slot's lease keeper is tied to it); a
    # write from another task before the series took its turn takes a turn of its own.
    if series is None or (not series.taken and series.owner_task is not asyncio.current_task()):
        async with goods_owner_write_lock(base_url, goods_owner_id), write_slot():
            return await write()
    async with series.one_at_a_time:
        if series.turn_used_up() and series.owner_task is asyncio.current_task():
            await series.give_back()
            await asyncio.sleep(0)  # a writer waiting for the lock takes it before the series asks again
        if not series.taken:
            async with AsyncExitStack() as turn:  # a slot not had gives the lock back at once
                await turn.enter_async_context(goods_owner_write_lock(base_url, goods_owner_id))
                await turn.enter_async_context(write_slot())
                series.held.push_async_exit(turn.pop_all())
            series.taken, series.taken_at, series.writes_in_turn = True, series.clock(), 0
            series.turns += 1
        series.writes_in_turn += 1
        return await write()
