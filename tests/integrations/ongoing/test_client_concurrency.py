"""Ongoing runs one goods owner's writes one at a time and times out parallel ones: the client
must never have two writes for a goods owner in flight, while reads stay parallel."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import httpx
import respx

from integrations.http import RetryPolicy
from integrations.ongoing.client import OngoingClient, OngoingSettings
from integrations.ongoing.models import ConsigneeWrite, OrderLineWrite, OrderWrite
from tests.integrations.ongoing.payloads import order_json


class InFlight:
    """A respx side effect that answers after a short pause and records how many calls overlapped."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response]) -> None:
        self.answer = answer
        self.current = 0
        self.most = 0
        self.bodies: list[dict[str, Any]] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.current += 1
        self.most = max(self.most, self.current)
        try:
            await asyncio.sleep(0.02)
            if request.content:
                self.bodies.append(json.loads(request.content))
            return self.answer(request)
        finally:
            self.current -= 1


def order(number: str) -> OrderWrite:
    return OrderWrite(order_number=number, delivery_date=date(2026, 11, 12),
                      consignee=ConsigneeWrite(name="Anna Andersson", city="Stockholm", country_code="SE"),
                      order_lines=[OrderLineWrite(row_number="1", article_number="SOCK-MER-38", number_of_items=1)])


def stored(request: httpx.Request) -> httpx.Response:
    return httpx.Response(201, json={"orderId": 50000 + len(request.content), "message": "created"})


async def test_concurrent_order_writes_reach_ongoing_one_at_a_time(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    in_flight = InFlight(stored)
    ongoing_api.put("/orders").mock(side_effect=in_flight)

    results = await asyncio.gather(*(ongoing.put_order(order(f"SW-{n}")) for n in range(5)))

    assert all(r.created for r in results)
    assert sorted(b["orderNumber"] for b in in_flight.bodies) == [f"SW-{n}" for n in range(5)]
    assert in_flight.most == 1


async def test_separate_clients_for_one_goods_owner_share_the_write_queue(
    make_ongoing_client: Callable[..., OngoingClient], ongoing_api: respx.MockRouter
) -> None:
    in_flight = InFlight(stored)
    ongoing_api.put("/orders").mock(side_effect=in_flight)
    clients = [make_ongoing_client() for _ in range(3)]

    await asyncio.gather(*(client.put_order(order(f"SW-{n}")) for n, client in enumerate(clients)))

    assert len(in_flight.bodies) == 3 and in_flight.most == 1


async def test_different_goods_owners_do_not_wait_for_each_other(
    make_ongoing_client: Callable[..., OngoingClient], ongoing_settings: OngoingSettings,
    ongoing_api: respx.MockRouter,
) -> None:
    in_flight = InFlight(stored)
    ongoing_api.put("/orders").mock(side_effect=in_flight)
    ours = make_ongoing_client()
    theirs = make_ongoing_client(ongoing_settings.model_copy(update={"goods_owner_id": 160}))

    await asyncio.gather(ours.put_order(order("SW-1")), theirs.put_order(order("SW-2")))

    assert sorted(b["goodsOwnerId"] for b in in_flight.bodies) == [159, 160]
    assert in_flight.most == 2


async def test_reads_run_in_parallel(ongoing: OngoingClient, ongoing_api: respx.MockRouter) -> None:
    in_flight = InFlight(lambda request: httpx.Response(
        200, json=order_json(int(request.url.path.rsplit("/", 1)[1]), "SW-x")))
    ongoing_api.get(path__regex=r"/orders/\d+$").mock(side_effect=in_flight)

    found = await asyncio.gather(*(ongoing.get_order(50000 + n) for n in range(5)))

    assert [o.order_id for o in found] == [50000 + n for n in range(5)]
    assert in_flight.most == 5


async def test_every_write_and_no_read_holds_the_callers_write_slot(
    ongoing_settings: OngoingSettings, ongoing_api: respx.MockRouter
) -> None:
    events: list[str] = []

    @asynccontextmanager
    async def slot() -> AsyncIterator[None]:
        events.append("slot taken")
        yield
        events.append("slot freed")

    def answer(request: httpx.Request) -> httpx.Response:
        events.append(f"{request.method} {request.url.path.rsplit('/', 1)[-1]}")
        return stored(request) if request.method == "PUT" else httpx.Response(200, json=order_json(50001, "SW-1"))

    ongoing_api.put("/orders").mock(side_effect=answer)
    ongoing_api.get("/orders/50001").mock(side_effect=answer)
    async with OngoingClient(ongoing_settings, policy=RetryPolicy.no_wait(), write_slot=slot) as client:
        await client.put_order(order("SW-1"))
        await client.get_order(50001)

    assert events == ["slot taken", "PUT orders", "slot freed", "GET 50001"]


async def test_a_write_series_takes_the_slot_once_per_turn_and_lets_other_writers_in_between_turns(
    ongoing_settings: OngoingSettings, ongoing_api: respx.MockRouter
) -> None:
    events: list[str] = []

    @asynccontextmanager
    async def slot() -> AsyncIterator[None]:
        events.append("slot taken")
        yield
        events.append("slot freed")

    def answer(request: httpx.Request) -> httpx.Response:
        events.append(f"PUT {json.loads(request.content)['orderNumber']}")
        return stored(request)

    ongoing_api.put("/orders").mock(side_effect=answer)
    async with OngoingClient(ongoing_settings, policy=RetryPolicy.no_wait(), write_slot=slot) as client:
        other = asyncio.Event()

        async def other_writer() -> None:
            await other.wait()
            await client.put_order(order("OTHER"))  # another task: queues for the goods owner's turn

        async def series() -> None:
            async with client.write_series(hold_writes=3, hold_seconds=float("inf")) as held:
                for n in range(7):
                    await client.put_order(order(f"SW-{n}"))
                    if n == 0:
                        other.set()
            assert held.turns == 3

        await asyncio.gather(series(), other_writer())

    assert events == ["slot taken", "PUT SW-0", "PUT SW-1", "PUT SW-2", "slot freed",
                      "slot taken", "PUT OTHER", "slot freed",
                      "slot taken", "PUT SW-3", "PUT SW-4", "PUT SW-5", "slot freed",
                      "slot taken", "PUT SW-6", "slot freed"]


async def test_a_write_series_gives_its_turn_back_after_its_hold_time(
    ongoing_settings: OngoingSettings, ongoing_api: respx.MockRouter
) -> None:
    taken: list[int] = []
    now = [0.0]

    @asynccontextmanager
    async def slot() -> AsyncIterator[None]:
        taken.append(1)
        yield

    ongoing_api.put("/orders").mock(side_effect=stored)
    client = OngoingClient(ongoing_settings, policy=RetryPolicy.no_wait(), write_slot=slot)
    # A clock the test moves: no real time involved.
    async with client, client.write_series(hold_seconds=2.0, clock=lambda: now[0]):
        for n in range(4):
            await client.put_order(order(f"SW-{n}"))
            now[0] += 1.0

    assert len(taken) == 2, "writes at 0 s and 1 s share a turn; at 2 s the turn is given back and taken again"
