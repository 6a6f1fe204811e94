"""Export claims: one run at a time sends an order; a dead run's claim is taken over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ledger import export_claims
from ledger.db import Ledger
from ledger.models import ExportClaim

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def holder(book: Ledger, order_id: int) -> str | None:
    with book.session() as s:
        claim = s.query(ExportClaim).filter_by(merchant_id="m1", starweb_order_id=order_id).one_or_none()
        return claim.token if claim else None


def test_an_order_is_claimed_by_one_run_only(book: Ledger) -> None:
    with book.session() as s:
        assert export_claims.claim_for_export(s, "m1", 1042, "run-a", now=NOW)
    with book.session() as s:
        assert not export_claims.claim_for_export(s, "m1", 1042, "run-b", now=NOW + timedelta(minutes=1))
        assert export_claims.claim_for_export(s, "m1", 1042, "run-a", now=NOW + timedelta(minutes=1)), "its own"
        assert export_claims.claim_for_export(s, "m2", 1042, "run-b", now=NOW), "another merchant's order"
    assert holder(book, 1042) == "run-a"


def test_a_claim_goes_when_the_order_is_bound_or_the_run_ends(book: Ledger) -> None:
    with book.session() as s:
        assert export_claims.claim_for_export(s, "m1", 1, "run-a", now=NOW)
        assert export_claims.claim_for_export(s, "m1", 2, "run-a", now=NOW)
        export_claims.let_go(s, "m1", 1, "run-b")  # not its claim: nothing happens
    assert holder(book, 1) == "run-a"
    with book.session() as s:
        export_claims.let_go(s, "m1", 1, "run-a")
        assert export_claims.claim_for_export(s, "m1", 1, "run-b", now=NOW)
        export_claims.let_go_of_run(s, "run-a")
    assert (holder(book, 1), holder(book, 2)) == ("run-b", None)


def test_a_dead_runs_claim_is_taken_over_after_the_stale_limit(book: Ledger) -> None:
    with book.session() as s:
        assert export_claims.claim_for_export(s, "m1", 1042, "crashed", now=NOW)
    with book.session() as s:
        assert not export_claims.claim_for_export(s, "m1", 1042, "next", now=NOW + timedelta(minutes=14))
        assert export_claims.claim_for_export(s, "m1", 1042, "next", now=NOW + timedelta(minutes=16))
    assert holder(book, 1042) == "next"


def test_a_claim_of_a_run_known_to_be_over_is_taken_over_at_once(book: Ledger) -> None:
    with book.session() as s:
        assert export_claims.claim_for_export(s, "m1", 1042, "crashed-run", now=NOW)
        assert export_claims.export_claim_holder(s, "m1", 1042) == "crashed-run"
        assert not export_claims.claim_for_export(s, "m1", 1042, "next", now=NOW, finished_holders=["other-run"])
        assert export_claims.claim_for_export(s, "m1", 1042, "next", now=NOW, finished_holders=["crashed-run"])
        assert export_claims.export_claim_holder(s, "m1", 1042) == "next"
        assert export_claims.export_claim_holder(s, "m1", 9) is None
