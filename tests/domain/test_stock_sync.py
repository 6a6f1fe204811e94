"""Stock sync decisions: which SKUs a run looks at, which Starweb figures are written, what goes on the
worklist, and when Starweb's figure is more than its own orders explain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.stock_sync import (
    SHOP_ONLY,
    WAREHOUSE_ONLY,
    SaleLine,
    ShopLevel,
    StarwebBaseline,
    WarehouseLevel,
    choose_scope,
    master_conflicts,
    plan_stock_writes,
    sale_lines,
)
from integrations.starweb.models import Order

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def shop(sku: str, quantity: int | None) -> ShopLevel:
    return ShopLevel(sku, product_id=10, variant_id=100, quantity=quantity)


# --- the table comparison -------------------------------------------------------------------------


def test_only_skus_whose_starweb_figure_differs_are_written() -> None:
    plan = plan_stock_writes([WarehouseLevel("TENT", 6), WarehouseLevel("SOCK", 120), WarehouseLevel("LAMP", 3)],
                             [shop("TENT", 6), shop("SOCK", 100), shop("LAMP", None)], safety_buffer=0)
    assert [(w.sku, w.current, w.target) for w in plan.writes] == [("LAMP", None, 3), ("SOCK", 100, 120)]
    assert [u.sku for u in plan.unchanged] == ["TENT"]
    assert plan.worklist == []


def test_the_safety_buffer_is_held_back_and_stock_is_never_negative() -> None:
    plan = plan_stock_writes([WarehouseLevel("TENT", 6), WarehouseLevel("LAMP", 1), WarehouseLevel("POLE", -4),
                              WarehouseLevel("SOCK", 7.9)],
                             [shop("TENT", 6), shop("LAMP", 1), shop("POLE", -4), shop("SOCK", 0)], safety_buffer=2)
    assert {w.sku: w.target for w in plan.writes} == {"TENT": 4, "LAMP": 0, "POLE": 0, "SOCK": 5}


def test_the_write_names_the_variant_it_goes_to() -> None:
    plan = plan_stock_writes([WarehouseLevel("TENT", 6)], [ShopLevel("TENT", 77, 701, 2)], safety_buffer=0)
    (write,) = plan.writes
    assert (write.product_id, write.variant_id, write.sellable) == (77, 701, 6.0)


def test_a_sku_on_one_side_only_goes_on_the_worklist_not_into_the_writes() -> None:
    plan = plan_stock_writes([WarehouseLevel("TENT", 6), WarehouseLevel("OLD-RETIRED", 9, syncable=False),
                              WarehouseLevel("ONLY-IN-WAREHOUSE", 4)],
                             [shop("TENT", 1), shop("ONLY-IN-SHOP", 5)], safety_buffer=0)
    assert [w.sku for w in plan.writes] == ["TENT"]
    assert [(e.sku, e.side) for e in plan.worklist] == [("ONLY-IN-SHOP", SHOP_ONLY),
                                                         ("ONLY-IN-WAREHOUSE", WAREHOUSE_ONLY)]
    assert "product sync" in plan.worklist[0].to_do


def test_an_inactive_article_leaves_the_shop_figure_alone_and_is_not_reported_missing() -> None:
    plan = plan_stock_writes([WarehouseLevel("GIFT-WRAP", 0, syncable=False)], [shop("GIFT-WRAP", 999)],
                             safety_buffer=0)
    assert (plan.writes, plan.unchanged, plan.worklist, plan.ignored) == ([], [], [], ["GIFT-WRAP"])


def test_nothing_to_compare_plans_nothing() -> None:
    plan = plan_stock_writes([], [], safety_buffer=3)
    assert (plan.writes, plan.unchanged, plan.worklist, plan.ignored) == ([], [], [], [])


# --- which SKUs a run looks at --------------------------------------------------------------------


def test_a_recent_cursor_reads_only_changed_articles_with_an_overlap() -> None:
    scope = choose_scope(NOW, NOW - timedelta(minutes=10), NOW - timedelta(hours=1), full_resync_hours=6)
    assert not scope.full
    assert scope.changed_since is not None and scope.changed_since < NOW - timedelta(minutes=10)


def test_a_full_resync_comes_first_when_due_or_asked_for() -> None:
    cursor = NOW - timedelta(minutes=10)
    assert choose_scope(NOW, None, None, full_resync_hours=6).full
    assert choose_scope(NOW, cursor, NOW - timedelta(hours=6), full_resync_hours=6).full
    assert choose_scope(NOW, cursor, NOW - timedelta(minutes=30), full_resync_hours=6, forced=True).full
    assert not choose_scope(NOW, cursor, NOW - timedelta(hours=5, minutes=59), full_resync_hours=6).full


def test_a_cursor_too_old_for_ongoings_24_hour_filter_becomes_a_full_resync() -> None:
    recent_full = NOW - timedelta(hours=1)
    assert not choose_scope(NOW, NOW - timedelta(hours=23, minutes=40), recent_full, full_resync_hours=48).full
    late = choose_scope(NOW, NOW - timedelta(hours=23, minutes=50), recent_full, full_resync_hours=48)
    assert late.full and late.changed_since is None and "24-hour" in late.reason


# --- one stock master -----------------------------------------------------------------------------

WRITTEN = StarwebBaseline("TENT", 10, seen_from=NOW - timedelta(hours=1, seconds=1),
                          seen_until=NOW - timedelta(hours=1))
READ_FROM, READ_UNTIL = NOW, NOW + timedelta(seconds=2)


def sale(sku: str, quantity: float, created: datetime, *, cancelled: bool = False,
         modified: datetime | None = None, order_id: int = 1) -> SaleLine:
    return SaleLine(order_id, sku, quantity, created, modified or created, cancelled)


def conflicts(observed: int, sales: list[SaleLine], baseline: StarwebBaseline = WRITTEN) -> list:
    return master_conflicts([baseline], {baseline.sku: observed}, sales, observed_from=READ_FROM,
                            observed_until=READ_UNTIL)


def test_sales_since_the_last_write_explain_a_lower_figure() -> None:
    sales = [sale("TENT", 2, NOW - timedelta(minutes=30)), sale("TENT", 1, NOW - timedelta(minutes=5), order_id=2),
             sale("SOCK", 50, NOW - timedelta(minutes=5), order_id=2)]
    assert conflicts(7, sales) == []


def test_a_change_its_orders_do_not_explain_is_a_conflict() -> None:
    (found,) = conflicts(25, [sale("TENT", 2, NOW - timedelta(minutes=30))])
    assert (found.sku, found.baseline, found.sold, found.expected_low, found.expected_high) == ("TENT", 10, 2, 8, 8)
    assert (found.observed, found.unexplained) == (25, 17)
    (lower,) = conflicts(3, [sale("TENT", 2, NOW - timedelta(minutes=30))])
    assert lower.unexplained == -5


def test_orders_placed_before_the_last_write_do_not_count() -> None:
    assert conflicts(10, [sale("TENT", 4, NOW - timedelta(hours=3))]) == []
    assert len(conflicts(6, [sale("TENT", 4, NOW - timedelta(hours=3))])) == 1


def test_a_cancelled_older_order_may_have_given_its_units_back() -> None:
    older = sale("TENT", 3, NOW - timedelta(hours=3), cancelled=True, modified=NOW - timedelta(minutes=20))
    assert conflicts(13, [older]) == [], "cancelled after the write: its units came back"
    assert conflicts(10, [older]) == [], "or it was cancelled before the write"
    assert len(conflicts(14, [older])) == 1


def test_an_order_placed_and_cancelled_since_the_write_takes_nothing() -> None:
    assert conflicts(10, [sale("TENT", 2, NOW - timedelta(minutes=30), cancelled=True)]) == []


def test_an_order_placed_while_a_figure_was_read_may_or_may_not_be_in_it() -> None:
    during_read = sale("TENT", 2, READ_FROM + timedelta(seconds=1))
    assert conflicts(10, [during_read]) == [] and conflicts(8, [during_read]) == []
    during_write = sale("TENT", 2, WRITTEN.seen_from + timedelta(milliseconds=500))
    assert conflicts(10, [during_write]) == [] and conflicts(8, [during_write]) == []
    stamped_in_the_writes_second = sale("TENT", 2, WRITTEN.seen_from - timedelta(milliseconds=300))
    assert conflicts(8, [stamped_in_the_writes_second]) == [], "Starweb stamps whole seconds"
    after_read = sale("TENT", 2, READ_UNTIL + timedelta(seconds=1))
    assert conflicts(10, [after_read]) == [], "placed after the read: not in the figure"


def test_skus_without_a_baseline_or_a_current_figure_are_not_checked() -> None:
    found = master_conflicts([WRITTEN], {"TENT": None, "SOCK": 3}, [], observed_from=READ_FROM,
                             observed_until=READ_UNTIL)
    assert found == []


def test_sale_lines_come_from_top_level_items_and_know_cancelled_orders() -> None:
    orders = [Order.model_validate({"orderId": 1001, "statusId": 4, "createdAt": "2026-11-28T10:00:00+01:00",
                                    "modifiedAt": "2026-11-28T11:00:00+01:00",
                                    "items": {"data": [{"itemId": 1, "sku": "TENT", "quantity": 2},
                                                       {"itemId": 2, "sku": None, "quantity": 1}]}}),
              Order.model_validate({"orderId": 1002, "statusId": 1, "createdAt": "2026-11-28T10:30:00Z",
                                    "items": {"data": [{"itemId": 3, "sku": "SOCK", "quantity": 5}]}})]
    lines = sale_lines(orders, cancelled_status_ids={4})
    assert [(s.order_id, s.sku, s.quantity, s.cancelled) for s in lines] == [(1001, "TENT", 2, True),
                                                                            (1002, "SOCK", 5, False)]
    assert lines[1].modified_at == lines[1].created_at
