"""The return log: a return is recorded once, held by one run at a time, carried from recorded to
acknowledged, and stays on the refund worklist until the merchant marks it refunded."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from ledger import returns as log
from ledger.db import Ledger
from ledger.models import ReturnRecord
from ledger.types import utcnow

RUN_A, RUN_B = "a" * 32, "b" * 32
REGRET = log.NewReturn(
    key="key-1", source="sales-order", document_id=50001, reference="FJ-1042", order_number="FJ-1042",
    starweb_order_id=1042, kind="regret",
    lines=[{"line_ref": "48001", "sku": "POLE-CF-120", "cause": "REGRET", "units": 1.0, "restocked": 1.0}],
    acknowledgements=[{"target": "order-line", "document_id": 50001, "line_id": 48001, "value": 1.0}],
    comments=[], refund_amount=Decimal("599.00"), shipping_refund=None, currency="SEK", fully_returned=False,
    target_status_id=10, send_email=False, worklist_state="awaiting_refund", note=None, returned_at=None)
UNMATCHED = replace(REGRET, key="key-2", source="purchase-order", document_id=241, reference="RET-2",
                    order_number=None, starweb_order_id=None, refund_amount=None, worklist_state="unmatched",
                    note="no order number", held=True)


def record(book: Ledger, new: log.NewReturn = REGRET, token: str = RUN_A) -> int:
    with book.session() as s:
        return log.record(s, "demo", new, token).id


def stored(book: Ledger, return_id: int) -> ReturnRecord:
    with book.session() as s:
        row = s.get(ReturnRecord, return_id)
        assert row is not None
        return row


def test_a_return_is_recorded_once_with_its_decisions_and_taken_by_its_run(ledger: Ledger) -> None:
    row = stored(ledger, record(ledger))
    assert (row.progress, row.claimed_by, row.target_status_id, row.refund_amount, row.worklist_state) == (
        log.RECORDED, RUN_A, 10, Decimal("599.00"), "awaiting_refund")
    with pytest.raises(IntegrityError):
        record(ledger, token=RUN_B)
    with ledger.session() as s:
        assert log.find(s, "demo", "key-1") is not None and log.find(s, "other-shop", "key-1") is None


def test_registered_lines_are_what_later_reads_subtract(ledger: Ledger) -> None:
    record(ledger)
    record(ledger, replace(REGRET, key="key-3", lines=[{**REGRET.lines[0], "units": 2.0, "sku": "SOCK-MER-42"}]))
    with ledger.session() as s:
        lines = log.registered_lines(s, "demo", [("sales-order", 50001), ("purchase-order", 241)])
        assert sorted((source, doc, line["sku"]) for source, doc, line in lines) == [
            ("sales-order", 50001, "POLE-CF-120"), ("sales-order", 50001, "SOCK-MER-42")]
        assert log.returned_by_sku(s, "demo", 1042) == {"POLE-CF-120": 1.0, "SOCK-MER-42": 2.0}
        assert not log.shipping_refunded(s, "demo", 1042)
    record(ledger, replace(REGRET, key="key-4", shipping_refund=Decimal("61.25")))
    with ledger.session() as s:
        assert log.shipping_refunded(s, "demo", 1042)


def test_an_unfinished_return_is_held_by_one_live_run_and_a_dead_runs_is_taken_over(ledger: Ledger) -> None:
    return_id = record(ledger)
    with ledger.session() as s:
        assert [r.id for r in log.unfinished(s, "demo")] == [return_id]
        assert not log.take(s, return_id, RUN_B), "run A is alive"
        assert log.take(s, return_id, RUN_A)
        assert log.take(s, return_id, RUN_B, now=utcnow() + log.STALE_AFTER + timedelta(seconds=1))
    with ledger.session() as s:
        log.mark_starweb_done(s, return_id, customer_comments=["Lampan slocknar."])
        log.mark_acknowledged(s, return_id)
    row = stored(ledger, return_id)
    assert (row.progress, row.claimed_by, row.comments) == (log.ACKNOWLEDGED, None, ["Lampan slocknar."])
    with ledger.session() as s:
        assert log.unfinished(s, "demo") == [] and not log.take(s, return_id, RUN_A)


def test_a_return_held_by_a_run_that_is_over_is_taken_over_at_once(ledger: Ledger) -> None:
    return_id = record(ledger)
    with ledger.session() as s:
        assert log.holder(s, return_id) == RUN_A
        assert not log.take(s, return_id, RUN_B, finished_holders=["some-other-run"])
        assert log.take(s, return_id, RUN_B, finished_holders=[RUN_A]), "Prefect shows run A over"
    assert stored(ledger, return_id).claimed_by == RUN_B


def test_an_unmatched_return_is_on_the_worklist_only_and_refunded_rows_leave_it(ledger: Ledger) -> None:
    regret, unmatched = record(ledger), record(ledger, UNMATCHED)
    with ledger.session() as s:
        assert [r.id for r in log.unfinished(s, "demo")] == [regret], "nothing to write for an unmatched one"
        assert stored(ledger, unmatched).claimed_by is None
        assert [r.id for r in log.worklist(s, "demo")] == [regret, unmatched]
        refunded = log.mark_refunded(s, "demo", regret, note="Klarna")
        assert refunded is not None and refunded.refunded_at is not None
        assert log.mark_refunded(s, "demo", regret) is None, "already refunded"
        assert log.mark_refunded(s, "other-shop", unmatched) is None
    with ledger.session() as s:
        assert [r.id for r in log.worklist(s, "demo")] == [unmatched]
        assert [r.id for r in log.worklist(s, "demo", include_closed=True)] == [regret, unmatched]
        assert stored(ledger, regret).note == "Klarna"
