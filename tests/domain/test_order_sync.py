"""Order changes on either side: what the connector does about a Starweb edit, and what it brings back
from the warehouse, for every combination of Starweb status, Ongoing status and ledger binding."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from domain.config import load_merchants
from domain.hashing import payload_hash
from domain.order_mapping import to_ongoing_order
from domain.order_sync import (
    CANCEL_MARKER,
    CancelInOngoing,
    CannotMap,
    CopyLineChanges,
    FlagWarehouseState,
    NewLine,
    NoteShortPick,
    PushUpdate,
    RecordCancelled,
    RefuseCancel,
    RefuseUpdate,
    SetStarwebStatus,
    Skip,
    Unchanged,
    needs_attention,
    plan_starweb_edit,
    plan_warehouse_changes,
    warehouse_flag,
    with_agreed_row_numbers,
)
from domain.statuses import OrderState, ShopStatus, StatusTable
from integrations.errors import MappingError
from integrations.ongoing.models import Order as OngoingOrder
from integrations.simulation.demo_data import DEMO_ORDER_STATUSES
from integrations.starweb.models import Order as StarwebOrder
from ledger.models import LineBinding, OrderBinding
from tests.integrations.ongoing.payloads import order_json
from tests.integrations.starweb.payloads import order as starweb_json
from tests.integrations.starweb.payloads import order_item

DEMO = load_merchants()["demo"]
TABLE = StatusTable(DEMO.state_rules(), [ShopStatus(sid, code) for sid, code, *_ in DEMO_ORDER_STATUSES])
CREATED, PICKING, COMPLETED, CANCELED, AWAITING_PAYMENT = 1, 2, 3, 4, 8  # the demo shop's status ids
KNOWN = {"POLE-CF-120", "TENT-2P", "SOCK-MER-38"}
PICKED = DEMO.orders.picked_status  # 400


def starweb(status_id: int = CREATED, items: list[dict[str, Any]] | None = None) -> StarwebOrder:
    """Order 1042 as Starweb answers it: item 1 is two poles, item 2 one tent (unless told otherwise)."""
    body = starweb_json(1042, with_includes=True, statusId=status_id)
    if items is not None:
        body["items"] = {"data": items}
    return StarwebOrder.model_validate(body)


def mapped(order: StarwebOrder) -> Any:
    return to_ongoing_order(order, DEMO, known_skus=KNOWN)


AGREED_HASH = payload_hash(mapped(starweb()))


AgreedRows = tuple[tuple[str, str, float, int | None], ...]  # (row number, SKU, quantity, Starweb itemId)
EXPORTED_ROWS: AgreedRows = (("1", "POLE-CF-120", 2, 1), ("2", "TENT-2P", 1, 2))


def binding(lines: AgreedRows = EXPORTED_ROWS, **fields: Any) -> OrderBinding:
    """The ledger's binding as the export left it: rows are the Starweb itemIds, the last push agreed."""
    return OrderBinding(merchant_id="demo", starweb_order_id=1042, order_number="FJ-1042",
                        **{"state": "open_in_stock", "pushed_hash": AGREED_HASH, **fields},
                        lines=[LineBinding(row_number=row, sku=sku, quantity=qty, starweb_item_id=item_id)
                               for row, sku, qty, item_id in lines])


NAMES = {"POLE-CF-120": "Vandringsstav Kolfiber", "TENT-2P": "Tält 2 personer", "SOCK-MER-38": "Ullstrumpa"}


def line(row: str, sku: str, ordered: float, picked: float = 0) -> dict[str, Any]:
    """One line of GET /orders, with what was ordered and picked of it."""
    return {"id": 48800 + int(row), "rowNumber": row, "orderedNumberOfItems": ordered, "pickedNumberOfItems": picked,
            "packedNumberOfItems": 0.0,
            "article": {"articleSystemId": 1, "articleNumber": sku, "articleName": NAMES[sku]}}


AS_AGREED = (line("1", "POLE-CF-120", 2), line("2", "TENT-2P", 1))


def ongoing(status: int | None, lines: tuple[dict[str, Any], ...] = AS_AGREED) -> OngoingOrder:
    """Order FJ-1042 as GET /orders shows it, in ``status``, with these lines."""
    body = order_json(50163, "FJ-1042", status=status or 200)
    template = body["orderLines"][0]
    body["orderLines"] = [{**template, **override} for override in lines]
    if status is None:
        body["orderInfo"]["orderStatus"] = None
    return OngoingOrder.model_validate(body)


# --- Starweb → Ongoing -------------------------------------------------------------------------

EDITED = starweb(items=[order_item(1, quantity=3), order_item(2, sku="TENT-2P", quantity=1)])
EDITED_HASH = payload_hash(mapped(EDITED))


@pytest.mark.parametrize(
    ("order", "ongoing_status", "fields", "expected"),
    [
        (starweb(CANCELED), 1000, {"state": "cancelled"}, Unchanged("already cancelled on both sides")),
        (starweb(CANCELED), 1000, {}, RecordCancelled()),
        (starweb(CANCELED), 200, {}, CancelInOngoing()),
        (starweb(CANCELED), 210, {}, CancelInOngoing()),
        (starweb(CANCELED), 211, {"refused_hash": EDITED_HASH}, CancelInOngoing()),
        (starweb(CANCELED), 300, {"refused_hash": CANCEL_MARKER},
         Unchanged("cancellation already flagged: the warehouse had started")),
        (starweb(), 210, {}, Unchanged("no change since the last push", in_sync=True)),
        (starweb(), 400, {}, Unchanged("no change since the last push", in_sync=True)),  # nothing to refuse
        (EDITED, 1000, {}, Unchanged("cancelled in the warehouse; edits are not sent")),
        (EDITED, 300, {"refused_hash": EDITED_HASH}, Unchanged("edit already flagged: the warehouse had started")),
    ],
)
def test_a_starweb_order_needing_nothing_or_only_the_ledger_is_left_alone(
    order: StarwebOrder, ongoing_status: int, fields: dict[str, Any], expected: object
) -> None:
    assert plan_starweb_edit(order, binding(**fields), ongoing_status, TABLE, mapped(order)) == expected


@pytest.mark.parametrize("ongoing_status", [300, 320, 400, 450, 800])
def test_a_cancellation_after_the_warehouse_started_is_refused_naming_its_status(ongoing_status: int) -> None:
    plan = plan_starweb_edit(starweb(CANCELED), binding(), ongoing_status, TABLE, mapped(starweb(CANCELED)))
    assert isinstance(plan, RefuseCancel)
    assert f"Ongoing status {ongoing_status}" in plan.reason


def test_a_cancellation_needs_no_mapping_so_an_unmappable_order_is_still_cancelled() -> None:
    error = MappingError("SKU not known in Ongoing: NEW-1")
    assert plan_starweb_edit(starweb(CANCELED), binding(), 210, TABLE, error) == CancelInOngoing()


def test_an_edit_that_cannot_be_mapped_carries_the_mapping_error() -> None:
    error = MappingError("Starweb order 1042 cannot be sent to Ongoing: the order has no delivery address")
    assert plan_starweb_edit(EDITED, binding(), 210, TABLE, error) == CannotMap(error)


@pytest.mark.parametrize("ongoing_status", [200, 210, 211])
def test_an_edit_while_the_order_is_open_is_pushed_with_its_hash(ongoing_status: int) -> None:
    plan = plan_starweb_edit(EDITED, binding(), ongoing_status, TABLE, mapped(EDITED))
    assert plan == PushUpdate(mapped(EDITED), EDITED_HASH)
    assert [(li.row_number, li.number_of_items) for li in plan.payload.order_lines or []] == [("1", 3.0), ("2", 1.0)]


@pytest.mark.parametrize("refused_before", [None, "hash-of-an-earlier-edit"])
def test_an_edit_after_the_warehouse_started_is_refused_once_per_version(refused_before: str | None) -> None:
    plan = plan_starweb_edit(EDITED, binding(refused_hash=refused_before), 300, TABLE, mapped(EDITED))
    assert isinstance(plan, RefuseUpdate)
    assert plan.payload_hash == EDITED_HASH  # remembered, so the same edit is not flagged again
    assert "Ongoing status 300" in plan.reason


def test_rows_the_warehouse_numbered_itself_keep_their_numbers_in_an_update() -> None:
    # The TPL added row "3"; it was copied to Starweb, where it became item 9.
    agreed = binding((("1", "POLE-CF-120", 2, 1), ("2", "TENT-2P", 1, 2), ("3", "SOCK-MER-38", 1, 9)))
    order = starweb(items=[order_item(1, quantity=2), order_item(2, sku="TENT-2P", quantity=1),
                           order_item(9, sku="SOCK-MER-38", quantity=4)])
    payload = with_agreed_row_numbers(mapped(order), agreed)
    assert [(li.row_number, li.article_number, li.number_of_items) for li in payload.order_lines or []] == [
        ("1", "POLE-CF-120", 2.0), ("2", "TENT-2P", 1.0), ("3", "SOCK-MER-38", 4.0)]


def test_rows_numbered_by_item_id_leave_the_payload_as_mapped() -> None:
    payload = mapped(EDITED)
    assert with_agreed_row_numbers(payload, binding()) == payload


# --- Ongoing → Starweb -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ongoing_status", "shop_status", "expected"),
    [
        (300, CREATED, [SetStarwebStatus(OrderState.PICKING, PICKING, False, False)]),
        (320, CREATED, [SetStarwebStatus(OrderState.PICKING, PICKING, False, False)]),
        (300, PICKING, []),
        (300, COMPLETED, []),  # picking is brought back only from open states
        (300, CANCELED, []),
        (300, AWAITING_PAYMENT, []),  # a status outside the map is the merchant's own business
        (1000, CREATED, [SetStarwebStatus(OrderState.CANCELLED, CANCELED, False, False)]),
        (1000, PICKING, [SetStarwebStatus(OrderState.CANCELLED, CANCELED, False, False)]),
        (1000, COMPLETED, []),
        (1000, CANCELED, []),
        (210, CREATED, []),
        (211, CREATED, []),
    ],
)
def test_a_status_the_tpl_moved_is_set_in_starweb(ongoing_status: int, shop_status: int, expected: list) -> None:
    actions = plan_warehouse_changes(ongoing(ongoing_status), starweb(shop_status), binding(), TABLE,
                                     picked_status=PICKED)
    assert actions == expected


def test_the_status_change_carries_the_merchants_email_and_payment_switches() -> None:
    rules = [replace(r, notify_customer=True, process_payment=True) if r.state is OrderState.CANCELLED else r
             for r in DEMO.state_rules()]
    table = StatusTable(rules, [ShopStatus(sid, code) for sid, code, *_ in DEMO_ORDER_STATUSES])
    assert plan_warehouse_changes(ongoing(1000), starweb(), binding(), table, picked_status=PICKED) == [
        SetStarwebStatus(OrderState.CANCELLED, CANCELED, notify_customer=True, process_payment=True)]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ((*AS_AGREED, line("3", "SOCK-MER-38", 1)),
         CopyLineChanges(added=[NewLine("3", "SOCK-MER-38", 1.0, "Ullstrumpa")])),
        ((line("1", "POLE-CF-120", 1), AS_AGREED[1]), CopyLineChanges(adjusted=[(1, 1.0)])),
        ((AS_AGREED[0],), CopyLineChanges(removed=[2])),
        ((line("2", "TENT-2P", 2), line("7", "SOCK-MER-38", 3)),
         CopyLineChanges(added=[NewLine("7", "SOCK-MER-38", 3.0, "Ullstrumpa")], adjusted=[(2, 2.0)], removed=[1])),
    ],
    ids=["added", "adjusted", "removed", "all-three"],
)
@pytest.mark.parametrize("open_status", [200, 210, 211])
def test_lines_the_tpl_changed_while_the_order_was_open_are_copied(open_status: int, lines: tuple,
                                                                   expected: CopyLineChanges) -> None:
    assert plan_warehouse_changes(ongoing(open_status, lines), starweb(), binding(), TABLE,
                                  picked_status=PICKED) == [expected]


def test_lines_changed_on_both_sides_are_skipped_because_starweb_wins() -> None:
    shop_edited = starweb(items=[order_item(1, quantity=5), order_item(2, sku="TENT-2P", quantity=1)])
    (action,) = plan_warehouse_changes(ongoing(210, (line("1", "POLE-CF-120", 1), AS_AGREED[1])), shop_edited,
                                       binding(), TABLE, picked_status=PICKED)
    assert isinstance(action, Skip) and "both Starweb and the warehouse" in action.reason


def test_lines_are_not_copied_while_the_order_is_being_picked() -> None:
    removed = (AS_AGREED[0],)
    assert plan_warehouse_changes(ongoing(300, removed), starweb(PICKING), binding(state="picking"), TABLE,
                                  picked_status=PICKED) == []


SHORT = (line("1", "POLE-CF-120", 2, picked=1), line("2", "TENT-2P", 1, picked=1))
SHORT_NOTE = NoteShortPick("Lagret plockade färre än beställt (POLE-CF-120: 1 av 2).",
                           payload_hash([["POLE-CF-120", 1.0, 2.0]]))


@pytest.mark.parametrize(
    ("ongoing_status", "lines", "noted", "expected"),
    [
        (400, SHORT, None, [SHORT_NOTE]),
        (450, SHORT, None, [SHORT_NOTE]),
        (400, SHORT, SHORT_NOTE.marker, []),  # noted once
        (400, (line("1", "POLE-CF-120", 2, picked=1), line("2", "TENT-2P", 1, picked=0)), SHORT_NOTE.marker,
         [NoteShortPick("Lagret plockade färre än beställt (POLE-CF-120: 1 av 2; TENT-2P: 0 av 1).",
                        payload_hash([["POLE-CF-120", 1.0, 2.0], ["TENT-2P", 0.0, 1.0]]))]),  # a new short pick
        (300, SHORT, None, []),  # still picking: not short yet
        (1000, SHORT, None, []),  # cancelled: nothing will ship
        (400, (line("1", "POLE-CF-120", 2, picked=2), line("2", "TENT-2P", 1, picked=1)), None, []),
    ],
)
def test_a_short_pick_is_noted_once_per_shortfall(ongoing_status: int, lines: tuple, noted: str | None,
                                                  expected: list) -> None:
    actions = plan_warehouse_changes(ongoing(ongoing_status, lines), starweb(PICKING),
                                     binding(state="picking", short_pick_noted=noted), TABLE, picked_status=PICKED)
    assert [action for action in actions if not isinstance(action, SetStarwebStatus)] == expected


def test_an_order_without_a_status_in_ongoing_is_skipped() -> None:
    assert plan_warehouse_changes(ongoing(None), starweb(), binding(), TABLE, picked_status=PICKED) == [
        Skip("Ongoing gave no status")]


@pytest.mark.parametrize(
    ("ongoing_status", "lines", "fields", "expected"),
    [
        (210, AS_AGREED, {}, False),
        (211, AS_AGREED, {"state": "open_backordered"}, False),
        (300, AS_AGREED, {}, True),
        (300, AS_AGREED, {"state": "picking"}, False),
        (1000, AS_AGREED, {}, True),
        (1000, AS_AGREED, {"state": "cancelled"}, False),
        (210, (line("1", "POLE-CF-120", 1), AS_AGREED[1]), {}, True),
        (210, (*AS_AGREED, line("3", "SOCK-MER-38", 1)), {}, True),
        (210, (AS_AGREED[1],), {}, True),
        (300, (AS_AGREED[1],), {"state": "picking"}, False),  # lines are not copied while picking
        (320, SHORT, {"state": "picking"}, False),
        (400, SHORT, {"state": "picking"}, True),
        (400, SHORT, {"state": "picking", "short_pick_noted": SHORT_NOTE.marker}, False),
        (None, AS_AGREED, {}, False),
    ],
)
def test_only_orders_the_warehouse_changed_need_reading_from_starweb(
    ongoing_status: int | None, lines: tuple, fields: dict[str, Any], expected: bool
) -> None:
    assert needs_attention(ongoing(ongoing_status, lines), binding(**fields), TABLE, picked_status=PICKED) is expected


# --- what only a person can sort out -----------------------------------------------------------


def ongoing_as(status: int, text: str, lines: tuple[dict[str, Any], ...] = AS_AGREED) -> OngoingOrder:
    order = ongoing(status, lines)
    assert order.order_info.order_status is not None
    return order.model_copy(update={"order_info": order.order_info.model_copy(update={
        "order_status": order.order_info.order_status.model_copy(update={"text": text})})})


@pytest.mark.parametrize("status", [150, 200, 250])
def test_a_status_below_picking_that_the_map_does_not_know_is_flagged_naming_it_and_the_map(status: int) -> None:
    actions = plan_warehouse_changes(ongoing_as(status, "Fel"), starweb(), binding(initial_status_set=True), TABLE,
                                     picked_status=PICKED, merchant_file="demo.yaml")
    assert len(actions) == 1 and isinstance(actions[0], FlagWarehouseState)
    assert actions[0].reason.startswith(f"Ongoing status {status} (Fel) is not in the status map of merchant file "
                                        f"demo.yaml (statuses: open_in_stock 210, open_backordered 211, picking 300")
    assert needs_attention(ongoing_as(status, "Fel"), binding(initial_status_set=True), TABLE, picked_status=PICKED)


@pytest.mark.parametrize("status", [200, 210, 211, 320, 500, 999])
def test_statuses_the_map_places_are_not_flagged_as_unknown(status: int) -> None:
    picked = tuple(line(row["rowNumber"], row["article"]["articleNumber"], row["orderedNumberOfItems"],
                        picked=row["orderedNumberOfItems"]) for row in AS_AGREED)
    fresh = binding(initial_status_set=False)  # before its initial status: the warehouse's own creation status
    order = ongoing_as(status, "x", picked)
    assert warehouse_flag(order, fresh if status == 200 else binding(initial_status_set=True), TABLE) is None


@pytest.mark.parametrize("status", [450, 500, 800])
def test_an_order_sent_with_nothing_picked_is_flagged_not_noted_as_a_short_pick(status: int) -> None:
    actions = plan_warehouse_changes(ongoing_as(status, "Hämtad"), starweb(), binding(initial_status_set=True), TABLE,
                                     picked_status=PICKED)
    assert len(actions) == 1 and isinstance(actions[0], FlagWarehouseState)
    assert f"status {status} (Hämtad), but no item of it was picked or packed" in actions[0].reason
    assert actions[0].comment is not None and f"status {status} (Hämtad)" in actions[0].comment


def test_an_order_sent_with_something_picked_is_only_a_short_pick() -> None:
    actions = plan_warehouse_changes(ongoing(500, SHORT), starweb(PICKING), binding(state="picking"), TABLE,
                                     picked_status=PICKED)
    assert actions == [SHORT_NOTE]


def test_nothing_picked_before_the_sent_range_is_a_short_pick_of_everything() -> None:
    actions = plan_warehouse_changes(ongoing(400), starweb(PICKING), binding(state="picking"), TABLE,
                                     picked_status=PICKED)
    assert [type(a) for a in actions] == [NoteShortPick]


# --- rows a warehouse keeps at 0 units -------------------------------------------------------------

KEPT_AT_ZERO = (line("1", "POLE-CF-120", 2), line("2", "TENT-2P", 0))
AGREED_WITH_ZERO: AgreedRows = (("1", "POLE-CF-120", 2, 1), ("2", "TENT-2P", 0, 2))


def test_a_row_kept_at_zero_units_is_no_change_made_in_the_warehouse() -> None:
    removed_in_shop = starweb(items=[order_item(1, quantity=2)])
    agreed = binding(AGREED_WITH_ZERO)
    assert not needs_attention(ongoing(210, KEPT_AT_ZERO), agreed, TABLE, picked_status=PICKED)
    assert plan_warehouse_changes(ongoing(210, KEPT_AT_ZERO), removed_in_shop, agreed, TABLE,
                                  picked_status=PICKED) == []
    # The TPL changes the live row: copied, and the zero row is neither "changed on both sides" nor added.
    tpl_changed = (line("1", "POLE-CF-120", 1), line("2", "TENT-2P", 0))
    assert plan_warehouse_changes(ongoing(210, tpl_changed), removed_in_shop, agreed, TABLE,
                                  picked_status=PICKED) == [CopyLineChanges(adjusted=[(1, 1.0)])]


def test_an_edit_the_warehouse_did_not_take_is_pushed_again_only_when_its_retry_is_due() -> None:
    not_taken = binding(refused_hash=EDITED_HASH)
    assert plan_starweb_edit(EDITED, not_taken, 210, TABLE, mapped(EDITED)) == Unchanged(
        "edit already flagged: the warehouse did not take it as sent")
    assert plan_starweb_edit(EDITED, not_taken, 210, TABLE, mapped(EDITED), retry_due=True) == PushUpdate(
        mapped(EDITED), EDITED_HASH)
