"""How the simulator answers Ongoing's filtered, id-paged lists without reading every stored document.

A list request names filters and an id cursor (``…IdFrom`` and ``max…ToGet``); the answer is every
matching document in id order from the cursor, cut at the maximum. Each filter an index can answer is a
``Lead``; the one naming the fewest documents leads the search, its documents are read in id order, and
the request's full filter decides on each. So the answer is exactly what a scan of everything would give,
and a page costs what it returns plus the leading index's keys (with no lead: what it returns).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from integrations.ongoing.simulator.timefmt import as_utc
from integrations.simulation.store import DocumentStore

Doc = dict[str, Any]


@dataclass(frozen=True)
class Lead:
    """Documents an index names: those filed under one of ``values``, or between ``low`` and ``high``."""

    index: str
    values: Sequence[Any] | None = None
    low: Any = None
    high: Any = None

    def size(self, store: DocumentStore, kind: str) -> int:
        if self.values is not None:
            return sum(store.count_in(kind, self.index, low=v, high=v) for v in set(self.values))
        return store.count_in(kind, self.index, low=self.low, high=self.high)

    def keys(self, store: DocumentStore, kind: str) -> set[str]:
        if self.values is not None:
            return {key for v in set(self.values) for key in store.keys(kind, self.index, low=v, high=v)}
        return set(store.keys(kind, self.index, low=self.low, high=self.high))


def moment(bound: datetime | None) -> datetime | None:
    """A time filter's bound as the indexes hold times: UTC, to the millisecond Ongoing stores."""
    if bound is None:
        return None
    value = as_utc(bound)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def time_lead(index: str, low: datetime | None = None, high: datetime | None = None) -> Lead | None:
    """A lead for a time filter, or None when the request has no such filter."""
    if low is None and high is None:
        return None
    return Lead(index, low=moment(low), high=moment(high))


def select_by_id(store: DocumentStore, kind: str, leads: Iterable[Lead | None], matches: Callable[[Doc], bool], *,
                 id_from: int | None, max_count: int | None) -> list[Doc]:
    """Matching documents of ``kind`` (keyed by their numeric id, with an ``id`` index) in id order."""
    if max_count is not None and max_count <= 0:
        return []
    chosen = min((lead for lead in leads if lead is not None), key=lambda lead: lead.size(store, kind), default=None)
    keys: Iterator[str] | Iterable[str]
    if chosen is None:
        keys = store.walk(kind, "id", low=id_from)
    else:
        ids = sorted(int(key) for key in chosen.keys(store, kind))
        keys = (str(i) for i in ids if id_from is None or i >= id_from)
    selected: list[Doc] = []
    # A page read in one go when every document it names matches (the usual case); more when some do not.
    for doc in store.iter_docs(kind, keys, chunk_size=min(max_count or 200, 200)):
        if matches(doc):
            selected.append(doc)
            if max_count is not None and len(selected) >= max_count:
                break
    return selected
