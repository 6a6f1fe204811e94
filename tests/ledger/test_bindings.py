"""Order bindings in the ledger: exporting, re-agreeing lines by row number, and finding unfinished orders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete

from ledger import bindings
from ledger.bindings import LineSpec
from ledger.db import Ledger
from ledger.models import LineBinding, OrderBinding

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
EXPORTED = [LineSpec("1", "POLE-CF-120", 2, starweb_item_id=1, ongoing_line_id=48801),
            LineSpec("2", "TENT-2P", 1, starweb_item_id=2, ongoing_line_id=48802)]


def export(book: Ledger, order_id: int = 1042, *, merchant: str = "demo", lines: list[LineSpec] = EXPORTED,
           pushed_hash: str = "h1", now: datetime = NOW) -> int:
    with book.session() as s:
        binding = bindings.mark_exported(
            s, merchant, starweb_order_id=order_id, order_number=f"FJ-{order_id}", ongoing_order_id=50000 + order_id,
            pushed_hash=pushed_hash, lines=lines, starweb_status_id=1, starweb_created_at=now - timedelta(hours=1),
            starweb_modified_at=now - timedelta(minutes=30), silent=False, now=now)
        return binding.id


def rows(book: Ledger, order_id: int = 1042) -> list[tuple[int, str, str, float, int | None, int | None]]:
    """The lines as stored, read back in a fresh session."""
    with book.session() as s:
        binding = bindings.find_order(s, "demo", order_id)
        assert binding is not None
        return sorted((line.id, line.row_number, line.sku, float(line.quantity), line.starweb_item_id,
                       line.ongoing_line_id) for line in binding.lines)


def test_an_exported_order_is_bound_with_its_lines(ledger: Ledger) -> None:
    export(ledger)
    with ledger.session() as s:
        binding = bindings.find_order(s, "demo", 1042)
        assert binding is not None
        assert (binding.order_number, binding.ongoing_order_id, binding.pushed_hash, binding.exported_at,
                binding.initial_status_set, binding.state) == ("FJ-1042", 51042, "h1", NOW, False, None)
        assert bindings.find_order(s, "other-shop", 1042) is None
    assert [r[1:] for r in rows(ledger)] == [("1", "POLE-CF-120", 2.0, 1, 48801), ("2", "TENT-2P", 1.0, 2, 48802)]


def test_exporting_again_updates_the_binding_and_keeps_the_first_export_time(ledger: Ledger) -> None:
    first = export(ledger)
    again = export(ledger, pushed_hash="h2", now=NOW + timedelta(minutes=5))
    with ledger.session() as s:
        binding = bindings.find_order(s, "demo", 1042)
        assert binding is not None
        assert (again, binding.pushed_hash, binding.exported_at) == (first, "h2", NOW)


@pytest.mark.parametrize(
    ("new_lines", "expected"),
    [
        # The same row with another SKU: updated in place (a delete + insert would hit the unique row key).
        ([LineSpec("1", "POLE-CF-135", 3, starweb_item_id=1), EXPORTED[1]],
         [("1", "POLE-CF-135", 3.0, 1, 48801), ("2", "TENT-2P", 1.0, 2, 48802)]),
        ([EXPORTED[1], LineSpec("3", "SOCK-MER-38", 4, starweb_item_id=9)],
         [("2", "TENT-2P", 1.0, 2, 48802), ("3", "SOCK-MER-38", 4.0, 9, None)]),
        ([LineSpec("2", "TENT-2P", 2, starweb_item_id=2, ongoing_line_id=48900)], [("2", "TENT-2P", 2.0, 2, 48900)]),
        ([], []),
    ],
    ids=["row-reused", "removed-and-added", "line-id-learned", "all-removed"],
)
def test_new_lines_replace_the_agreed_ones_by_row_number(ledger: Ledger, new_lines: list[LineSpec],
                                                         expected: list[tuple]) -> None:
    export(ledger)
    before = {r[1]: r[0] for r in rows(ledger)}
    with ledger.session() as s:
        binding = bindings.find_order(s, "demo", 1042)
        assert binding is not None
        bindings.mark_pushed(binding, pushed_hash="h2", lines=new_lines, starweb_modified_at=NOW)
    after = rows(ledger)
    assert [r[1:] for r in after] == expected
    assert all(before[r[1]] == r[0] for r in after if r[1] in before), "a kept row is the same ledger line"


def test_exporting_again_with_a_reused_row_number_does_not_break_the_unique_key(ledger: Ledger) -> None:
    export(ledger)
    export(ledger, lines=[LineSpec("1", "THERMOS-1L", 1, starweb_item_id=1), LineSpec("2", "TENT-2P", 1)])
    assert [r[1:] for r in rows(ledger)] == [("1", "THERMOS-1L", 1.0, 1, 48801), ("2", "TENT-2P", 1.0, None, 48802)]


def test_a_pushed_edit_clears_an_earlier_refusal_and_line_specs_read_the_agreement_back(ledger: Ledger) -> None:
    export(ledger)
    with ledger.session() as s:
        binding = bindings.find_order(s, "demo", 1042)
        assert binding is not None
        bindings.mark_refused(binding, "refused-hash")
    with ledger.session() as s:
        binding = bindings.find_order(s, "demo", 1042)
        assert binding is not None and binding.refused_hash == "refused-hash"
        bindings.mark_pushed(binding, pushed_hash="h3", lines=EXPORTED[:1], starweb_modified_at=NOW)
    with ledger.session() as s:
        binding = bindings.find_order(s, "demo", 1042)
        assert binding is not None
        assert (binding.pushed_hash, binding.refused_hash, binding.starweb_modified_at) == ("h3", None, NOW)
    assert [r[1:] for r in rows(ledger)] == [("1", "POLE-CF-120", 2.0, 1, 48801)]


def test_unfinished_orders_are_those_not_sent_cancelled_or_returned(ledger: Ledger) -> None:
    states = {1046: "sent", 1041: None, 1045: "picking", 1043: "cancelled", 1042: "open_in_stock", 1044: "returned",
              1047: "partially_sent"}
    for order_id, state in states.items():
        export(ledger, order_id)
        with ledger.session() as s:
            binding = bindings.find_order(s, "demo", order_id)
            assert binding is not None
            if state == "cancelled":
                bindings.mark_cancelled(binding, ongoing_status=1000, now=NOW)
            elif state is not None:
                bindings.mark_state(binding, state=state)
    export(ledger, 1048, merchant="other-shop")
    with ledger.session() as s:
        assert [b.starweb_order_id for b in bindings.unfinished_orders(s, "demo")] == [1041, 1042, 1045, 1047]
        cancelled = bindings.find_order(s, "demo", 1043)
        assert cancelled is not None and (cancelled.cancelled_at, cancelled.ongoing_status) == (NOW, 1000)


def test_reload_gives_the_binding_as_stored_now(ledger: Ledger) -> None:
    export(ledger)
    with ledger.session() as s:
        stale = bindings.find_order(s, "demo", 1042)
    with ledger.session() as s:
        fresh = bindings.find_order(s, "demo", 1042)
        assert fresh is not None
        bindings.mark_state(fresh, state="picking", ongoing_status=300)
    assert stale is not None and stale.state is None
    with ledger.session() as s:
        current = bindings.reload(s, stale)
        assert (current.state, current.ongoing_status) == ("picking", 300)
        assert current in s
        s.execute(delete(LineBinding))
        s.execute(delete(OrderBinding))
    with ledger.session() as s, pytest.raises(LookupError, match="FJ-1042"):
        bindings.reload(s, stale)


def test_lookups_by_several_ids_or_numbers(ledger: Ledger) -> None:
    export(ledger, 1041)
    export(ledger, 1042)
    with ledger.session() as s:
        assert set(bindings.orders_by_starweb_id(s, "demo", [1042, 1099])) == {1042}
        assert set(bindings.orders_by_number(s, "demo", ["FJ-1041", "FJ-1099"])) == {"FJ-1041"}
        assert bindings.orders_by_starweb_id(s, "demo", []) == {}
        assert bindings.orders_by_number(s, "demo", []) == {}
        assert bindings.bound_order_ids(s, "demo", [1041, 1042, 1099]) == {1041, 1042}
        assert bindings.bound_order_ids(s, "other", [1041]) == set()
        assert bindings.bound_order_ids(s, "demo", []) == set()


def test_an_export_awaiting_its_initial_status_is_found_until_it_has_it_or_is_cancelled(ledger: Ledger) -> None:
    with ledger.session() as s:
        assert not bindings.any_awaiting_initial_status(s, "demo")
    export(ledger, 1041)
    export(ledger, 1042)
    with ledger.session() as s:
        assert bindings.any_awaiting_initial_status(s, "demo") and not bindings.any_awaiting_initial_status(s, "x")
        first, second = (bindings.find_order(s, "demo", n) for n in (1041, 1042))
        assert first is not None and second is not None
        bindings.mark_initial_status(first, state="open_in_stock", ongoing_status=210)
        second.cancelled_at = NOW
    with ledger.session() as s:
        assert not bindings.any_awaiting_initial_status(s, "demo")


def test_the_export_marks_the_initial_status_of_an_order_it_just_bound_without_loading_it(ledger: Ledger) -> None:
    export(ledger, 1041)
    with ledger.session() as s:
        bindings.set_initial_status(s, "demo", 1041, state="open_backordered", ongoing_status=211)
        with pytest.raises(LookupError, match="order 1042 has no binding"):
            bindings.set_initial_status(s, "demo", 1042, state="open_in_stock", ongoing_status=210)
        with pytest.raises(LookupError):
            bindings.set_initial_status(s, "other", 1041, state="open_in_stock", ongoing_status=210)
    with ledger.session() as s:
        marked = bindings.find_order(s, "demo", 1041)
        assert marked is not None
        assert (marked.state, marked.ongoing_status, marked.initial_status_set) == ("open_backordered", 211, True)
        assert [r[1:] for r in rows(ledger, 1041)] == [("1", "POLE-CF-120", 2.0, 1, 48801),
                                                       ("2", "TENT-2P", 1.0, 2, 48802)], "its lines untouched"


def test_a_shipped_order_keeps_its_first_shipment_time_and_takes_the_reported_status(ledger: Ledger) -> None:
    export(ledger)
    first, second = NOW + timedelta(hours=2), NOW + timedelta(hours=5)
    with ledger.session() as s:
        binding = bindings.find_order(s, "demo", 1042)
        assert binding is not None
        bindings.mark_shipped(binding, state="partially_sent", starweb_status_id=7, shipped_at=first)
    with ledger.session() as s:
        binding = bindings.find_order(s, "demo", 1042)
        assert binding is not None
        bindings.mark_shipped(binding, state="sent", starweb_status_id=5, shipped_at=second)
    with ledger.session() as s:
        binding = bindings.find_order(s, "demo", 1042)
        assert binding is not None
        assert (binding.state, binding.starweb_status_id, binding.shipped_at) == ("sent", 5, first)
