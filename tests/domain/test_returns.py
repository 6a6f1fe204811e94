"""Returns found in Ongoing's cumulative figures: what is new beyond the ledger, of which kind, restocked
or discarded, from the sales order, its return orders or a return inbound — and the same state read twice
gives the same key."""

from __future__ import annotations

import re
from typing import Any

import pytest

from domain.config import ReturnSettings
from domain.returns import (
    Acknowledgement,
    Registered,
    RegisteredLine,
    ReturnKind,
    ReturnSource,
    allocate,
    classify,
    order_ids_named,
    pool_of,
    returned_to_sender,
    returns_of_inbound,
    returns_of_order,
    subtract,
)
from integrations.ongoing.models import Order as OngoingOrder
from integrations.ongoing.models import PurchaseOrder, ReturnOrder

SETTINGS = ReturnSettings(regret_causes=["REGRET", "WRONGSIZE"], not_collected_causes=["NOTCOLLECTED"],
                          complaint_causes=["COMPLAINT"])
DISCARDING = {"REGRET": False, "WRONGSIZE": False, "NOTCOLLECTED": False, "COMPLAINT": True}
NOTHING = Registered()


def item(units: float, cause: str | None, *, returned: bool = True, at: str = "2026-12-02T10:00:00Z") -> dict[str, Any]:
    return {"articleItemId": 1, "numberOfItems": units, "isPicked": True, "isReturned": returned,
            "returnDate": at if returned else None, "returnCause": {"code": cause, "name": cause} if cause else None}


def line(line_id: int, sku: str, shipped: float, returned: float = 0, reported: float | None = None,
         items: list[dict[str, Any]] | None = None, shipment_reported: bool = True) -> dict[str, Any]:
    return {"id": line_id, "rowNumber": str(line_id % 100), "article": {"articleNumber": sku},
            "orderedNumberOfItems": shipped, "pickedNumberOfItems": shipped, "packedNumberOfItems": shipped,
            "reportedNumberOfItems": shipped if shipment_reported else None,
            "returnedNumberOfItems": returned, "reportedReturnedNumberOfItems": reported,
            "pickedArticleItems": items or []}


def order(*lines: dict[str, Any], waybill: str = "UA1", return_waybill: str | None = None) -> OngoingOrder:
    return OngoingOrder.model_validate({
        "orderInfo": {"orderId": 50001, "orderNumber": "FJ-1042", "goodsOwnerOrderId": "1042", "wayBill": waybill,
                      "returnWayBill": return_waybill, "orderStatus": {"number": 450}},
        "orderLines": list(lines), "tracking": [{"waybill": waybill}]})


def return_order(number: str, *lines: dict[str, Any], return_order_id: int = 301) -> ReturnOrder:
    return ReturnOrder.model_validate({
        "returnOrderInfo": {"returnOrderId": return_order_id, "returnOrderNumber": number, "comment": "Oanvända"},
        "customerOrderInfo": {"orderId": 50001, "orderNumber": "FJ-1042"}, "returnOrderLines": list(lines)})


def return_line(line_id: int, order_line_id: int, expected: float, returned: float, cause: str | None = "REGRET",
                removed: bool = False) -> dict[str, Any]:
    items = [{"numberOfItems": returned, "returnTime": "2026-12-02T11:00:00Z", "isReturnRemovedByInventory": removed,
              "returnCause": {"code": cause} if cause else None, "returnComment": "Kartongen trasig"}] \
        if returned else []
    return {"returnOrderLineId": line_id, "returnOrderRowNumber": "1",
            "customerOrderLine": {"orderLineId": order_line_id}, "article": {"articleNumber": "SOCK-MER-42"},
            "returnCause": {"code": cause} if cause else None,
            "toBeReturnedNumberOfItems": expected, "returnedNumberOfItems": returned,
            "returnedArticleItems": items}


def summary(found: list[Any]) -> list[tuple[str, str, list[tuple[str, str | None, float, float]]]]:
    return [(r.source.value, r.kind.value, [(li.sku, li.cause, li.units, li.restocked) for li in r.lines])
            for r in found]


@pytest.mark.parametrize(("cause", "kind"), [
    ("REGRET", ReturnKind.REGRET), ("WRONGSIZE", ReturnKind.REGRET), ("NOTCOLLECTED", ReturnKind.NOT_COLLECTED),
    ("COMPLAINT", ReturnKind.COMPLAINT), ("SOMETHING-ELSE", ReturnKind.REGRET), (None, ReturnKind.REGRET)])
def test_causes_map_to_the_merchants_kinds_and_unlisted_ones_are_regret_returns(cause: str | None,
                                                                                kind: ReturnKind) -> None:
    assert classify(cause, SETTINGS) is kind


def test_units_are_pooled_per_cause_and_what_the_items_do_not_cover_has_no_cause() -> None:
    pool = pool_of([("REGRET", 1, False), ("COMPLAINT", 2, True)], line_total=4)
    assert pool == {"REGRET": (1, 1), "COMPLAINT": (2, 0), None: (1, 1)}
    assert subtract(pool, {"REGRET": (1, 1), "COMPLAINT": (1, 0)}) == {"COMPLAINT": (1, 0), None: (1, 1)}
    assert allocate({"WRONGSIZE": (1, 1), "COMPLAINT": (2, 0)}, 2) == {"COMPLAINT": (2, 0)}
    assert allocate({"REGRET": (1, 1)}, 3) == {"REGRET": (1, 1), None: (2, 2)}


def test_a_return_on_the_sales_order_is_split_by_kind_with_discarded_units_not_restocked() -> None:
    found = returns_of_order(order(
        line(48001, "POLE-CF-120", 2, returned=1, items=[item(1, "WRONGSIZE"), item(1, None, returned=False)]),
        line(48002, "HEADLAMP-400", 2, returned=2, items=[item(1, "COMPLAINT"), item(1, "REGRET")])),
        [], NOTHING, DISCARDING, SETTINGS)
    assert found.problem is None
    assert summary(found.returns) == [
        ("sales-order", "complaint", [("HEADLAMP-400", "COMPLAINT", 1, 0)]),
        ("sales-order", "regret", [("POLE-CF-120", "WRONGSIZE", 1, 1), ("HEADLAMP-400", "REGRET", 1, 1)])]
    assert found.returns[-1].acknowledgements == (
        Acknowledgement("order-line", 50001, 48001, 1), Acknowledgement("order-line", 50001, 48002, 2))
    assert found.returns[0].acknowledgements == (), "written once, with the order's last return"


def test_only_units_beyond_the_ledger_are_new_and_the_same_state_gives_the_same_key() -> None:
    before = order(line(48001, "SOCK-MER-38", 3, returned=1, reported=None, items=[item(1, "REGRET")]))
    first = returns_of_order(before, [], NOTHING, DISCARDING, SETTINGS).returns
    assert first[0].key == returns_of_order(before, [], NOTHING, DISCARDING, SETTINGS).returns[0].key
    registered = Registered.of([RegisteredLine(ReturnSource.SALES_ORDER, 50001, "48001", "REGRET", 1, 1)])
    assert returns_of_order(before, [], registered, DISCARDING, SETTINGS).returns == []

    later = order(line(48001, "SOCK-MER-38", 3, returned=3, reported=1,
                       items=[item(1, "REGRET"), item(2, "WRONGSIZE")]))
    second = returns_of_order(later, [], registered, DISCARDING, SETTINGS).returns
    assert summary(second) == [("sales-order", "regret", [("SOCK-MER-38", "WRONGSIZE", 2, 2)])]
    assert second[0].key != first[0].key
    assert second[0].acknowledgements == (Acknowledgement("order-line", 50001, 48001, 3),)


def test_a_return_waits_until_its_orders_shipment_has_reached_starweb() -> None:
    early = order(line(48001, "SOCK-MER-38", 1, returned=1, items=[item(1, "REGRET")], shipment_reported=False))
    found = returns_of_order(early, [], NOTHING, DISCARDING, SETTINGS)
    assert found.returns == [] and found.problem is None
    assert found.waiting is not None and "shipment has not been reported" in found.waiting


def test_a_parcel_back_on_its_own_waybill_is_not_collected_unless_the_tpl_gave_another_cause() -> None:
    back = order(line(48001, "THERMOS-1L", 1, returned=1, items=[item(1, None)]), waybill="UA1", return_waybill="UA1")
    assert returned_to_sender(back)
    assert summary(returns_of_order(back, [], NOTHING, DISCARDING, SETTINGS).returns) == [
        ("sales-order", "not_collected", [("THERMOS-1L", None, 1, 1)])]
    complaint = order(line(48001, "THERMOS-1L", 1, returned=1, items=[item(1, "COMPLAINT")]), return_waybill="UA1")
    assert [r.kind for r in returns_of_order(complaint, [], NOTHING, DISCARDING, SETTINGS).returns] == [
        ReturnKind.COMPLAINT]
    label = order(line(48001, "THERMOS-1L", 1, returned=1, items=[item(1, None)]), return_waybill="RET-LABEL-9")
    assert not returned_to_sender(label)
    assert [r.kind for r in returns_of_order(label, [], NOTHING, DISCARDING, SETTINGS).returns] == [ReturnKind.REGRET]


def test_goods_received_against_a_return_order_are_its_return_not_a_second_one_on_the_order() -> None:
    # The warehouse counts the arrival on the order's line too (2 of the 3 returned units).
    on_order = order(line(48001, "SOCK-MER-42", 3, returned=3, items=[item(2, "REGRET"), item(1, "WRONGSIZE")]))
    announced = return_order("FJ-1042-R1", return_line(901, 48001, expected=2, returned=2))
    found = returns_of_order(on_order, [announced], NOTHING, DISCARDING, SETTINGS)
    assert summary(found.returns) == [("return-order", "regret", [("SOCK-MER-42", "REGRET", 2, 2)]),
                                      ("sales-order", "regret", [("SOCK-MER-42", "WRONGSIZE", 1, 1)])]
    assert found.returns[0].reference == "FJ-1042-R1" and "Kartongen trasig" in found.returns[0].comments
    assert found.returns[-1].acknowledgements == (Acknowledgement("order-line", 50001, 48001, 3),)

    # Where the warehouse keeps return-order arrivals off the order, the order shows only its own return.
    apart = ReturnSettings(**{**SETTINGS.model_dump(), "return_orders_on_sales_order": False})
    off_order = order(line(48001, "SOCK-MER-42", 3, returned=1, items=[item(1, "WRONGSIZE")]))
    found = returns_of_order(off_order, [announced], NOTHING, DISCARDING, apart)
    assert summary(found.returns) == summary(returns_of_order(on_order, [announced], NOTHING, DISCARDING,
                                                              SETTINGS).returns)
    assert found.returns[-1].acknowledgements == (Acknowledgement("order-line", 50001, 48001, 1),)


def test_return_order_figures_the_order_cannot_explain_hold_the_order_instead_of_guessing() -> None:
    off_order = order(line(48001, "SOCK-MER-42", 3, returned=0))
    announced = return_order("FJ-1042-R1", return_line(901, 48001, expected=2, returned=2))
    found = returns_of_order(off_order, [announced], NOTHING, DISCARDING, SETTINGS)
    assert found.returns == []
    assert found.problem is not None and "return_orders_on_sales_order: false" in found.problem


def test_discarded_units_on_a_return_order_are_not_restocked() -> None:
    announced = return_order("FJ-1042-R1", return_line(901, 48001, expected=1, returned=1, cause="COMPLAINT",
                                                       removed=True))
    found = returns_of_order(order(line(48001, "SOCK-MER-42", 1, returned=1, items=[item(1, "COMPLAINT")])),
                             [announced], NOTHING, DISCARDING, SETTINGS)
    assert summary(found.returns) == [("return-order", "complaint", [("SOCK-MER-42", "COMPLAINT", 1, 0)])]


def inbound(received: float, *, is_return: bool = True, reported: float | None = None, **info: Any) -> PurchaseOrder:
    return PurchaseOrder.model_validate({
        "purchaseOrderInfo": {"purchaseOrderId": 241, "purchaseOrderNumber": "RET-1",
                              "advanced": {"purchaseOrderIsReturnType": is_return}, **info},
        "purchaseOrderLines": [{"id": 1201, "rowNumber": "1", "article": {"articleNumber": "POLE-CF-120"},
                                "advisedNumberOfItems": received, "receivedNumberOfItems": received,
                                "reportedNumberOfItems": reported, "comment": "kund 1042"}]})


def test_a_return_inbound_is_a_restocked_regret_return_naming_its_order_in_free_text() -> None:
    found = returns_of_inbound(inbound(2, referenceNumber="FJ-1042", purchaseOrderRemark="Ångerköp"), NOTHING,
                               SETTINGS)
    assert summary(found) == [("purchase-order", "regret", [("POLE-CF-120", None, 2, 2)])]
    assert found[0].order_number is None and found[0].search_texts == ("RET-1", "FJ-1042", "Ångerköp", "kund 1042")
    assert found[0].acknowledgements == (Acknowledgement("purchase-order-line", 241, 1201, 2),)
    assert returns_of_inbound(inbound(2, is_return=False), NOTHING, SETTINGS) == [], "an ordinary delivery"
    registered = Registered.of([RegisteredLine(ReturnSource.PURCHASE_ORDER, 241, "1201", None, 2, 2)])
    assert returns_of_inbound(inbound(2, reported=2), registered, SETTINGS) == []


def test_order_ids_are_read_from_the_texts_by_the_merchants_pattern() -> None:
    pattern = SETTINGS.reference_pattern("FJ-")
    assert order_ids_named(["RET-1", "Retur av FJ-1042", "FJ-1043 och FJ-1042"], pattern) == {1042, 1043}
    assert order_ids_named(["order 1042"], pattern) == set()
    assert order_ids_named(["order 1042", "#77"], re.compile(r"(?:order |#)([0-9]+)")) == {1042, 77}
