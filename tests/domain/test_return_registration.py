"""Registering a return with the merchant: the matched order (never guessed), the status by the merchant's
rules, no email unless configured, the amount to refund at the order's own prices including VAT, and the
comment Starweb shows."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from domain.config import ReturnSettings, load_merchants
from domain.return_registration import (
    Match,
    ReturnStatuses,
    WorklistState,
    comment_text,
    fully_returned,
    match_inbound,
    match_returns,
    plan_registration,
    refund_for,
)
from domain.returns import DetectedReturn, ReturnedLine, ReturnKind, ReturnSource
from domain.statuses import ShopStatus, StatusTable
from integrations.errors import MappingError
from integrations.ongoing.models import Order as OngoingOrder
from integrations.simulation.demo_data import DEMO_ORDER_STATUSES
from integrations.starweb.models import Order as StarwebOrder

DEMO = load_merchants()["demo"]
SHOP = [ShopStatus(sid, code) for sid, code, *_ in DEMO_ORDER_STATUSES]
TABLE = StatusTable(DEMO.state_rules(), SHOP)
STATUSES = ReturnStatuses.resolve(DEMO.returns, TABLE, SHOP)
RETURNED, NOT_COLLECTED, PARTLY_RETURNED = 7, 10, 11


def starweb(order_id: int = 1042, *items: dict[str, Any], shipping: float = 49) -> StarwebOrder:
    return StarwebOrder.model_validate({"orderId": order_id, "currencyCode": "SEK", "shippingCost": shipping,
                                        "shippingVatRate": 25, "items": {"data": list(items)}})


def item(item_id: int, sku: str, quantity: int, price: float, *, vat: float = 25, discount: float = 0,
         discount_type: str | None = None) -> dict[str, Any]:
    return {"itemId": item_id, "sku": sku, "quantity": quantity, "unitPrice": price, "vatRate": vat,
            "discount": discount, "discountType": discount_type}


def returned(sku: str, units: float, restocked: float | None = None, cause: str | None = "REGRET") -> ReturnedLine:
    return ReturnedLine(line_ref="1", sku=sku, cause=cause, units=units,
                        restocked=units if restocked is None else restocked)


def detected(*lines: ReturnedLine, kind: ReturnKind = ReturnKind.REGRET,
             source: ReturnSource = ReturnSource.SALES_ORDER, returned_at: datetime | None = None) -> DetectedReturn:
    return DetectedReturn(source=source, document_id=50001, reference="FJ-1042", order_number="FJ-1042",
                          goods_owner_order_id="1042", kind=kind, lines=tuple(lines), key="k", returned_at=returned_at)


def shipped(**units: float) -> OngoingOrder:
    return OngoingOrder.model_validate({
        "orderInfo": {"orderId": 50001, "orderNumber": "FJ-1042"},
        "orderLines": [{"id": 48000 + i, "rowNumber": str(i), "article": {"articleNumber": sku},
                        "pickedNumberOfItems": n, "packedNumberOfItems": n}
                       for i, (sku, n) in enumerate(units.items())]})


POLE_AND_SOCKS = starweb(1042, item(1, "POLE-CF-120", 1, 479.2), item(2, "SOCK-MER-42", 2, 119.2))


def test_the_merchants_statuses_resolve_against_the_shop_and_a_wrong_one_names_its_key() -> None:
    assert (STATUSES.full, STATUSES.partial, STATUSES.not_collected) == (RETURNED, PARTLY_RETURNED, NOT_COLLECTED)
    assert STATUSES.target(ReturnKind.REGRET, full=True) == RETURNED
    assert STATUSES.target(ReturnKind.COMPLAINT, full=False) == PARTLY_RETURNED
    assert STATUSES.target(ReturnKind.NOT_COLLECTED, full=True) == NOT_COLLECTED
    defaults = ReturnStatuses.resolve(ReturnSettings(), TABLE, SHOP)
    assert (defaults.full, defaults.partial, defaults.not_collected) == (RETURNED, None, None), \
        "full: the status map's returned; partial: leave the status alone"
    assert defaults.target(ReturnKind.NOT_COLLECTED, full=False) is None
    with pytest.raises(MappingError, match=r"returns\.partial_return_status: the shop has no order status with id 99"):
        ReturnStatuses.resolve(ReturnSettings(partial_return_status=99), TABLE, SHOP)


def test_a_return_inbound_is_matched_only_to_the_one_named_order_that_holds_the_goods() -> None:
    orders = {1042: POLE_AND_SOCKS, 1043: starweb(1043, item(1, "TENT-FJ2", 1, 3199.2))}
    pole = [returned("POLE-CF-120", 1)]
    assert match_inbound({1042}, orders, pole) == (1042, "")
    assert match_inbound({1042, 1043}, orders, pole) == (1042, ""), "only one of the named orders holds a pole"
    assert match_inbound(set(), orders, pole)[0] is None
    assert match_inbound({1043}, orders, pole) == (None, "names order 1043, but no such Starweb order holds "
                                                         "POLE-CF-120")
    assert match_inbound({1042}, orders, [returned("POLE-CF-120", 2)])[0] is None, "more than was ordered"
    twins = {1042: POLE_AND_SOCKS, 1044: starweb(1044, item(1, "POLE-CF-120", 1, 479.2))}
    assert match_inbound({1042, 1044}, twins, pole) == (None, "names several orders that hold the goods "
                                                              "(1042, 1044)")


def test_returns_from_a_sales_order_belong_to_its_own_order_when_the_shop_has_it() -> None:
    known, unknown = detected(returned("POLE-CF-120", 1)), DetectedReturn(
        source=ReturnSource.SALES_ORDER, document_id=1, reference="X-9", order_number="X-9", goods_owner_order_id=None,
        kind=ReturnKind.REGRET, lines=(returned("POLE-CF-120", 1),), key="other")
    matches = match_returns([known, unknown], {"k": {1042}, "other": set()}, {1042: POLE_AND_SOCKS})
    assert matches == {"k": Match(1042), "other": Match(None, "X-9 is not an order of this Starweb shop")}


@pytest.mark.parametrize(("shipped_units", "returned_units", "full"), [
    ({"POLE-CF-120": 1, "SOCK-MER-42": 2}, {"POLE-CF-120": 1, "SOCK-MER-42": 2}, True),
    ({"POLE-CF-120": 1, "SOCK-MER-42": 2}, {"POLE-CF-120": 1, "SOCK-MER-42": 1}, False),
    ({"POLE-CF-120": 1, "SOCK-MER-42": 0}, {"POLE-CF-120": 1}, True),  # the rest never shipped
    ({"POLE-CF-120": 0}, {}, False),
])
def test_a_return_is_full_when_everything_shipped_came_back(shipped_units: dict[str, float],
                                                            returned_units: dict[str, float], full: bool) -> None:
    assert fully_returned(shipped_units, returned_units) is full


def test_the_refund_is_the_orders_own_price_including_vat_after_its_row_discount() -> None:
    order = starweb(1042, item(1, "POLE-CF-120", 2, 479.2, discount=10), item(2, "SOCK-MER-42", 4, 100,
                                                                               discount=40, discount_type="amount"),
                    item(3, "GIFT", 1, 80, vat=6))
    refund = refund_for(order, [returned("POLE-CF-120", 1), returned("SOCK-MER-42", 1), returned("GIFT", 1)],
                        shipping=False)
    # 479.20 × 0.9 × 1.25 = 539.10;  (400 − 40) / 4 × 1.25 = 112.50;  80 × 1.06 = 84.80
    assert [line.amount for line in refund.lines] == [Decimal("539.10"), Decimal("112.50"), Decimal("84.80")]
    assert refund.amount == Decimal("736.40") and refund.shipping == 0
    with_shipping = refund_for(order, [returned("GIFT", 1)], shipping=True)
    assert (with_shipping.shipping, with_shipping.amount) == (Decimal("61.25"), Decimal("146.05"))


def test_units_of_a_sku_on_several_items_are_priced_item_by_item_and_an_unpriced_one_is_named() -> None:
    order = starweb(1042, item(1, "SOCK-MER-42", 1, 100), item(2, "SOCK-MER-42", 2, 80, vat=0))
    assert refund_for(order, [returned("SOCK-MER-42", 2)], shipping=False).amount == Decimal("205.00")
    unknown = refund_for(order, [returned("BUNDLE-PART", 1)], shipping=False)
    assert unknown.amount is None and unknown.unpriced == ["BUNDLE-PART"]
    assert refund_for(order, [returned("SOCK-MER-42", 4)], shipping=False).amount is None, "more than was bought"


def plan(d: DetectedReturn, *, order: StarwebOrder | None = POLE_AND_SOCKS, settings: ReturnSettings = DEMO.returns,
         already: dict[str, float] | None = None, shipping_refunded: bool = False) -> Any:
    return plan_registration(d, Match(1042 if order else None, "" if order else "no order number"), order,
                             shipped(**{"POLE-CF-120": 1, "SOCK-MER-42": 2}), settings=settings, statuses=STATUSES,
                             already_returned=already or {}, shipping_refunded=shipping_refunded,
                             go_live_cutoff=DEMO.go_live_cutoff)


def test_a_partial_regret_return_waits_for_a_refund_and_emails_nobody() -> None:
    decided = plan(detected(returned("POLE-CF-120", 1)))
    assert (decided.fully_returned, decided.target_status_id, decided.send_email, decided.worklist_state) == (
        False, PARTLY_RETURNED, False, WorklistState.AWAITING_REFUND)
    assert decided.refund.amount == Decimal("599.00")


def test_the_return_that_brings_the_last_units_back_sets_returned_and_refunds_shipping_once_if_configured() -> None:
    settings = ReturnSettings(**{**DEMO.returns.model_dump(), "refund_shipping": True, "notify_customer": True})
    last = plan(detected(returned("SOCK-MER-42", 2)), settings=settings, already={"POLE-CF-120": 1})
    assert (last.fully_returned, last.target_status_id, last.send_email) == (True, RETURNED, True)
    assert last.refund.shipping == Decimal("61.25") and last.refund.amount == Decimal("359.25")
    assert plan(detected(returned("SOCK-MER-42", 2)), settings=settings, already={"POLE-CF-120": 1},
                shipping_refunded=True).refund.shipping == 0


def test_complaints_and_parcels_back_to_sender_are_for_contacting_the_customer() -> None:
    back = plan(detected(returned("POLE-CF-120", 1), returned("SOCK-MER-42", 2), kind=ReturnKind.NOT_COLLECTED))
    assert (back.target_status_id, back.worklist_state) == (NOT_COLLECTED, WorklistState.CONTACT_CUSTOMER)
    complaint = plan(detected(returned("POLE-CF-120", 1, restocked=0, cause="COMPLAINT"), kind=ReturnKind.COMPLAINT))
    assert (complaint.target_status_id, complaint.worklist_state) == (PARTLY_RETURNED, WorklistState.CONTACT_CUSTOMER)


def test_an_unmatched_return_is_held_for_the_worklist_and_a_pre_go_live_one_is_only_acknowledged() -> None:
    unmatched = plan(detected(returned("POLE-CF-120", 1), source=ReturnSource.PURCHASE_ORDER), order=None)
    assert unmatched.held and unmatched.worklist_state is WorklistState.UNMATCHED
    assert (unmatched.target_status_id, unmatched.refund, unmatched.note) == (None, None, "no order number")
    old = plan(detected(returned("POLE-CF-120", 1), returned_at=datetime(2026, 10, 1, tzinfo=UTC)))
    assert (old.held, old.target_status_id, old.worklist_state) == (False, None, WorklistState.HISTORIC)


def test_the_comment_lists_lines_quantities_causes_and_the_amount() -> None:
    text = comment_text(12, ReturnKind.COMPLAINT, ReturnSource.RETURN_ORDER, "FJ-1042-R1",
                        [returned("HEADLAMP-400", 2, restocked=1, cause="COMPLAINT")], Decimal("998.00"), "SEK")
    assert text == ("Retur #12: reklamation (returorder FJ-1042-R1). HEADLAMP-400 × 2 (COMPLAINT), 1 kasserad. "
                    "Värde: 998,00 SEK inkl. moms.")
    regret = comment_text(13, ReturnKind.REGRET, ReturnSource.SALES_ORDER, "FJ-1042",
                          [returned("POLE-CF-120", 1), returned("SOCK-MER-42", 2, cause=None)], Decimal("837.00"),
                          "SEK", shipping=True)
    assert regret == ("Retur #13: retur (registrerad på ordern). POLE-CF-120 × 1 (REGRET); SOCK-MER-42 × 2. "
                      "Att återbetala: 837,00 SEK inkl. moms och frakt.")
