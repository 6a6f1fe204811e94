"""How the simulator keeps an outbound order, and the small changes every order route shares.

A stored order holds the client's header members as sent, its lines with the warehouse's own counters
(ordered, picked, shipped, returned, reported …) and the picked article items, plus the times the GET
filters need (status changed, updated, shipped, last returned, last picked).
"""

from __future__ import annotations

from typing import Any

from integrations.ongoing.simulator.bodies import OrderBody, OrderLineBody, TransporterBody
from integrations.ongoing.simulator.errors import bad_request, not_found
from integrations.ongoing.simulator.state import Doc, SimState
from integrations.ongoing.simulator.timefmt import now_text

# Members of the PUT body that are kept elsewhere in the stored order than in its header.
_NOT_HEADER = ("goodsOwnerId", "orderNumber", "consignee", "orderLines", "transporter", "returnTransporter")
_LINE_COUNTERS = ("rowNumber", "articleNumber", "numberOfItems")


def load_order(state: SimState, order_id: int) -> Doc:
    order = state.order(order_id)
    if order is None:
        raise not_found(f"No order with order ID {order_id} was found.")
    return order


def find_line(order: Doc, order_line_id: int) -> Doc:
    line = next((line for line in order["lines"] if line["id"] == order_line_id), None)
    if line is None:
        raise not_found(f"Order {order['orderNumber']} has no order line with ID {order_line_id}.")
    return line


def line_by_row(order: Doc, row_number: str) -> Doc:
    line = next((line for line in order["lines"] if line["rowNumber"] == str(row_number)), None)
    if line is None:
        raise bad_request(f"Order {order['orderNumber']} has no order line with row number '{row_number}'.")
    return line


def touch(order: Doc) -> None:
    order["updatedTime"] = now_text()


def set_status(order: Doc, number: int) -> None:
    """Change the status; the status-changed time only moves when the number really changes."""
    if order["status"] != number:
        order["status"] = number
        order["statusChangedTime"] = now_text()
    touch(order)


def status_label(state: SimState, number: int) -> str:
    text = state.order_statuses().get(number)
    return f"{number} ({text})" if text else str(number)


def transporter_ref(state: SimState, body: TransporterBody | None) -> dict[str, Any] | None:
    """Transporter codes must match the goods owner's contracts once any are registered."""
    if body is None or not body.transporter_code:
        return None
    contracts = {c["transporterCode"]: c for c in state.transporter_contracts()}
    if contracts:
        contract = contracts.get(body.transporter_code)
        services = {s["transporterServiceCode"] for s in (contract or {}).get("transporterServices", [])}
        if contract is None or (body.transporter_service_code and body.transporter_service_code not in services):
            raise bad_request(f"The transporter '{body.transporter_code}' with service "
                              f"'{body.transporter_service_code or ''}' is not available for this goods owner.")
    return {"code": body.transporter_code, "serviceCode": body.transporter_service_code}


def header_members(body: OrderBody) -> dict[str, Any]:
    sent = body.stored()
    return {key: value for key, value in sent.items() if key not in _NOT_HEADER}


def new_line(state: SimState, body: OrderLineBody, article: Doc) -> Doc:
    return {
        "id": state.new_id("order_line"), "rowNumber": body.row_number, "articleSystemId": article["articleSystemId"],
        "data": _line_members(body), "ordered": body.number_of_items or 0.0, "picked": 0.0, "shipped": 0.0,
        "returned": 0.0, "reported": None, "reportedReturned": None, "pickedItems": [],
    }


def update_line(line: Doc, body: OrderLineBody, article: Doc) -> None:
    line.update(articleSystemId=article["articleSystemId"], data=_line_members(body),
                ordered=body.number_of_items or 0.0)


def _line_members(body: OrderLineBody) -> dict[str, Any]:
    return {key: value for key, value in body.stored().items() if key not in _LINE_COUNTERS}


def new_order(state: SimState, body: OrderBody) -> Doc:
    now = now_text()
    return {
        "orderId": state.new_id("order"), "orderNumber": body.order_number,
        "status": state.settings.new_order_status, "statusChangedTime": now, "createdDate": now, "updatedTime": now,
        "shippedTime": None, "lastReturnedTime": None, "lastPickingTime": None,
        "header": {}, "consignee": {}, "consigneeId": None, "transporter": None, "returnTransporter": None,
        "wayBill": None, "returnWayBill": None, "lines": [], "parcels": [], "tracking": [], "returnTracking": [],
    }
