"""Starweb's answer envelopes and how to walk its paged lists.

Every 2xx body is an envelope: ``{"data": ...}`` around one resource or a list, plus
``meta.pagination`` (Fractal's snake_case keys) on the paged lists. Pages hold a fixed 100 items and
only ``page`` can be asked for; ``iter_pages`` walks them up to ``total_pages`` and stops with an
error, rather than loop forever, when Starweb does not move on to the page asked for.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass
from functools import cache
from typing import Any, Generic, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from integrations.errors import UnexpectedResponse
from integrations.http import unreadable_answer

log = logging.getLogger(__name__)

T = TypeVar("T")

VENDOR = "starweb"
PAGE_SIZE = 100  # fixed by Starweb; no list endpoint takes a page-size parameter


class Pagination(BaseModel):
    model_config = ConfigDict(extra="ignore")

    current_page: int | None = None
    per_page: int | None = None
    total: int | None = None
    count: int | None = None
    total_pages: int | None = None


class _Meta(BaseModel):
    model_config = ConfigDict(extra="ignore")

    pagination: Pagination | None = None


class Envelope(BaseModel, Generic[T]):
    model_config = ConfigDict(extra="ignore")

    data: T
    meta: _Meta | None = None


@dataclass(frozen=True)
class UnreadableRecord:
    """One record of a list whose body does not match Starweb's model (its id when that much is readable)."""

    record_id: int | None
    problem: str  # field paths and reasons only, never the values


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, the page number asked for and Starweb's pagination block. Records
    that could not be read are in ``unreadable`` (only when the page was read record by record)."""

    items: list[T]
    number: int
    pagination: Pagination | None = None
    unreadable: tuple[UnreadableRecord, ...] = ()

    @property
    def total_pages(self) -> int | None:
        return self.pagination.total_pages if self.pagination else None

    @property
    def is_last(self) -> bool:
        if not self.items:
            return True
        if self.total_pages is not None:
            return self.number >= self.total_pages
        # Lists without meta (variants, per the spec): a short page is the last one.
        per_page = (self.pagination.per_page if self.pagination else None) or PAGE_SIZE
        return len(self.items) < per_page


@cache
def _adapter(shape: Any) -> TypeAdapter[Any]:
    return TypeAdapter(Envelope[shape])


def not_json(error: ValidationError) -> bool:
    """Whether pydantic failed on the JSON itself (cut off, HTML), not on what it says."""
    return any(e["type"] == "json_invalid" for e in error.errors())


def _describe(error: ValidationError) -> str:
    # Field paths and reasons only: the offending values may be customer data.
    problems = [f"{'.'.join(str(part) for part in e['loc']) or 'body'}: {e['msg']}" for e in error.errors()]
    more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
    return "; ".join(problems[:3]) + more


def _envelope(response: httpx.Response, shape: Any, endpoint: str) -> Envelope[Any]:
    try:
        return _adapter(shape).validate_json(response.content)
    except ValidationError as exc:
        if not_json(exc):
            raise unreadable_answer(response, VENDOR, endpoint) from None
        # ``from None``: pydantic's own message repeats the input, which may hold addresses.
        raise UnexpectedResponse(
            "Starweb answered with a body that does not match its published model",
            vendor=VENDOR, status=response.status_code, endpoint=endpoint, vendor_message=_describe(exc),
        ) from None


def parse_data(response: httpx.Response, model: type[T], endpoint: str) -> T:
    """The ``data`` of a 2xx answer as ``model``, or ``UnexpectedResponse`` naming the endpoint."""
    return _envelope(response, model, endpoint).data


def parse_list(response: httpx.Response, model: type[T], endpoint: str) -> list[T]:
    """The ``data`` list of a 2xx answer, each item as ``model``."""
    return _envelope(response, list[model], endpoint).data  # type: ignore[valid-type]


def parse_page(response: httpx.Response, model: type[T], endpoint: str, number: int, *,
               id_field: str | None = None) -> Page[T]:
    """One page of a list. With ``id_field``, a page on which some records break the model is read record by
    record: the good ones are kept, the others listed in ``unreadable`` by that id; without it the whole
    page is ``UnexpectedResponse``."""
    try:
        envelope = _envelope(response, list[model], endpoint)  # type: ignore[valid-type]
    except UnexpectedResponse:
        if id_field is None:
            raise
        return _page_record_by_record(response, model, endpoint, number, id_field)
    pagination = envelope.meta.pagination if envelope.meta else None
    return Page(items=envelope.data, number=number, pagination=pagination)


def _page_record_by_record(response: httpx.Response, model: type[T], endpoint: str, number: int,
                           id_field: str) -> Page[T]:
    envelope = _envelope(response, list[dict[str, Any]], endpoint)  # the page itself must still be a list
    items: list[T] = []
    unreadable: list[UnreadableRecord] = []
    adapter = TypeAdapter(model)
    for raw in envelope.data:
        try:
            items.append(adapter.validate_python(raw))
        except ValidationError as exc:
            record_id = raw.get(id_field)
            unreadable.append(UnreadableRecord(record_id if isinstance(record_id, int) else None, _describe(exc)))
    pagination = envelope.meta.pagination if envelope.meta else None
    return Page(items=items, number=number, pagination=pagination, unreadable=tuple(unreadable))


async def iter_pages(fetch: Callable[[int], Awaitable[Page[T]]], *, endpoint: str,
                     key: Callable[[T], Hashable],
                     on_unreadable: Callable[[UnreadableRecord], None] | None = None) -> AsyncIterator[T]:
    """Every item of a paged list, from page 1 to the last, each ``key`` at most once.

    Items can shift from one page to the next while we walk (a new order lands on top of a DESC
    list), so an item already yielded is skipped rather than handed out twice. A record a page could not
    read goes to ``on_unreadable``; without one it stops the walk with ``UnexpectedResponse``.
    """
    seen: set[Hashable] = set()
    previous: list[T] | None = None
    number = 1
    while True:
        page = await fetch(number)
        answered = page.pagination.current_page if page.pagination else None
        if answered is not None and answered != number:
            raise UnexpectedResponse(f"asked for page {number} but Starweb answered page {answered}; "
                                     "stopping instead of reading the same page again",
                                     vendor=VENDOR, endpoint=endpoint)
        if previous and page.items == previous:
            raise UnexpectedResponse(f"page {number} repeats page {number - 1}; Starweb ignored the page "
                                     "parameter, stopping instead of looping", vendor=VENDOR, endpoint=endpoint)
        for record in page.unreadable:
            if on_unreadable is None:
                raise UnexpectedResponse("Starweb answered with a body that does not match its published model",
                                         vendor=VENDOR, endpoint=endpoint, vendor_message=record.problem)
            on_unreadable(record)
        log.debug("%s: page %d of %s, %d items", endpoint, number, page.total_pages or "?", len(page.items))
        for item in page.items:
            item_key = key(item)
            if item_key not in seen:
                seen.add(item_key)
                yield item
        if page.is_last:
            return
        previous = page.items
        number += 1
