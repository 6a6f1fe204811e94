"""Reading back the Prefect events a test caused, as the test harness's server stored them."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

from prefect.client.orchestration import get_client
from prefect.events.worker import EventsWorker


async def drain_events() -> None:
    """Wait until this process has sent every event it emitted (inside an event loop Prefect's drain_all
    hands back something to await)."""
    pending = EventsWorker.drain_all()
    if inspect.isawaitable(pending):
        await pending


async def stored_events(name: str, where: Callable[[dict[str, Any]], bool] = lambda event: True,
                        *, deadline_seconds: float = 30) -> list[dict[str, Any]]:
    """The stored events called ``name`` that satisfy ``where``; waits (up to the deadline) for at least
    one, because the server stores an event a moment after it receives it."""
    await drain_events()
    loop = asyncio.get_running_loop()
    give_up = loop.time() + deadline_seconds
    async with get_client() as client:
        while True:
            answer = await client._client.post("/events/filter", json={
                "filter": {"event": {"name": [name]}, "order": "ASC"}, "limit": 50})
            answer.raise_for_status()
            found = [event for event in answer.json()["events"] if where(event)]
            if found or loop.time() > give_up:
                return found
            await asyncio.sleep(0.3)
