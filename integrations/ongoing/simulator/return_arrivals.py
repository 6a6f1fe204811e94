"""Returns arriving at the warehouse in the ways the TPL registers them, as ``/_sim`` actions: a regret
return booked as a return-type inbound delivery, a parcel the carrier brought back to the sender, and goods
received against a return order the goods owner announced.

Whether goods received against a return order also count on the sales order's lines is not documented
by Ongoing; the setting ``return_order_arrivals_on_sales_order`` plays either way. Stock goes up for what
comes back unless the cause is a remove cause, exactly as for returns registered on the order.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from integrations.ongoing.simulator import warehouse
from integrations.ongoing.simulator.bodies import PurchaseOrderBody
from integrations.ongoing.simulator.errors import bad_request, not_found
from integrations.ongoing.simulator.order_docs import set_status, touch
from integrations.ongoing.simulator.order_render import render_order
from integrations.ongoing.simulator.purchase_order_docs import (
    apply_purchase_order,
    new_purchase_order,
    render_purchase_order,
)
from integrations.ongoing.simulator.returns import cause_json, render_return_order
from integrations.ongoing.simulator.state import Doc, SimState
from integrations.ongoing.simulator.statuses import RETURN_PARTLY_RECEIVED, RETURN_RECEIVED, RETURNED
from integrations.ongoing.simulator.timefmt import now_text


class _Body(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid",
                              coerce_numbers_to_str=True)


class InboundLineBody(_Body):
    article_number: str
    number_of_items: float = Field(gt=0)
    comment: str | None = None


class ReturnInboundBody(_Body):
    """What the TPL types when booking a return as an inbound delivery with "return" ticked."""

    purchase_order_number: str | None = None
    reference_number: str | None = None
    goods_owner_reference: str | None = None
    purchase_order_remark: str | None = None
    lines: list[InboundLineBody] = Field(min_length=1)


class ReturnToSenderBody(_Body):
    cause: str | None = None
    waybill: str | None = None  # the carrier's return waybill; by default the parcel's own waybill


class ReturnOrderLineArrival(_Body):
    return_order_row_number: str
    number_of_items: float = Field(gt=0)


class ReturnOrderArrivalBody(_Body):
    lines: list[ReturnOrderLineArrival] | None = None  # none: everything still expected
    cause: str | None = None  # the cause the TPL registers; by default each line's announced cause
    comment: str | None = None


def receive_return_inbound(state: SimState, body: ReturnInboundBody) -> Doc:
    """Book the goods as a new inbound delivery marked as a return, and receive it at once."""
    number = body.purchase_order_number or f"RET-{state.store.count('purchase_order') + 1}"
    if state.purchase_order_by_number(number) is not None:
        raise bad_request(f"Another purchase order already has the number '{number}'.")
    po_body = PurchaseOrderBody.model_validate({
        "goodsOwnerId": state.settings.goods_owner_id, "purchaseOrderNumber": number,
        "referenceNumber": body.reference_number, "goodsOwnerReference": body.goods_owner_reference,
        "purchaseOrderRemark": body.purchase_order_remark, "advanced": {"purchaseOrderIsReturnType": True},
        "purchaseOrderLines": [{"rowNumber": str(i), "articleNumber": line.article_number,
                                "numberOfItems": line.number_of_items, "comment": line.comment}
                               for i, line in enumerate(body.lines, start=1)]})
    po = new_purchase_order(state, po_body)
    apply_purchase_order(state, po_body, po)
    warehouse.receive(state, po, None)
    return po


def return_to_sender(state: SimState, order: Doc, body: ReturnToSenderBody) -> None:
    """The carrier brought the parcel back: everything shipped and not yet returned comes back, and the
    order gets the return waybill (the parcel's own, as carriers send an uncollected parcel back on it)."""
    if not order["tracking"]:
        raise bad_request(f"Order {order['orderNumber']} has not been shipped.")
    warehouse.register_return(state, order, lines=None, cause=body.cause)
    waybill = body.waybill or order["tracking"][-1]["waybill"]
    order["returnWayBill"] = waybill
    if not any(t["waybill"] == waybill for t in order["returnTracking"]):
        order["returnTracking"].append({"waybill": waybill, "trackingUrl": None, "created": now_text()})
    touch(order)


def receive_against_return_order(state: SimState, return_order: Doc, body: ReturnOrderArrivalBody) -> None:
    """Goods arrive against an announced return order."""
    order = state.order(return_order["orderId"])
    if order is None:
        raise not_found(f"The customer order of return order {return_order['returnOrderNumber']} is gone.")
    by_row = {line["returnOrderRowNumber"]: line for line in return_order["lines"]}
    if body.lines is None:
        plan = [(line, line["toBeReturned"] - line["returned"]) for line in return_order["lines"]]
    else:
        unknown = next((a.return_order_row_number for a in body.lines if a.return_order_row_number not in by_row), None)
        if unknown is not None:
            raise bad_request(f"Return order {return_order['returnOrderNumber']} has no row '{unknown}'.")
        plan = [(by_row[a.return_order_row_number], a.number_of_items) for a in body.lines]
    now = now_text()
    arrived = False
    for return_line, quantity in plan:
        if quantity <= 0:
            continue
        cause = body.cause or return_line["returnCause"]
        cause_doc = state.return_cause(cause) if cause else None
        if cause and cause_doc is None and state.return_causes():
            raise bad_request(f"The return cause '{cause}' does not exist.")
        discards = bool(cause_doc and cause_doc["isRemoveCause"])
        order_line = next(line for line in order["lines"] if line["id"] == return_line["orderLineId"])
        if order_line["returned"] + quantity > order_line["shipped"]:
            raise bad_request(f"Row {order_line['rowNumber']}: cannot return {quantity:g}; shipped "
                              f"{order_line['shipped']:g}, already returned {order_line['returned']:g}.")
        return_line["returned"] += quantity
        return_line["removed"] += quantity if discards else 0.0
        return_line["returnedItems"].append({
            "numberOfItems": quantity, "batch": None, "serial": None, "expiryDate": None, "container": None,
            "weight": None, "volume": None, "comment": None, "returnTime": now, "returnComment": body.comment,
            "isReturnRemovedByInventory": discards, "returnCause": cause_json(state, cause),
            "articleItemStatus": None, "articleItemCategory": None})
        if state.settings.return_order_arrivals_on_sales_order:
            _count_on_sales_order(state, order, order_line, quantity, now, cause)
        if not discards:
            article = state.article(order_line["articleSystemId"])
            if article is not None:
                article["physical"] += quantity
                state.save_article(article)
        arrived = True
    if not arrived:
        raise bad_request(f"Nothing is expected on return order {return_order['returnOrderNumber']}.")
    complete = all(line["returned"] >= line["toBeReturned"] for line in return_order["lines"])
    return_order["status"] = RETURN_RECEIVED if complete else RETURN_PARTLY_RECEIVED
    return_order["arrivalTime"] = now
    state.save_return_order(return_order)
    state.save_order(order)


def _count_on_sales_order(state: SimState, order: Doc, line: Doc, quantity: float, now: str, cause: str | None) -> None:
    remaining = quantity
    for item in list(line["pickedItems"]):
        if remaining <= 0 or item["isReturned"] or item["packedTime"] is None:
            continue
        if item["numberOfItems"] > remaining:  # part of the unit row came back
            item["numberOfItems"] -= remaining
            item = {**item, "articleItemId": state.new_id("article_item"), "numberOfItems": remaining}
            line["pickedItems"].append(item)
        item.update(isReturned=True, returnDate=now, returnCause=cause_json(state, cause))
        remaining -= item["numberOfItems"]
    line["returned"] += quantity
    order["lastReturnedTime"] = now
    if all(row["returned"] >= row["shipped"] for row in order["lines"]):
        set_status(order, RETURNED)
    touch(order)


def build_router(state: SimState) -> APIRouter:
    router = APIRouter(prefix="/_sim", tags=["simulator admin"])

    @router.post("/purchaseOrders/returns")
    def book_return_inbound(body: ReturnInboundBody) -> dict[str, Any]:
        with state.write(from_api=False):
            po = receive_return_inbound(state, body)
        return render_purchase_order(state, po)

    @router.post("/orders/{order_number}/returnToSender")
    def parcel_back(order_number: str,
                    body: Annotated[ReturnToSenderBody | None, Body()] = None) -> dict[str, Any]:
        with state.write(from_api=False):
            order = state.order_by_number(order_number)
            if order is None:
                raise not_found(f"No order with order number '{order_number}' was found.")
            return_to_sender(state, order, body or ReturnToSenderBody())
            state.save_order(order)
        return render_order(state, order)

    @router.post("/returnOrders/{return_order_number}/receive")
    def receive_return_order(return_order_number: str,
                             body: Annotated[ReturnOrderArrivalBody | None, Body()] = None) -> dict[str, Any]:
        with state.write(from_api=False):
            return_order = state.return_order_by_number(return_order_number)
            if return_order is None:
                raise not_found(f"No return order with number '{return_order_number}' was found.")
            receive_against_return_order(state, return_order, body or ReturnOrderArrivalBody())
        return render_return_order(state, return_order)

    return router

