"""Quarantine lifecycle and cursor rules."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from integrations.errors import MappingError, VendorUnavailable
from ledger import quarantine
from ledger.cursors import advance_time_cursor, has_cursors, read_time_cursor
from ledger.db import Ledger, is_transient_ledger_error

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_a_transient_failure_is_retried_soon_and_a_permanent_one_slowly(ledger: Ledger) -> None:
    with ledger.session() as s:
        flaky = quarantine.quarantine_record(s, "m1", "order", "1001", VendorUnavailable("busy", status=503),
                                             now=NOW)
        unknown = quarantine.quarantine_record(s, "m1", "order", "1002", MappingError("SKU 'X' is unknown"),
                                               payload={"orderId": 1002}, now=NOW)
        assert (flaky.retryable, flaky.next_attempt_at) == (True, NOW + timedelta(minutes=2))
        assert (unknown.retryable, unknown.next_attempt_at) == (False, NOW + timedelta(hours=1))
        assert unknown.reason == "SKU 'X' is unknown"
        assert quarantine.is_held(s, "m1", "order", "1002", now=NOW)
        assert [e.key for e in quarantine.due_for_retry(s, "m1", "order", now=NOW + timedelta(minutes=3))] == ["1001"]


def test_repeated_failures_back_off_and_a_resolved_record_can_come_back(ledger: Ledger) -> None:
    with ledger.session() as s:
        for _ in range(5):
            entry = quarantine.quarantine_record(s, "m1", "order", "1", VendorUnavailable("busy"), now=NOW)
        assert entry.attempts == 5
        assert entry.next_attempt_at == NOW + timedelta(hours=1), "delays are capped"
        assert quarantine.resolve(s, "m1", "order", "1", "exported on retry", now=NOW)
        assert not quarantine.is_held(s, "m1", "order", "1", now=NOW)
        assert quarantine.open_entries(s, "m1") == []
        again = quarantine.quarantine_record(s, "m1", "order", "1", MappingError("no address"), now=NOW)
        assert (again.attempts, again.resolved_at, again.reason) == (1, None, "no address")


def test_a_person_can_ask_for_a_retry_at_the_next_run(ledger: Ledger) -> None:
    with ledger.session() as s:
        entry = quarantine.quarantine_record(s, "m1", "product", "SKU-1", MappingError("too long"), now=NOW)
        quarantine.retry_now(s, entry.id, now=NOW)
        assert [e.key for e in quarantine.due_for_retry(s, "m1", "product", now=NOW)] == ["SKU-1"]


def test_a_busy_ledger_is_a_transient_cause_and_a_broken_one_is_not() -> None:
    locked = OperationalError("UPDATE order_bindings", {}, sqlite3.OperationalError("database is locked"))
    missing = OperationalError("SELECT 1", {}, sqlite3.OperationalError("no such table: order_bindings"))
    duplicate = IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed"))
    assert [is_transient_ledger_error(e) for e in (locked, missing, duplicate, ValueError("x"))] == [
        True, False, False, False]
    reason, error_class, retryable = quarantine.describe_error(locked)
    assert retryable and error_class == "OperationalError"
    assert reason.startswith("the ledger could not record it (database is locked)")


def test_the_owner_leaves_held_entries_alone_and_a_fruitless_retry_waits_longer(ledger: Ledger) -> None:
    with ledger.session() as s:
        quarantine.quarantine_record(s, "m1", "order-change", "1", MappingError("refused"), now=NOW)
        quarantine.quarantine_record(s, "m1", "order-change", "2", VendorUnavailable("busy"), now=NOW)
        later = NOW + timedelta(minutes=3)
        assert quarantine.held_keys(s, "m1", "order-change", now=later) == {"1"}
        assert quarantine.postpone(s, "m1", "order-change", "2", now=later)
        entry = quarantine.find_entry(s, "m1", "order-change", "2")
        assert (entry.attempts, entry.next_attempt_at, entry.reason) == (2, later + timedelta(minutes=5), "busy")
        assert quarantine.held_keys(s, "m1", "order-change", now=later) == {"1", "2"}
        assert not quarantine.postpone(s, "m1", "order-change", "9", now=later)


def test_time_cursors_only_move_forward(ledger: Ledger) -> None:
    with ledger.session() as s:
        assert read_time_cursor(s, "m1", "starweb-orders") is None
        assert not has_cursors(s, "m1")
        advance_time_cursor(s, "m1", "starweb-orders", NOW)
        advance_time_cursor(s, "m1", "starweb-orders", NOW - timedelta(hours=1))
        assert read_time_cursor(s, "m1", "starweb-orders") == NOW
        assert read_time_cursor(s, "m2", "starweb-orders") is None
        assert has_cursors(s, "m1") and not has_cursors(s, "m2")
        with pytest.raises(ValueError):
            advance_time_cursor(s, "m1", "x", datetime(2026, 1, 1))


def test_open_counts_now_and_as_they_stood_a_day_earlier(ledger: Ledger) -> None:
    day_ago = NOW - timedelta(days=1)
    with ledger.session() as s:
        quarantine.quarantine_record(s, "m1", "order", "1", MappingError("no address"), now=NOW - timedelta(days=3))
        quarantine.quarantine_record(s, "m1", "order", "2", MappingError("no address"), now=NOW - timedelta(days=2))
        quarantine.resolve(s, "m1", "order", "2", "fixed", now=NOW - timedelta(hours=2))
        quarantine.quarantine_record(s, "m1", "stock", "SKU-1", VendorUnavailable("busy"), now=NOW - timedelta(hours=5))
        quarantine.quarantine_record(s, "m1", "product", "SKU-2", MappingError("long"), now=NOW - timedelta(hours=1))
        quarantine.quarantine_record(s, "m2", "order", "9", MappingError("no address"), now=NOW - timedelta(days=2))

        assert quarantine.open_counts(s, "m1") == {"order": 1, "stock": 1, "product": 1}
        assert quarantine.open_counts(s, "m1", at=day_ago) == {"order": 2}, "order 2 was still open then"
        assert quarantine.open_counts(s, "m1", at=NOW - timedelta(days=4)) == {}
        assert quarantine.open_counts(s, "m2") == {"order": 1}
