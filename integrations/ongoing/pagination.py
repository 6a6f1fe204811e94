"""Ongoing's id-cursor paging: ask for objects with an id at or above a cursor, at most N of them.

Ongoing has no page/offset parameters; collection GETs return everything unless given a cursor
(``orderIdFrom``, ``articleSystemIdFrom``, ``purchaseOrderIdFrom``) and a maximum. Results come in
ascending id order, so the next cursor is the page's highest id plus one, and a short or empty
page is the last. A cursor that fails to advance means the vendor ignored it; we stop rather than
loop for ever.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from integrations.errors import UnexpectedResponse

T = TypeVar("T")

FIRST_ID = 1  # Ongoing's internal ids are positive


@dataclass(frozen=True)
class IdCursor:
    """The pair of query parameters one Ongoing collection pages with."""

    from_param: str
    max_param: str

    def params(self, from_id: int, page_size: int) -> list[tuple[str, str]]:
        return [(self.from_param, str(from_id)), (self.max_param, str(page_size))]


ORDER_CURSOR = IdCursor("orderIdFrom", "maxOrdersToGet")
ARTICLE_CURSOR = IdCursor("articleSystemIdFrom", "maxArticlesToGet")
PURCHASE_ORDER_CURSOR = IdCursor("purchaseOrderIdFrom", "maxPurchaseOrdersToGet")


async def iter_by_id_cursor(
    fetch_page: Callable[[int, int], Awaitable[Sequence[T]]],
    id_of: Callable[[T], int],
    *,
    page_size: int,
    endpoint: str,
    vendor: str = "ongoing",
) -> AsyncIterator[T]:
    """Yield every item of a cursor-paged collection.

    ``fetch_page(from_id, page_size)`` returns one page; ``id_of`` reads an item's id.
    """
    if page_size < 1:
        raise ValueError(f"page_size must be at least 1, got {page_size}")
    from_id = FIRST_ID
    while True:
        page = await fetch_page(from_id, page_size)
        last_page = len(page) < page_size
        next_from = from_id if last_page else max(id_of(item) for item in page) + 1
        if not last_page and next_from <= from_id:
            # Checked before yielding, so a vendor that ignores the cursor never makes us repeat items.
            raise UnexpectedResponse(
                f"{vendor} returned a full page whose ids do not pass the cursor {from_id}; "
                "stopping instead of fetching the same page again",
                vendor=vendor,
                endpoint=endpoint,
            )
        for item in page:
            yield item
        if last_page:
            return
        from_id = next_from
