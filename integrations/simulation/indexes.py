"""Secondary indexes of the simulators' document store: one sorted list of (value, key) per indexed field.

An index maps each document of one kind to a value computed from it (an article's number, an order's
status-changed time) and keeps the pairs sorted, so a lookup by value, a range of values and a count
cost a binary search instead of decoding every stored document. A document whose extractor gives
``None`` is not in the index; a ``many`` index files a document under each of several values (an order
under every article its lines name). Ties are broken by the document key, numerically for numeric keys,
so "sorted by value" is also "then by id". The index knows nothing of locks or SQL: the store holds it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

Doc = dict[str, Any]
Entry = tuple[Any, tuple[int, int | str], str]  # (value, tie-break, key)


def _tie_break(key: str) -> tuple[int, int | str]:
    # Numeric keys (ids) sort as numbers, others as text after them; both kinds stay comparable.
    return (0, int(key)) if key.isdigit() else (1, key)


@dataclass(frozen=True)
class IndexSpec:
    """Which documents of ``kind`` an index files, under ``name``, by which value."""

    kind: str
    name: str
    extract: Callable[[Doc], Any]
    many: bool = False  # ``extract`` gives an iterable of values

    def values(self, doc: Doc) -> tuple[Any, ...]:
        value = self.extract(doc)
        if value is None:
            return ()
        if self.many:
            return tuple(sorted({v for v in value if v is not None}))
        return (value,)


class SortedIndex:
    """The (value, key) pairs of one index, sorted; the values each key is filed under, for removal."""

    def __init__(self, spec: IndexSpec) -> None:
        self.spec = spec
        self._entries: list[Entry] = []
        self._filed: dict[str, tuple[Any, ...]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def file(self, key: str, doc: Doc | None) -> None:
        """(Re)file the document stored under ``key``; ``None``: it was deleted."""
        new = self.spec.values(doc) if doc is not None else ()
        old = self._filed.get(key, ())
        if new == old:
            return
        tie = _tie_break(key)
        for value in old:
            position = bisect_left(self._entries, (value, tie, key))
            if position == len(self._entries) or self._entries[position][2] != key:
                raise RuntimeError(f"index {self.spec.kind}.{self.spec.name} lost track of {key}")
            del self._entries[position]
        for value in new:
            insort(self._entries, (value, tie, key))
        if new:
            self._filed[key] = new
        else:
            self._filed.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()
        self._filed.clear()

    def values_of(self, key: str) -> tuple[Any, ...]:
        return self._filed.get(key, ())

    def span(self, low: Any = None, high: Any = None, *,
             inclusive: tuple[bool, bool] = (True, True)) -> tuple[int, int]:
        """Positions [start, stop) of the entries whose value lies between ``low`` and ``high`` (None: open)."""
        def value(entry: Entry) -> Any:
            return entry[0]

        start = 0 if low is None else (bisect_left if inclusive[0] else bisect_right)(self._entries, low, key=value)
        stop = len(self._entries) if high is None else (
            bisect_right if inclusive[1] else bisect_left)(self._entries, high, key=value)
        return start, max(start, stop)

    def at_positions(self, start: int, stop: int, *, reverse: bool = False) -> list[Entry]:
        """The entries at positions [start, stop) in value order (``reverse``: counted from the end)."""
        if reverse:
            size = len(self._entries)
            return self._entries[max(0, size - stop):max(0, size - start)][::-1]
        return self._entries[start:stop]

    def count(self, low: Any = None, high: Any = None, *, inclusive: tuple[bool, bool] = (True, True)) -> int:
        start, stop = self.span(low, high, inclusive=inclusive)
        return stop - start

    def batch(self, after: Entry | None, low: Any = None, high: Any = None, *,
              inclusive: tuple[bool, bool] = (True, True), reverse: bool = False, size: int = 256) -> list[Entry]:
        """The next ``size`` entries in range after ``after`` (the last entry of the previous batch), so a
        walk resumes at the right place even when documents were filed or removed in between."""
        start, stop = self.span(low, high, inclusive=inclusive)
        if reverse:
            if after is not None:
                stop = min(stop, bisect_left(self._entries, after))
            return self._entries[max(start, stop - size):stop][::-1]
        if after is not None:
            start = max(start, bisect_right(self._entries, after))
        return self._entries[start:min(stop, start + size)]


def unique_in_order(keys: Iterable[str]) -> Iterator[str]:
    """Each key once, at its first place (a ``many`` index may list a document several times)."""
    seen: set[str] = set()
    for key in keys:
        if key not in seen:
            seen.add(key)
            yield key
