"""The ledger schema comes from Alembic migrations, on SQLite by default and on PostgreSQL by URL."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from ledger.db import HEAD_REVISION, Ledger, alembic_config, make_engine, stands_at_head
from ledger.models import AuditEntry, LineBinding, OrderBinding

TABLES = {"order_bindings", "line_bindings", "article_bindings", "cursors", "quarantine", "audit_log", "returns",
          "unbooked_orders", "shipment_sightings",
          "purchase_order_bindings", "purchase_order_line_bindings",
          "circuit_breakers", "run_locks", "export_claims", "alembic_version"}


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


def test_the_head_a_run_checks_for_is_alembics_head(tmp_path: Path) -> None:
    book = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    heads = ScriptDirectory.from_config(alembic_config(book.engine)).get_heads()
    assert heads == [HEAD_REVISION], "set ledger.db.HEAD_REVISION to the new migration"
    assert stands_at_head(book.engine)
    assert not stands_at_head(make_engine(f"sqlite:///{tmp_path / 'new.db'}"))
    book.dispose()


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


def _open_ledger_at(url: str, start: Any, failures: Any) -> None:
    start.wait()
    try:
        Ledger(url).dispose()
    except Exception as exc:  # reported to the parent: the child's traceback would be lost
        failures.put(f"{type(exc).__name__}: {exc}".splitlines()[0])


def _migrate_from_six_processes_at_once(url: str) -> None:
    context = multiprocessing.get_context("fork")
    start, failures = context.Barrier(6), context.Queue()
    processes = [context.Process(target=_open_ledger_at, args=(url, start, failures)) for _ in range(6)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)

    assert [p.exitcode for p in processes] == [0] * 6
    assert [failures.get() for _ in range(failures.qsize())] == []
    book = Ledger(url, migrate=False)
    assert TABLES <= set(inspect(book.engine).get_table_names())
    book.dispose()


def test_flow_runs_opening_a_new_ledger_at_once_migrate_it_one_after_another(tmp_path: Path) -> None:
    # Every flow run is a process of its own and opens the ledger; on a new ledger several first runs
    # migrate it at the same moment, and without a lock each creates the same tables.
    _migrate_from_six_processes_at_once(f"sqlite:///{tmp_path / 'ledger.db'}")


def test_flow_runs_opening_a_new_postgresql_ledger_at_once_migrate_it_one_after_another(postgres_url: str) -> None:
    _migrate_from_six_processes_at_once(postgres_url)
