"""The ledger schema comes from Alembic migrations, on SQLite by default and on PostgreSQL by URL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import inspect

import ledger.db
from ledger.db import Ledger, head_revision, schema_revision
from ledger.models import AuditEntry, LineBinding, OrderBinding

TABLES = {"order_bindings", "line_bindings", "article_bindings", "cursors", "quarantine", "audit_log", "returns",
          "unbooked_orders", "shipment_sightings",
          "purchase_order_bindings", "purchase_order_line_bindings",
          "circuit_breakers", "run_locks", "export_claims", "register_snapshots", "alembic_version"}


def exercise(book: Ledger) -> None:
    stockholm = timezone(timedelta(hours=1))
    with book.session() as s:
        order = OrderBinding(merchant_id="m1", starweb_order_id=1042, order_number="FJ-1042",
                             starweb_created_at=datetime(2026, 11, 28, 9, 30, tzinfo=stockholm))
        order.lines.append(LineBinding(row_number="1", sku="SKU-1", quantity=2, starweb_item_id=7))
        s.add(order)
        s.add(AuditEntry(merchant_id="m1", system="ongoing", operation="PUT /orders", key="FJ-1042",
                         outcome="written", detail={"orderId": 5}))
    with book.session() as s:
        loaded = s.query(OrderBinding).one()
        assert loaded.starweb_created_at == datetime(2026, 11, 28, 8, 30, tzinfo=UTC)
        assert [(line.row_number, float(line.quantity)) for line in loaded.lines] == [("1", 2.0)]
        assert s.query(AuditEntry).one().detail == {"orderId": 5}


def test_a_new_sqlite_ledger_is_migrated_and_usable(tmp_path: Path) -> None:
    book = Ledger(f"sqlite:///{tmp_path / 'nested' / 'ledger.db'}")
    assert TABLES <= set(inspect(book.engine).get_table_names())
    exercise(book)
    Ledger(book.url).dispose()  # migrating again is a no-op
    book.dispose()


def test_the_same_migrations_run_on_postgresql(postgres_url: str) -> None:
    book = Ledger(postgres_url)
    assert TABLES <= set(inspect(book.engine).get_table_names())
    exercise(book)
    book.dispose()


def test_the_newest_migration_is_found_without_alembic() -> None:
    from alembic.script import ScriptDirectory

    assert head_revision() == ScriptDirectory(str(ledger.db.MIGRATIONS)).get_current_head()


def test_a_ledger_at_the_newest_revision_opens_without_running_alembic(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    Ledger(url).dispose()
    upgrades: list[object] = []
    monkeypatch.setattr(ledger.db, "upgrade", lambda engine: upgrades.append(engine))

    book = Ledger(url)

    assert schema_revision(book.engine) == head_revision()
    assert upgrades == [], "every flow run opens the ledger: an up-to-date one costs one query, not a migration"
    book.dispose()
    behind = Ledger(f"sqlite:///{tmp_path / 'new.db'}")
    assert len(upgrades) == 1, "a ledger not at the newest revision is migrated"
    behind.dispose()
