"""One page of a big Starweb list (orders, products) cut straight from the store's indexes.

Starweb's lists are sorted, filtered and paged by 100, with the total in the answer. When the sort
field and every filter have an index, the page is found without reading any other document: the filters
narrow a set of keys (or, with none, the sort index is walked from its end), keys are sorted by the
indexed value and only the page's documents are read. The total is a count of keys, never a scan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from integrations.simulation.store import DocumentStore
from integrations.starweb.simulator.envelopes import PAGE_SIZE

Doc = dict[str, Any]


@dataclass
class KeyFilter:
    """The keys a list may show: within ``allowed`` (None: any) and not in ``excluded``."""

    allowed: set[str] | None = None
    excluded: set[str] = field(default_factory=set)

    def narrow(self, keys: Iterable[str]) -> None:
        found = set(keys)
        self.allowed = found if self.allowed is None else self.allowed & found

    def exclude(self, keys: Iterable[str]) -> None:
        self.excluded |= set(keys)


def index_page(store: DocumentStore, kind: str, sort_index: str, keys: KeyFilter, *, descending: bool,
               page: int) -> tuple[list[Doc], int]:
    """The page's documents, sorted by ``sort_index`` (then by key), and how many the whole list holds."""
    start = (page - 1) * PAGE_SIZE
    if keys.allowed is None and not keys.excluded:  # the whole list: the page is found by position
        return (store.get_many(kind, store.keys_at(kind, sort_index, start, start + PAGE_SIZE, reverse=descending)),
                store.count_in(kind, sort_index))
    if keys.allowed is None:
        total = store.count_in(kind, sort_index) - sum(
            1 for key in keys.excluded if store.indexed_values(kind, sort_index, key))
        walk = (key for key in store.walk(kind, sort_index, reverse=descending) if key not in keys.excluded)
        return store.get_many(kind, islice(walk, start, start + PAGE_SIZE)), total
    kept = [key for key in keys.allowed - keys.excluded if store.indexed_values(kind, sort_index, key)]
    kept.sort(key=lambda key: (store.indexed_values(kind, sort_index, key), int(key) if key.isdigit() else 0),
              reverse=descending)
    return store.get_many(kind, kept[start:start + PAGE_SIZE]), len(kept)
