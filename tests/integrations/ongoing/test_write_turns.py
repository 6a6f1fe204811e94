"""The goods owner's write turn: taken around each write, or once for a series of writes (at its first
write, given back at its end), with writes outside the series waiting for it to end."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest

from integrations.ongoing.write_turns import take_turn_and_write, write_series

URL, OWNER = "http://ongoing.test/demo/api/v1", 1


class Slot:
    """A stand-in for the shared slot that notes when it is taken and given back."""

    def __init__(self, available: bool = True) -> None:
        self.log: list[str] = []
        self.available = available

    def __call__(self) -> AbstractAsyncContextManager[Any]:
        @asynccontextmanager
        async def held() -> AsyncIterator[None]:
            if not self.available:
                raise TimeoutError("another run kept the slot")
            self.log.append("take")
            try:
                yield
            finally:
                self.log.append("give back")
        return held()


def write(slot: Slot, name: str) -> Any:
    async def call() -> str:
        slot.log.append(name)
        await asyncio.sleep(0)
        return name
    return call


async def test_each_write_outside_a_series_takes_and_gives_back_its_own_turn() -> None:
    slot = Slot()
    for name in ("a", "b"):
        assert await take_turn_and_write(URL, OWNER, slot, write(slot, name)) == name
    assert slot.log == ["take", "a", "give back", "take", "b", "give back"]


async def test_a_series_takes_the_turn_at_its_first_write_and_gives_it_back_at_its_end() -> None:
    slot = Slot()
    async with write_series(URL, OWNER):
        assert slot.log == []
        for name in ("a", "b", "c"):
            await take_turn_and_write(URL, OWNER, slot, write(slot, name))
        assert slot.log == ["take", "a", "b", "c"]
    assert slot.log == ["take", "a", "b", "c", "give back"]


async def test_a_series_without_writes_takes_nothing_and_a_nested_one_adds_nothing() -> None:
    slot = Slot()
    async with write_series(URL, OWNER):
        pass
    async with write_series(URL, OWNER):
        async with write_series(URL, OWNER):
            await take_turn_and_write(URL, OWNER, slot, write(slot, "a"))
        await take_turn_and_write(URL, OWNER, slot, write(slot, "b"))
    assert slot.log == ["take", "a", "b", "give back"]


async def test_a_write_outside_the_series_waits_for_its_end() -> None:
    slot = Slot()
    outside_done = asyncio.Event()

    async def outside() -> None:
        await take_turn_and_write(URL, OWNER, slot, write(slot, "outside"))
        outside_done.set()

    async with write_series(URL, OWNER):
        await take_turn_and_write(URL, OWNER, slot, write(slot, "a"))
        # Another run's task in this process: a context of its own, outside the series.
        other = asyncio.create_task(outside(), context=contextvars.Context())
        await asyncio.sleep(0.05)
        assert not outside_done.is_set()
        await take_turn_and_write(URL, OWNER, slot, write(slot, "b"))
    await other
    assert slot.log == ["take", "a", "b", "give back", "take", "outside", "give back"]


async def test_another_goods_owner_is_not_held_up_by_the_series() -> None:
    slot, elsewhere = Slot(), Slot()
    async with write_series(URL, OWNER):
        await take_turn_and_write(URL, OWNER, slot, write(slot, "a"))
        await asyncio.wait_for(take_turn_and_write(URL, 2, elsewhere, write(elsewhere, "other owner")), 1)
    assert elsewhere.log == ["take", "other owner", "give back"]


async def test_a_slot_the_series_cannot_have_leaves_the_lock_free_for_the_next_try() -> None:
    slot = Slot(available=False)
    async with write_series(URL, OWNER):
        with pytest.raises(TimeoutError):
            await take_turn_and_write(URL, OWNER, slot, write(slot, "a"))
        slot.available = True
        await asyncio.wait_for(take_turn_and_write(URL, OWNER, slot, write(slot, "b")), 1)
    assert slot.log == ["take", "b", "give back"]
