"""Ongoing's id-cursor paging: where each page starts, when to stop, and refusing to loop."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import httpx
import pytest
import respx

from integrations.errors import UnexpectedResponse
from integrations.ongoing.client import OngoingClient
from integrations.ongoing.pagination import iter_by_id_cursor
from tests.integrations.ongoing.payloads import order_json

FetchPage = Callable[[int, int], Awaitable[Sequence[int]]]


def pages_by_cursor(pages: dict[int, list[int]]) -> tuple[list[int], FetchPage]:
    """A fetch_page over fixed pages keyed by cursor, and the cursors it was asked for."""
    asked: list[int] = []

    async def fetch_page(from_id: int, size: int) -> Sequence[int]:
        asked.append(from_id)
        return pages[from_id][:size]

    return asked, fetch_page


def identity(item: int) -> int:
    return item


async def test_a_page_exactly_full_is_followed_by_one_more_request_that_comes_back_empty() -> None:
    asked, fetch_page = pages_by_cursor({1: [3, 4], 5: [7, 9], 10: []})
    found = [i async for i in iter_by_id_cursor(fetch_page, identity, page_size=2, endpoint="GET /x")]
    assert (found, asked) == ([3, 4, 7, 9], [1, 5, 10])


async def test_the_next_cursor_is_the_highest_id_plus_one_whatever_the_order_within_a_page() -> None:
    asked, fetch_page = pages_by_cursor({1: [8, 2, 5], 9: [12]})
    found = [i async for i in iter_by_id_cursor(fetch_page, identity, page_size=3, endpoint="GET /x")]
    assert (found, asked) == ([8, 2, 5, 12], [1, 9])


async def test_page_size_must_be_positive() -> None:
    _, fetch_page = pages_by_cursor({})
    with pytest.raises(ValueError, match="page_size"):
        [i async for i in iter_by_id_cursor(fetch_page, identity, page_size=0, endpoint="GET /x")]


async def test_a_vendor_that_ignores_the_cursor_stops_the_walk_without_repeating_items(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    # Like an integrator sending page/pageSize: Ongoing answers the same first page every time.
    route = ongoing_api.get("/orders").mock(side_effect=lambda request: httpx.Response(
        200, json=[order_json(50001, "SW-1"), order_json(50002, "SW-2")]))
    seen: list[int] = []

    with pytest.raises(UnexpectedResponse) as caught:
        async for order in ongoing.iter_orders(page_size=2):
            seen.append(order.order_id)

    assert seen == [50001, 50002]
    assert route.call_count == 2
    assert caught.value.endpoint == "GET /orders" and "cursor 50003" in caught.value.message
