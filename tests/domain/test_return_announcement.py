"""Announcing a return: SKUs become the order's internal line ids, no more can be announced than shipped
and not yet back or announced, and an identical announcement still waiting is reused, not sent twice."""

from __future__ import annotations

from typing import Any

import pytest

from domain.return_announcement import plan_announcement
from integrations.errors import MappingError
from integrations.ongoing.models import Order as OngoingOrder
from integrations.ongoing.models import ReturnOrder

CAUSES = ["REGRET", "COMPLAINT"]


def order(**shipped: float) -> OngoingOrder:
    return OngoingOrder.model_validate({
        "orderInfo": {"orderId": 50001, "orderNumber": "FJ-1042"},
        "orderLines": [{"id": 48001 + i, "rowNumber": str(i + 1), "article": {"articleNumber": sku},
                        "orderedNumberOfItems": 3, "pickedNumberOfItems": n, "packedNumberOfItems": n,
                        "returnedNumberOfItems": 1 if sku == "THERMOS-1L" else 0}
                       for i, (sku, n) in enumerate(shipped.items())]})


def waiting(number: str, line_id: int, units: float, cause: str | None = "REGRET",
            returned: float = 0) -> ReturnOrder:
    line: dict[str, Any] = {"returnOrderLineId": 901, "customerOrderLine": {"orderLineId": line_id},
                            "toBeReturnedNumberOfItems": units, "returnedNumberOfItems": returned,
                            "returnCause": {"code": cause} if cause else None}
    return ReturnOrder.model_validate({"returnOrderInfo": {"returnOrderId": 301, "returnOrderNumber": number},
                                       "returnOrderLines": [line]})


SHIPPED = order(**{"SOCK-MER-42": 3, "THERMOS-1L": 2})


def test_skus_become_the_orders_line_ids_and_the_number_follows_the_order_number() -> None:
    plan = plan_announcement(SHIPPED, {"THERMOS-1L": 1, "SOCK-MER-42": 2}, cause="REGRET", known_causes=CAUSES,
                             comment="Kunden skickar i dag", existing=[])
    assert plan.write is not None and plan.number == "FJ-1042-R1"
    assert plan.write.to_wire() == {
        "returnOrderNumber": "FJ-1042-R1", "customerOrder": {"orderId": 50001}, "comment": "Kunden skickar i dag",
        "returnOrderLines": [
            {"returnOrderRowNumber": "1", "customerOrderLine": {"orderLineId": 48001},
             "toBeReturnedNumberOfItems": 2.0, "returnCause": {"code": "REGRET"}},
            {"returnOrderRowNumber": "2", "customerOrderLine": {"orderLineId": 48002},
             "toBeReturnedNumberOfItems": 1.0, "returnCause": {"code": "REGRET"}}]}


def test_the_same_announcement_again_reuses_the_waiting_one_and_a_new_one_gets_the_next_number() -> None:
    first = waiting("FJ-1042-R1", 48001, 2)
    again = plan_announcement(SHIPPED, {"SOCK-MER-42": 2}, cause="REGRET", known_causes=CAUSES, comment=None,
                              existing=[first])
    assert (again.write, again.number) == (None, "FJ-1042-R1")
    more = plan_announcement(SHIPPED, {"SOCK-MER-42": 1}, cause="REGRET", known_causes=CAUSES, comment=None,
                             existing=[first])
    assert more.number == "FJ-1042-R2"
    arrived = waiting("FJ-1042-R1", 48001, 2, returned=2)
    assert plan_announcement(order(**{"SOCK-MER-42": 3}), {"SOCK-MER-42": 1}, cause="REGRET", known_causes=CAUSES,
                             comment=None, existing=[arrived]).number == "FJ-1042-R2"


@pytest.mark.parametrize(("wanted", "cause", "existing", "message"), [
    ({}, None, [], "give at least one line"),
    ({"TENT-FJ2": 1}, None, [], "order FJ-1042 has no line with SKU TENT-FJ2"),
    ({"SOCK-MER-42": 0}, None, [], "at least 1"),
    ({"SOCK-MER-42": 1}, "BROKEN", [], "return cause 'BROKEN' is not one of the goods owner's: REGRET, COMPLAINT"),
    ({"THERMOS-1L": 2}, None, [], "THERMOS-1L: 2 cannot come back on order FJ-1042; 1 shipped unit"),
    ({"SOCK-MER-42": 2}, None, [waiting("FJ-1042-R1", 48001, 2)], "SOCK-MER-42: 2 cannot come back .* 1 shipped"),
])
def test_an_announcement_that_cannot_be_right_is_refused_with_the_reason(
        wanted: dict[str, int], cause: str | None, existing: list[ReturnOrder], message: str) -> None:
    with pytest.raises(MappingError, match=message):
        plan_announcement(SHIPPED, wanted, cause=cause, known_causes=CAUSES, comment=None, existing=existing)
