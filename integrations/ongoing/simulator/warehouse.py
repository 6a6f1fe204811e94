"""What the warehouse staff do, as the ``/_sim`` surface exposes it: stock-taking, picking, shipping,
registering returns and receiving purchase orders.

Each action changes the same documents the vendor routes read. Physical stock only moves when goods
cross the warehouse door: shipments take it out, receipts and restocked returns put it back. Picks
merely move units from the shelf to the packing area (allocated, picked-to-be-collected).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from integrations.ongoing.simulator.errors import bad_request
from integrations.ongoing.simulator.order_docs import line_by_row, set_status, touch
from integrations.ongoing.simulator.purchase_order_docs import add_unadvised_line, receipt_status, set_po_status
from integrations.ongoing.simulator.returns import cause_json
from integrations.ongoing.simulator.state import Doc, SimState
from integrations.ongoing.simulator.statuses import (
    CANCELLED,
    PICKED,
    PO_CANCELLED,
    RETURN_PARTLY_RECEIVED,
    RETURN_RECEIVED,
    RETURNED,
    SENT,
)
from integrations.ongoing.simulator.timefmt import now_text

LineQuantity = tuple[str, float]  # (rowNumber, numberOfItems)


def set_stock(state: SimState, article: Doc, *, number_of_items: float | None, delta: float | None) -> None:
    target = number_of_items if number_of_items is not None else article["physical"] + (delta or 0.0)
    if target < 0:
        raise bad_request(f"The stock of article {article['articleNumber']} cannot go below 0.")
    article["physical"] = float(target)
    state.save_article(article)


def _on_shelf(state: SimState) -> dict[int, float]:
    """Physical stock minus what is already picked and waiting for collection (figures as of the last write)."""
    return {a["articleSystemId"]: a["physical"] - (a.get("inventory") or {}).get("allocated_number_of_items", 0.0)
            for a in state.articles()}


def pick(state: SimState, order: Doc, lines: Sequence[LineQuantity] | None) -> None:
    """Pick the given quantities, or (no lines) everything still to pick that is on the shelf."""
    if order["status"] in (CANCELLED, RETURNED):
        raise bad_request(f"Order {order['orderNumber']} has status {order['status']} and cannot be picked.")
    shelf = _on_shelf(state)
    # No lines: as much of each line as the shelf still holds (None), decided line by line.
    plan: list[tuple[Doc, float | None]] = (
        [(line, None) for line in order["lines"]] if lines is None
        else [(line_by_row(order, row), quantity) for row, quantity in lines])
    now = now_text()
    picked_any = False
    for line, wanted in plan:
        shelf_now = max(shelf.get(line["articleSystemId"], 0.0), 0.0)
        quantity = min(line["ordered"] - line["picked"], shelf_now) if wanted is None else wanted
        if quantity <= 0:
            continue
        if line["picked"] + quantity > line["ordered"]:
            raise bad_request(f"Row {line['rowNumber']}: cannot pick {quantity:g}; ordered {line['ordered']:g}, "
                              f"already picked {line['picked']:g}.")
        available = shelf.get(line["articleSystemId"], 0.0)
        if quantity > available:
            raise bad_request(f"Row {line['rowNumber']}: only {max(available, 0):g} on the shelf, cannot pick "
                              f"{quantity:g}.")
        shelf[line["articleSystemId"]] = available - quantity
        line["picked"] += quantity
        line["pickedItems"].append({
            "articleItemId": state.new_id("article_item"), "numberOfItems": quantity, "pickedTime": now,
            "packedTime": None, "parcelId": None, "isReturned": False, "returnDate": None, "returnCause": None})
        picked_any = True
    if not picked_any:
        raise bad_request(f"Nothing could be picked on order {order['orderNumber']}.")
    order["lastPickingTime"] = now
    if order["status"] < PICKED:
        set_status(order, PICKED)
    touch(order)


def ship(state: SimState, order: Doc, *, lines: Sequence[LineQuantity] | None, waybill: str | None,
         tracking_url: str | None, parcels: Sequence[dict[str, Any]] | None, with_waybill: bool = True) -> None:
    """Send everything picked and not yet sent (picking ``lines`` first) as one shipment. Without
    ``with_waybill`` (and no ``waybill`` given) the order reaches Sent before the shipping platform made a
    waybill, as Ongoing allows; ``add_waybill`` brings it later."""
    if lines:
        pick(state, order, lines)
    if order["status"] == CANCELLED:
        raise bad_request(f"Order {order['orderNumber']} is cancelled and cannot be shipped.")
    outgoing = {line["id"]: line["picked"] - line["shipped"] for line in order["lines"]}
    if not any(quantity > 0 for quantity in outgoing.values()):
        raise bad_request(f"Order {order['orderNumber']} has nothing picked that is not already shipped.")
    now = now_text()
    parcel_ids = []
    for parcel in parcels or []:
        parcel_id = state.new_id("parcel")
        order["parcels"].append({"id": parcel_id, "parcelNumber": str(parcel.get("parcelNumber") or parcel_id),
                                 "trackingUrl": parcel.get("trackingUrl"), "weight": parcel.get("weight")})
        parcel_ids.append(parcel_id)
    for line in order["lines"]:
        quantity = outgoing[line["id"]]
        if quantity <= 0:
            continue
        for item in line["pickedItems"]:
            if item["packedTime"] is None:
                item.update(packedTime=now, parcelId=parcel_ids[0] if parcel_ids else None)
        line["shipped"] = line["picked"]
        article = state.article(line["articleSystemId"])
        if article is not None:
            article["physical"] -= quantity
            state.save_article(article)
    order["shippedTime"] = now
    if waybill or with_waybill:
        add_waybill(order, waybill, tracking_url)
    if order["status"] < SENT:
        set_status(order, SENT)
    touch(order)


def _generated_waybill(order: Doc) -> str:
    return f"SIM{order['orderId']}{len(order['tracking']) + 1:02d}"


def add_waybill(order: Doc, waybill: str | None, tracking_url: str | None) -> None:
    """The shipping platform's waybill for the latest shipment: a tracking entry and the order's wayBill."""
    if order["shippedTime"] is None:
        raise bad_request(f"Order {order['orderNumber']} has not been shipped; there is nothing to track.")
    waybill = waybill or _generated_waybill(order)
    order["tracking"].append({"waybill": waybill, "trackingUrl": tracking_url, "created": now_text()})
    order["wayBill"] = waybill
    touch(order)


def register_return(state: SimState, order: Doc, *, lines: Sequence[LineQuantity] | None, cause: str | None) -> None:
    """Goods came back on ``order``: restock them unless the cause is a remove cause."""
    cause_doc = state.return_cause(cause) if cause else None
    if cause and cause_doc is None and state.return_causes():
        raise bad_request(f"The return cause '{cause}' does not exist.")
    removes = bool(cause_doc and cause_doc["isRemoveCause"])
    if lines is None:
        plan = [(line, line["shipped"] - line["returned"]) for line in order["lines"]]
    else:
        plan = [(line_by_row(order, row), quantity) for row, quantity in lines]
    now = now_text()
    returned_any = False
    for line, quantity in plan:
        if quantity <= 0:
            continue
        if line["returned"] + quantity > line["shipped"]:
            raise bad_request(f"Row {line['rowNumber']}: cannot return {quantity:g}; shipped {line['shipped']:g}, "
                              f"already returned {line['returned']:g}.")
        _mark_items_returned(state, line, quantity, now, cause_json(state, cause))
        line["returned"] += quantity
        if not removes:
            article = state.article(line["articleSystemId"])
            if article is not None:
                article["physical"] += quantity
                state.save_article(article)
        if state.settings.return_order_arrivals_on_sales_order:  # one count of the goods, both ways
            _fill_return_orders(state, order, line, quantity, now, cause, removes)
        returned_any = True
    if not returned_any:
        raise bad_request(f"Nothing was shipped on order {order['orderNumber']} that could be returned.")
    order["lastReturnedTime"] = now
    if all(line["returned"] >= line["shipped"] for line in order["lines"]):
        set_status(order, RETURNED)
    touch(order)
    state.goods_returned(order, cause_json(state, cause))


def _mark_items_returned(state: SimState, line: Doc, quantity: float, now: str, cause: dict[str, Any] | None) -> None:
    remaining = quantity
    for item in list(line["pickedItems"]):
        if remaining <= 0 or item["isReturned"] or item["packedTime"] is None:
            continue
        if item["numberOfItems"] > remaining:  # split the unit row: part of it came back
            item["numberOfItems"] -= remaining
            item = {**item, "articleItemId": state.new_id("article_item"), "numberOfItems": remaining}
            line["pickedItems"].append(item)
        item.update(isReturned=True, returnDate=now, returnCause=cause)
        remaining -= item["numberOfItems"]


def _fill_return_orders(state: SimState, order: Doc, line: Doc, quantity: float, now: str, cause: str | None,
                        removes: bool) -> None:
    """Credit the arrival to advised return-order lines for this order line, oldest first."""
    remaining = quantity
    cause_of_arrival = cause_json(state, cause) if cause else None
    for return_order in state.return_orders():
        if remaining <= 0 or return_order["orderId"] != order["orderId"]:
            continue
        credited = False
        for return_line in return_order["lines"]:
            room = return_line["toBeReturned"] - return_line["returned"]
            if return_line["orderLineId"] != line["id"] or room <= 0 or remaining <= 0:
                continue
            taken = min(room, remaining)
            remaining -= taken
            credited = True
            return_line["returned"] += taken
            return_line["removed"] += taken if removes else 0.0
            return_line["returnedItems"].append({
                "numberOfItems": taken, "batch": None, "serial": None, "expiryDate": None, "container": None,
                "weight": None, "volume": None, "comment": None, "returnTime": now, "returnComment": None,
                "isReturnRemovedByInventory": removes,
                "returnCause": cause_of_arrival or cause_json(state, return_line["returnCause"]),
                "articleItemStatus": None, "articleItemCategory": None})
        if credited:
            complete = all(rl["returned"] >= rl["toBeReturned"] for rl in return_order["lines"])
            return_order["status"] = RETURN_RECEIVED if complete else RETURN_PARTLY_RECEIVED
            return_order["arrivalTime"] = now
            state.save_return_order(return_order)


def receive(state: SimState, po: Doc, lines: Sequence[LineQuantity] | None) -> None:
    """Receive goods on a purchase order; quantities may deviate from the advice either way."""
    if po["status"] == PO_CANCELLED:
        raise bad_request(f"Purchase order {po['purchaseOrderNumber']} is cancelled.")
    by_row = {line["rowNumber"]: line for line in po["lines"]}
    if lines is None:
        plan = [(line, line["advised"] - line["received"]) for line in po["lines"]]
    else:
        unknown = next((row for row, _ in lines if row not in by_row), None)
        if unknown is not None:
            raise bad_request(f"Purchase order {po['purchaseOrderNumber']} has no line with row number '{unknown}'.")
        plan = [(by_row[row], quantity) for row, quantity in lines]
    now = now_text()
    for line, quantity in plan:
        if quantity <= 0:
            continue
        line["received"] += quantity
        line["articleItems"].append({"articleItemId": state.new_id("article_item"), "numberOfItems": quantity,
                                     "inDate": now})
        article = state.article(line["articleSystemId"])
        if article is not None:
            article["physical"] += quantity
            article["lastInDate"] = now
            state.save_article(article)
    po["lastReceiveTime"] = now
    set_po_status(po, receipt_status(state, po))
    state.save_purchase_order(po)


def receive_articles(state: SimState, po: Doc, articles: Sequence[tuple[str, float]]) -> list[LineQuantity]:
    """Goods identified by article number: each goes onto the purchase order's line for that article, or,
    when the purchase order never advised it, onto a line the warehouse adds. Returns the rows to receive."""
    if po["status"] == PO_CANCELLED:
        raise bad_request(f"Purchase order {po['purchaseOrderNumber']} is cancelled.")
    rows: list[LineQuantity] = []
    for article_number, quantity in articles:
        article = state.article_by_number(article_number)
        if article is None:
            raise bad_request(f"Article with article number '{article_number}' does not exist.")
        line = next((line for line in po["lines"] if line["articleSystemId"] == article["articleSystemId"]), None)
        if line is None:
            line = add_unadvised_line(state, po, article)
        rows.append((line["rowNumber"], quantity))
    return rows
