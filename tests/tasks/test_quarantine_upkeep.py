"""The owners' quarantine upkeep outside a flow run: held records are left alone, entries whose cause is gone
are closed, and a run report knows when it needs a person."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

import tasks.runtime
from domain.shipments import Shipment
from integrations.errors import MappingError, VendorUnavailable
from ledger import quarantine
from ledger import shipments as shipment_log
from ledger.db import Ledger
from ledger.models import Shipment as ShipmentRow
from ledger.types import utcnow
from settings import get_settings
from tasks.order_statuses import STATUS_KIND, HeldOrder, close_settled_statuses
from tasks.reporting import RunReport
from tasks.shipments import SHIPMENT_KIND, ShipmentJob, close_settled_shipments, quarantine_key


@pytest.fixture
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ledger]:
    """The ledger the tasks use (``tasks.runtime.ledger()``), fresh for the test."""
    monkeypatch.setenv("SWO_LEDGER_URL", f"sqlite:///{tmp_path / 'ledger.db'}")
    get_settings.cache_clear()
    tasks.runtime._ledger_for.cache_clear()
    yield tasks.runtime.ledger()
    get_settings.cache_clear()
    tasks.runtime._ledger_for.cache_clear()


def hold(book: Ledger, kind: str, key: str, error: Exception, *, due: bool = False) -> None:
    with book.session() as s:
        entry = quarantine.quarantine_record(s, "demo", kind, key, error)
        if due:
            entry.next_attempt_at = utcnow() - timedelta(minutes=1)


def open_keys(book: Ledger, kind: str) -> set[str]:
    with book.session() as s:
        return {e.key for e in quarantine.open_entries(s, "demo", kind)}


def test_the_status_sync_closes_entries_of_orders_with_nothing_left_to_bring_back(book: Ledger) -> None:
    hold(book, STATUS_KIND, "1", MappingError("Starweb refused the status"))  # held for an hour
    hold(book, STATUS_KIND, "2", VendorUnavailable("busy"), due=True)
    hold(book, STATUS_KIND, "3", VendorUnavailable("busy"))  # its order is sent, cancelled or gone meanwhile
    preview = close_settled_statuses.fn("demo", {1, 2, 4}, dry_run=True)
    assert [(o.record, o.action) for o in preview] == [("order 3", "would close")]
    assert open_keys(book, STATUS_KIND) == {"1", "2", "3"}, "a dry run closes nothing"
    outcomes = close_settled_statuses.fn("demo", {1, 2, 4}, dry_run=False)
    assert [(o.record, o.action) for o in outcomes] == [("order 3", "closed")]
    assert open_keys(book, STATUS_KIND) == {"1", "2"}


@pytest.mark.parametrize(("held", "flagged_now", "look"), [
    (HeldOrder(due=True, retryable=False, warehouse_flag=False), False, True),
    (HeldOrder(due=False, retryable=False, warehouse_flag=False), False, False),  # a refusal waits its turn
    (HeldOrder(due=False, retryable=True, warehouse_flag=False), False, True),  # a lost answer: the next run
    (HeldOrder(due=False, retryable=False, warehouse_flag=True), True, False),  # still flagged: wait
    (HeldOrder(due=False, retryable=False, warehouse_flag=True), False, True),  # the warehouse moved back
])
def test_a_held_order_is_looked_at_when_due_or_when_its_cause_may_be_gone(held: HeldOrder, flagged_now: bool,
                                                                          look: bool) -> None:
    assert held.worth_a_look(flagged_now) is look


def job(order_number: str, key: str) -> ShipmentJob:
    shipment = Shipment(order_number=order_number, ongoing_order_id=1, key=key, lines=[], shipped_by_row={},
                        partial=False, tracking_number=None, transporter_code=None, shipped_at=None)
    return ShipmentJob(shipment, int(order_number.removeprefix("FJ-")), None)


def test_a_shipment_entry_closes_once_ongoing_no_longer_offers_the_shipment(book: Ledger) -> None:
    still, superseded = job("FJ-1", "a" * 40), job("FJ-1", "b" * 40)
    hold(book, SHIPMENT_KIND, quarantine_key(still.shipment), VendorUnavailable("busy"))
    hold(book, SHIPMENT_KIND, quarantine_key(superseded.shipment), VendorUnavailable("busy"))
    preview = close_settled_shipments.fn("demo", [still], dry_run=True)
    assert [o.action for o in preview] == ["would close"]
    assert len(open_keys(book, SHIPMENT_KIND)) == 2, "a dry run closes nothing"
    outcomes = close_settled_shipments.fn("demo", [still], dry_run=False)
    assert [(o.record, o.action) for o in outcomes] == [(f"shipment FJ-1:{'b' * 12}", "closed")]
    assert open_keys(book, SHIPMENT_KIND) == {quarantine_key(still.shipment)}


def status_changed(book: Ledger, order_number: str, key: str, holder: str | None) -> int:
    """A shipment whose status change (and customer email) landed, its acknowledgement not recorded."""
    with book.session() as s:
        row = shipment_log.record_intent(
            s, "demo", starweb_order_id=int(order_number.removeprefix("FJ-")), order_number=order_number, key=key,
            lines={}, partial=False, tracking_number=None, tracker_type=None, target_status_id=3, send_email=True,
            silent_reason=None, shipped_at=None, run_token=holder or "gone")
        shipment_log.mark_status_changed(s, row.id)
        row.claimed_by = holder
        return row.id


def states(book: Ledger) -> dict[str, str]:
    with book.session() as s:
        return {row.order_number: row.state for row in s.scalars(select(ShipmentRow))}


def test_a_shipment_ongoing_no_longer_offers_after_its_status_change_is_recorded_as_acknowledged(
        book: Ledger) -> None:
    offered = job("FJ-1", "a" * 40)
    status_changed(book, "FJ-1", "a" * 40, None)  # still offered: the next step is still to do
    status_changed(book, "FJ-2", "b" * 40, None)  # its run wrote the quantities, then the ledger was busy
    status_changed(book, "FJ-3", "c" * 40, "killed-run")  # its run was killed after writing the quantities
    status_changed(book, "FJ-4", "d" * 40, "live-run")  # a live run, just past its status change
    preview = close_settled_shipments.fn("demo", [offered], dry_run=True, finished_holders={"killed-run"})
    assert sorted((o.record, o.action) for o in preview) == [(f"shipment FJ-2:{'b' * 12}", "would settle"),
                                                             (f"shipment FJ-3:{'c' * 12}", "would settle")]
    assert set(states(book).values()) == {"status_changed"}, "a dry run changes nothing"

    outcomes = close_settled_shipments.fn("demo", [offered], dry_run=False, finished_holders={"killed-run"})
    assert sorted(o.action for o in outcomes) == ["settled", "settled"]
    assert states(book) == {"FJ-1": "status_changed", "FJ-2": "acknowledged", "FJ-3": "acknowledged",
                            "FJ-4": "status_changed"}


def test_a_run_needs_attention_for_records_left_to_a_person_and_for_warnings() -> None:
    report = RunReport("export-orders", "demo")
    report.add("order 1", "created")
    report.add("order 2", "skipped", "another export run is sending this order right now")
    assert report.attention() == {}
    report.add("order 3", "quarantined", "unknown SKU")
    report.add("order 4", "not recorded", "the ledger was busy")
    report.warnings.append("The ledger has no record of merchant demo …")
    assert report.attention() == {"quarantined": 1, "not recorded": 1, "warnings": 1}
    assert "## Warnings" in report.markdown() and "order 4: not recorded" in report.markdown()
