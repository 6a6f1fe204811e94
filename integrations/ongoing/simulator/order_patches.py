"""Changes to one existing order: status, reported quantities, transporter, remark, dates, tracking.

The status PATCH refuses numbers the warehouse's table does not know and refuses to reopen an order that
has been sent, collected, returned or cancelled. Reporting is how an integration acknowledges picked
and returned quantities, which empties ``onlyOrdersWithOrderLinesToReport…`` for that order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query

from integrations.ongoing.simulator.bodies import (
    DeliveryDatePatch,
    OrderStatusPatch,
    RemarkPatch,
    ReportedPatch,
    ReportedReturnedPatch,
    TrackingBody,
    TransporterBody,
    WaybillPatch,
)
from integrations.ongoing.simulator.errors import bad_request
from integrations.ongoing.simulator.order_docs import find_line, load_order, set_status, status_label, touch
from integrations.ongoing.simulator.order_docs import transporter_ref as checked_transporter
from integrations.ongoing.simulator.state import Doc, SimState
from integrations.ongoing.simulator.stock import books_stock
from integrations.ongoing.simulator.timefmt import now_text


def _answer(order: Doc, what: str) -> dict[str, Any]:
    return {"orderId": order["orderId"], "message": f"Order {order['orderNumber']}: {what} updated."}


def change_status(state: SimState, order: Doc, number: int) -> None:
    if number not in state.order_statuses():
        raise bad_request(f"The order status {number} does not exist.")
    if not books_stock(order["status"]) and books_stock(number):
        raise bad_request(f"Order {order['orderNumber']} has status {status_label(state, order['status'])} "
                          f"and cannot be moved back to the open status {status_label(state, number)}.")
    set_status(order, number)


def build_router(state: SimState) -> APIRouter:
    router = APIRouter()

    def _patch(order_id: int, what: str, change: Callable[[Doc], object]) -> dict[str, Any]:
        with state.write():
            order = load_order(state, order_id)
            change(order)
            touch(order)
            state.save_order(order)
        return _answer(order, what)

    @router.patch("/orders/{order_id}/orderStatus")
    def patch_order_status(order_id: int, body: OrderStatusPatch) -> dict[str, Any]:
        return _patch(order_id, "order status", lambda o: change_status(state, o, body.order_status_number))

    @router.patch("/orders/{order_id}/lines/{order_line_id}/reportedNumberOfItems")
    def patch_reported(order_id: int, order_line_id: int, body: ReportedPatch) -> dict[str, Any]:
        def change(order: Doc) -> None:
            find_line(order, order_line_id)["reported"] = body.reported_number_of_items
        return _patch(order_id, "reported number of items", change)

    @router.patch("/orders/{order_id}/lines/{order_line_id}/reportedReturnedNumberOfItems")
    def patch_reported_returned(order_id: int, order_line_id: int, body: ReportedReturnedPatch) -> dict[str, Any]:
        def change(order: Doc) -> None:
            find_line(order, order_line_id)["reportedReturned"] = body.reported_returned_number_of_items
        return _patch(order_id, "reported returned number of items", change)

    @router.patch("/orders/{order_id}/setReportedNumberOfItemsToPickedNumberOfItems")
    def set_reported_to_picked(order_id: int) -> dict[str, Any]:
        def change(order: Doc) -> None:
            for line in order["lines"]:
                line["reported"] = line["picked"]
        return _patch(order_id, "reported number of items", change)

    @router.patch("/orders/{order_id}/setReportedReturnedNumberOfItemsToReturnedNumberOfItems")
    def set_reported_returned_to_returned(
        order_id: int,
        only_with_returns: Annotated[bool, Query(alias="onlyUpdateOrderLinesWhichHaveReturnedItems")] = False,
    ) -> dict[str, Any]:
        def change(order: Doc) -> None:
            for line in order["lines"]:
                if line["returned"] > 0 or not only_with_returns:
                    line["reportedReturned"] = line["returned"]
        return _patch(order_id, "reported returned number of items", change)

    @router.patch("/orders/{order_id}/transporter")
    def patch_transporter(order_id: int, body: TransporterBody) -> dict[str, Any]:
        return _patch(order_id, "transporter", lambda o: o.update(transporter=checked_transporter(state, body)))

    @router.patch("/orders/{order_id}/orderRemark")
    def patch_order_remark(order_id: int, body: RemarkPatch) -> dict[str, Any]:
        return _patch(order_id, "order remark", lambda o: o["header"].update(orderRemark=body.order_remark))

    @router.patch("/orders/{order_id}/deliveryDate")
    def patch_delivery_date(order_id: int, body: DeliveryDatePatch) -> dict[str, Any]:
        return _patch(order_id, "delivery date", lambda o: o["header"].update(deliveryDate=body.delivery_date))

    @router.patch("/orders/{order_id}/waybill")
    def patch_waybill(order_id: int, body: WaybillPatch) -> dict[str, Any]:
        return _patch(order_id, "waybill", lambda o: o.update(wayBill=body.waybill))

    @router.put("/orders/{order_id}/orderTracking")
    def put_order_tracking(order_id: int, body: TrackingBody) -> dict[str, Any]:
        """Create or update (by waybill) a tracking entry, outbound or return."""
        with state.write():
            order = load_order(state, order_id)
            entries = order["returnTracking" if body.is_return_tracking else "tracking"]
            entry = next((t for t in entries if t["waybill"] == body.waybill), None)
            if entry is None:
                entries.append({"waybill": body.waybill, "trackingUrl": body.tracking_url, "created": now_text()})
            else:
                entry["trackingUrl"] = body.tracking_url
            touch(order)
            state.save_order(order)
        return {"success": True, "message": f"Tracking {body.waybill} saved on order {order['orderNumber']}."}

    return router
