"""A tiny JSON document store for the simulators, on SQLite (a file, or memory when no path).

Documents are grouped by kind ("order", "article", …) and keyed by a string id. Ids for new
documents come from a per-kind counter, so they grow like a vendor's database ids. All access
goes through one lock: simulators are test beds, not databases under load.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class DocumentStore:
    """JSON documents by (kind, key), with per-kind id counters."""

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

    @contextmanager
    def transaction(self) -> Iterator[DocumentStore]:
        """Hold the lock and commit all writes inside the block together."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield self
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
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

    def get(self, kind: str, key: str | int) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM documents WHERE kind = ? AND key = ?", (kind, str(key))
            ).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, kind: str, key: str | int, body: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO documents (kind, key, body) VALUES (?, ?, ?)"
                " ON CONFLICT(kind, key) DO UPDATE SET body = excluded.body",
                (kind, str(key), json.dumps(body)),
            )

    def delete(self, kind: str, key: str | int) -> bool:
        with self._lock:
            cursor = self._db.execute("DELETE FROM documents WHERE kind = ? AND key = ?", (kind, str(key)))
        return cursor.rowcount > 0

    def all(self, kind: str) -> list[dict[str, Any]]:
        """Every document of a kind, in insertion order of their keys' first write."""
        with self._lock:
            rows = self._db.execute("SELECT body FROM documents WHERE kind = ? ORDER BY rowid", (kind,)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def count(self, kind: str) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM documents WHERE kind = ?", (kind,)).fetchone()[0]

    def clear(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM documents")
            self._db.execute("DELETE FROM counters")

    def close(self) -> None:
        with self._lock:
            self._db.close()
