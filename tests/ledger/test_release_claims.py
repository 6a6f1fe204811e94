"""Release claims: one run at a time holds an order; a crashed run's claim is taken over; a half-done
release is found again by the next run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ledger import bindings
from ledger import release as claims
from ledger.db import Ledger
from ledger.models import OrderBinding

NOW = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
RUN_A, RUN_B = "a" * 32, "b" * 32


def exported(book: Ledger, order_id: int = 1042, merchant: str = "demo") -> int:
    with book.session() as s:
        binding = OrderBinding(merchant_id=merchant, starweb_order_id=order_id, order_number=f"FJ-{order_id}",
                               ongoing_order_id=50000 + order_id, state="open_in_stock")
        s.add(binding)
        s.flush()
        return binding.id


def claim(book: Ledger, binding_id: int, token: str, now: datetime = NOW, finished: tuple[str, ...] = ()) -> bool:
    with book.session() as s:
        return claims.claim_for_release(s, binding_id, token, now=now, finished_holders=finished)


def stored(book: Ledger, binding_id: int) -> OrderBinding:
    with book.session() as s:
        binding = s.get(OrderBinding, binding_id)
        assert binding is not None
        return binding


def half_done(book: Ledger, merchant: str = "demo") -> list[int]:
    with book.session() as s:
        return sorted(b.starweb_order_id for b in claims.half_released(s, merchant))


def test_of_two_runs_only_one_claims_an_order(ledger: Ledger) -> None:
    order = exported(ledger)
    assert claim(ledger, order, RUN_A)
    assert not claim(ledger, order, RUN_B, NOW + timedelta(seconds=1))
    assert claim(ledger, order, RUN_A, NOW + timedelta(seconds=2)), "the holder may claim again"
    assert (stored(ledger, order).release_claim, stored(ledger, order).release_claimed_at) == (
        RUN_A, NOW + timedelta(seconds=2))


def test_a_claim_of_a_crashed_run_is_taken_over_once_stale(ledger: Ledger) -> None:
    order = exported(ledger)
    assert claim(ledger, order, RUN_A)
    assert not claim(ledger, order, RUN_B, NOW + timedelta(minutes=15))
    assert claim(ledger, order, RUN_B, NOW + timedelta(minutes=15, seconds=1))
    assert stored(ledger, order).release_claim == RUN_B


def test_a_claim_of_a_run_that_is_over_is_taken_over_at_once(ledger: Ledger) -> None:
    order = exported(ledger)
    assert claim(ledger, order, RUN_A)
    with ledger.session() as s:
        assert claims.release_claim_holder(s, order) == RUN_A
    assert not claim(ledger, order, RUN_B, NOW + timedelta(seconds=1), finished=("c" * 32,))
    assert claim(ledger, order, RUN_B, NOW + timedelta(seconds=1), finished=(RUN_A,))
    assert stored(ledger, order).release_claim == RUN_B


def test_letting_go_frees_the_order_but_keeps_the_claim_time_for_the_next_run(ledger: Ledger) -> None:
    order, untouched = exported(ledger, 1042), exported(ledger, 1043)
    assert claim(ledger, order, RUN_A)
    with ledger.session() as s:
        claims.let_go(s, RUN_A)
    binding = stored(ledger, order)
    assert (binding.release_claim, binding.release_claimed_at) == (None, NOW)
    assert stored(ledger, untouched).release_claimed_at is None
    assert half_done(ledger) == [1042]
    assert claim(ledger, order, RUN_B, NOW + timedelta(minutes=1)), "free at once, no need to wait"


def test_a_released_order_is_done_and_cannot_be_claimed_again(ledger: Ledger) -> None:
    order = exported(ledger)
    assert claim(ledger, order, RUN_A)
    with ledger.session() as s:
        claims.mark_released(s, order, starweb_status_id=2, ongoing_status=300, now=NOW + timedelta(seconds=5))
    binding = stored(ledger, order)
    assert (binding.state, binding.starweb_status_id, binding.ongoing_status, binding.released_at,
            binding.release_claim) == ("picking", 2, 300, NOW + timedelta(seconds=5), None)
    assert half_done(ledger) == []
    assert not claim(ledger, order, RUN_A, NOW + timedelta(hours=1))


def test_half_released_leaves_out_cancelled_orders_and_other_merchants(ledger: Ledger) -> None:
    orders = {order_id: exported(ledger, order_id) for order_id in (1041, 1042)}
    other = exported(ledger, 1043, merchant="other-shop")
    for binding_id in (*orders.values(), other):
        assert claim(ledger, binding_id, RUN_A)
    with ledger.session() as s:
        cancelled = s.get(OrderBinding, orders[1041])
        assert cancelled is not None
        bindings.mark_cancelled(cancelled, ongoing_status=1000, now=NOW)
        claims.let_go(s, RUN_A)
    assert half_done(ledger) == [1042]
    assert half_done(ledger, "other-shop") == [1043]


def test_an_order_is_put_on_hold_and_released_from_it_by_starweb_id(ledger: Ledger) -> None:
    order = exported(ledger)
    with ledger.session() as s:
        assert claims.set_hold(s, "demo", 1042, True)
        assert not claims.set_hold(s, "demo", 9999, True)
        assert not claims.set_hold(s, "other-shop", 1042, True)
    assert stored(ledger, order).on_hold is True
    with ledger.session() as s:
        assert claims.set_hold(s, "demo", 1042, False)
    assert stored(ledger, order).on_hold is False
