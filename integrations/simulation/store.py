"""A small JSON document store for the simulators, on SQLite (a file, or memory when no path).

Documents are grouped by kind ("order", "article", …) and keyed by a string id. Ids for new
documents come from a per-kind counter, so they grow like a vendor's database ids. A simulator
declares indexes on the fields it looks documents up by (``add_index``); they are kept in memory
beside the documents, rebuilt from SQLite when a file is opened and put back from it when a
transaction rolls back, so a lookup, a page or a count costs the same however much is stored.
All access goes through one lock: simulators are test beds, not databases under load.
``documents_read`` counts the documents decoded, which is what a request costs the store.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from integrations.simulation.indexes import Entry, IndexSpec, SortedIndex, unique_in_order

Doc = dict[str, Any]
_CHUNK = 200  # documents read per SQL query when many are wanted


class DocumentStore:
    """JSON documents by (kind, key), with per-kind id counters and in-memory secondary indexes."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = str(path) if path else ":memory:"
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._db.execute("PRAGMA journal_mode=WAL" if path else "PRAGMA journal_mode=MEMORY")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS documents (kind TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL,"
            " PRIMARY KEY (kind, key))"
        )
        self._db.execute("CREATE TABLE IF NOT EXISTS counters (kind TEXT PRIMARY KEY, value INTEGER NOT NULL)")
        self._indexes: dict[str, dict[str, SortedIndex]] = {}
        self._touched: set[tuple[str, str]] | None = None  # keys written in the open transaction
        self._cleared_in_transaction = False
        self.documents_read = 0

    @contextmanager
    def transaction(self) -> Iterator[DocumentStore]:
        """Hold the lock and commit all writes inside the block together."""
        with self._lock:
            self._db.execute("BEGIN")
            self._touched, self._cleared_in_transaction = set(), False
            try:
                yield self
            except BaseException:
                self._db.execute("ROLLBACK")
                self._restore_indexes()
                raise
            finally:
                self._touched = None
            self._db.execute("COMMIT")

    def next_id(self, kind: str, start: int = 1) -> int:
        with self._lock:
            row = self._db.execute("SELECT value FROM counters WHERE kind = ?", (kind,)).fetchone()
            value = start if row is None else row[0] + 1
            self._db.execute(
                "INSERT INTO counters (kind, value) VALUES (?, ?) ON CONFLICT(kind) DO UPDATE SET value = ?",
                (kind, value, value),
            )
            return value

    def get(self, kind: str, key: str | int) -> Doc | None:
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM documents WHERE kind = ? AND key = ?", (kind, str(key))
            ).fetchone()
            self.documents_read += row is not None
        return json.loads(row[0]) if row else None

    def get_many(self, kind: str, keys: Iterable[str | int]) -> list[Doc]:
        """The documents under these keys, in the keys' order; keys with no document are left out."""
        return list(self.iter_docs(kind, keys))

    def iter_docs(self, kind: str, keys: Iterable[str | int], *, chunk_size: int = _CHUNK) -> Iterator[Doc]:
        """Like ``get_many``, read lazily ``chunk_size`` at a time (stop early and the rest is never read)."""
        chunk: list[str] = []
        for key in keys:
            chunk.append(str(key))
            if len(chunk) >= chunk_size:
                yield from self._read_chunk(kind, chunk)
                chunk = []
        if chunk:
            yield from self._read_chunk(kind, chunk)

    def _read_chunk(self, kind: str, keys: Sequence[str]) -> list[Doc]:
        marks = ",".join("?" * len(keys))
        with self._lock:
            rows = self._db.execute(f"SELECT key, body FROM documents WHERE kind = ? AND key IN ({marks})",
                                    (kind, *keys)).fetchall()
            self.documents_read += len(rows)
        bodies = dict(rows)
        return [json.loads(bodies[key]) for key in keys if key in bodies]

    def put(self, kind: str, key: str | int, body: Doc) -> None:
        key = str(key)
        with self._lock:
            self._db.execute(
                "INSERT INTO documents (kind, key, body) VALUES (?, ?, ?)"
                " ON CONFLICT(kind, key) DO UPDATE SET body = excluded.body",
                (kind, key, json.dumps(body)),
            )
            self._file(kind, key, body)

    def delete(self, kind: str, key: str | int) -> bool:
        key = str(key)
        with self._lock:
            cursor = self._db.execute("DELETE FROM documents WHERE kind = ? AND key = ?", (kind, key))
            self._file(kind, key, None)
        return cursor.rowcount > 0

    def all(self, kind: str) -> list[Doc]:
        """Every document of a kind, in insertion order of their keys' first write."""
        with self._lock:
            rows = self._db.execute("SELECT body FROM documents WHERE kind = ? ORDER BY rowid", (kind,)).fetchall()
            self.documents_read += len(rows)
        return [json.loads(r[0]) for r in rows]

    def count(self, kind: str) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM documents WHERE kind = ?", (kind,)).fetchone()[0]

    def clear(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM documents")
            self._db.execute("DELETE FROM counters")
            for index in self._all_indexes():
                index.clear()
            self._cleared_in_transaction = self._touched is not None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- indexes -----------------------------------------------------------------------------------------

    def add_index(self, kind: str, name: str, extract: Callable[[Doc], Any], *, many: bool = False) -> None:
        """Index the documents of ``kind`` by ``extract(doc)`` (None: left out; with ``many``, an iterable of
        values), from now on and for the documents already stored. Values of one index must compare."""
        with self._lock:
            index = SortedIndex(IndexSpec(kind, name, extract, many))
            for key, body in self._db.execute("SELECT key, body FROM documents WHERE kind = ?", (kind,)):
                index.file(key, json.loads(body))
            self._indexes.setdefault(kind, {})[name] = index

    def find(self, kind: str, index: str, value: Any) -> list[Doc]:
        """Every document filed under ``value``, in key order."""
        return self.get_many(kind, self.keys(kind, index, low=value, high=value))

    def find_one(self, kind: str, index: str, value: Any) -> Doc | None:
        return next(self.iter_docs(kind, self.keys(kind, index, low=value, high=value)), None)

    def keys(self, kind: str, index: str, *, low: Any = None, high: Any = None,
             inclusive: tuple[bool, bool] = (True, True), reverse: bool = False) -> list[str]:
        """The keys of the documents whose value lies in the range (None: open), in value order."""
        with self._lock:
            found = self._index(kind, index)
            entries = found.batch(None, low, high, inclusive=inclusive, reverse=reverse, size=len(found))
        return list(unique_in_order(entry[2] for entry in entries))

    def walk(self, kind: str, index: str, *, low: Any = None, high: Any = None,
             inclusive: tuple[bool, bool] = (True, True), reverse: bool = False) -> Iterator[str]:
        """Like ``keys``, but lazily: a caller that stops after a page never touches the rest."""
        seen: set[str] = set()
        last: Entry | None = None
        while True:
            with self._lock:
                batch = self._index(kind, index).batch(last, low, high, inclusive=inclusive, reverse=reverse)
            if not batch:
                return
            last = batch[-1]
            for entry in batch:
                if entry[2] not in seen:
                    seen.add(entry[2])
                    yield entry[2]

    def keys_at(self, kind: str, index: str, start: int, stop: int, *, reverse: bool = False) -> list[str]:
        """The keys at positions [start, stop) of an index that files each document once (not ``many``): a
        deep page found by position, without walking to it."""
        with self._lock:
            found = self._index(kind, index)
            if found.spec.many:
                raise LookupError(f"index {index!r} on {kind!r} files documents under several values")
            return [entry[2] for entry in found.at_positions(start, stop, reverse=reverse)]

    def count_in(self, kind: str, index: str, *, low: Any = None, high: Any = None,
                 inclusive: tuple[bool, bool] = (True, True)) -> int:
        """How many entries lie in the range (documents, unless the index is a ``many`` one)."""
        with self._lock:
            return self._index(kind, index).count(low, high, inclusive=inclusive)

    def indexed_values(self, kind: str, index: str, key: str | int) -> tuple[Any, ...]:
        """The values a document is filed under (to sort or filter keys without reading documents)."""
        with self._lock:
            return self._index(kind, index).values_of(str(key))

    def _index(self, kind: str, name: str) -> SortedIndex:
        try:
            return self._indexes[kind][name]
        except KeyError:
            raise LookupError(f"no index {name!r} on {kind!r} documents") from None

    def _all_indexes(self) -> list[SortedIndex]:
        return [index for by_name in self._indexes.values() for index in by_name.values()]

    def _file(self, kind: str, key: str, body: Doc | None) -> None:
        if self._touched is not None:
            self._touched.add((kind, key))
        for index in self._indexes.get(kind, {}).values():
            index.file(key, body)

    def _restore_indexes(self) -> None:
        """After a rollback, file what SQLite holds again for every key the transaction changed."""
        if self._cleared_in_transaction:
            for index in self._all_indexes():
                index.clear()
                for key, body in self._db.execute("SELECT key, body FROM documents WHERE kind = ?",
                                                  (index.spec.kind,)):
                    index.file(key, json.loads(body))
            return
        for kind, key in self._touched or ():
            if kind in self._indexes:
                stored = self.get(kind, key)
                for index in self._indexes[kind].values():
                    index.file(key, stored)
