"""Return orders (advised customer returns, RMAs) and the goods owner's return-cause register.

A return order points at the customer order by Ongoing's ``orderId`` and at its lines by
``orderLineId`` (not row numbers); both must exist and belong together. It is upserted by
``returnOrderNumber`` until goods arrive. Arrivals are registered by the warehouse on the customer order
(``/_sim/orders/{number}/return``), which also fills the matching return-order lines.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from integrations.ongoing.simulator.bodies import ReturnOrderBody
from integrations.ongoing.simulator.errors import bad_request, not_found
from integrations.ongoing.simulator.selection import Lead, select_by_id, time_lead
from integrations.ongoing.simulator.state import RETURN_ORDER, Doc, SimState
from integrations.ongoing.simulator.statuses import RETURN_ADVISED, status_json, table_json
from integrations.ongoing.simulator.timefmt import at_or_after, now_text


def cause_json(state: SimState, code: str | None) -> dict[str, Any] | None:
    if not code:
        return None
    cause = state.return_cause(code)
    return {"code": code, "name": cause["name"] if cause else None}


def _check_cause(state: SimState, code: str | None) -> None:
    # Causes come from the goods owner's register; unseeded, the register is empty and any code passes.
    if code and state.return_causes() and state.return_cause(code) is None:
        raise bad_request(f"The return cause '{code}' does not exist.")


def _apply(state: SimState, body: ReturnOrderBody, doc: Doc) -> None:
    order = state.order(body.customer_order.order_id)
    if order is None:
        raise bad_request(f"The customer order with order ID {body.customer_order.order_id} does not exist.")
    line_ids = {line["id"] for line in order["lines"]}
    rows = [line.return_order_row_number for line in body.return_order_lines]
    existing = {line["returnOrderRowNumber"]: line for line in doc["lines"]}
    lines = []
    for line in body.return_order_lines:
        if rows.count(line.return_order_row_number) > 1:
            raise bad_request(f"The return order row number '{line.return_order_row_number}' occurs more than once.")
        if line.customer_order_line.order_line_id not in line_ids:
            raise bad_request(f"The order line with ID {line.customer_order_line.order_line_id} does not belong to "
                              f"order {order['orderNumber']}.")
        if line.to_be_returned_number_of_items <= 0:
            raise bad_request("returnOrderLines.toBeReturnedNumberOfItems must be greater than 0.")
        cause = line.return_cause.code if line.return_cause else None
        _check_cause(state, cause)
        kept = existing.get(line.return_order_row_number) or {
            "returnOrderLineId": state.new_id("return_order_line"), "returned": 0.0, "removed": 0.0,
            "returnedItems": []}
        kept.update(returnOrderRowNumber=line.return_order_row_number,
                    orderLineId=line.customer_order_line.order_line_id,
                    toBeReturned=line.to_be_returned_number_of_items, returnCause=cause,
                    comment=line.return_order_line_comment)
        lines.append(kept)
    doc.update(returnOrderNumber=body.return_order_number, orderId=order["orderId"], lines=lines,
               header={k: v for k, v in body.stored().items() if k in (
                   "comment", "inDate", "returnOrderHandlingComment", "freeValues")})


def render_return_order(state: SimState, doc: Doc) -> dict[str, Any]:
    order = state.order(doc["orderId"]) or {"orderNumber": None, "lines": []}
    order_lines = {line["id"]: line for line in order["lines"]}
    articles = state.articles_by_id(order_lines[line["orderLineId"]]["articleSystemId"] for line in doc["lines"]
                                    if line["orderLineId"] in order_lines)
    h = doc["header"]
    lines = []
    for line in doc["lines"]:
        order_line = order_lines.get(line["orderLineId"], {"rowNumber": None, "articleSystemId": None, "picked": 0})
        article = articles.get(order_line["articleSystemId"], {"articleNumber": None, "data": {}})
        lines.append({
            "returnOrderLineId": line["returnOrderLineId"], "returnOrderRowNumber": line["returnOrderRowNumber"],
            "customerOrderLine": {"orderLineId": line["orderLineId"],
                                  "customerOrderRowNumber": order_line["rowNumber"]},
            "article": {"articleSystemId": order_line["articleSystemId"], "articleNumber": article["articleNumber"],
                        "articleName": article["data"].get("articleName")},
            "returnCause": cause_json(state, line["returnCause"]),
            "returnedNumberOfItems": line["returned"], "pickedNumberOfItems": order_line["picked"],
            "toBeReturnedNumberOfItems": line["toBeReturned"],
            "returnedRemovedByInventoryNumberOfItems": line["removed"],
            "returnedArticleItems": line["returnedItems"] or None,
        })
    return {
        "returnOrderInfo": {
            "returnOrderId": doc["returnOrderId"], "returnOrderNumber": doc["returnOrderNumber"],
            "comment": h.get("comment"), "inDate": h.get("inDate"),
            "returnOrderStatus": status_json(doc["status"], state.return_order_statuses()),
            "warehouse": {"id": 1, "code": state.settings.warehouse, "name": state.settings.warehouse},
            "returnOrderHandlingComment": h.get("returnOrderHandlingComment"),
            "freeValues": h.get("freeValues"), "createdDate": doc["createdDate"],
            "returnOrderArrivalTime": doc["arrivalTime"],
        },
        "customerOrderInfo": {"orderId": doc["orderId"], "orderNumber": order["orderNumber"]},
        "returnOrderLines": lines or None,
    }


def build_router(state: SimState) -> APIRouter:
    router = APIRouter()

    @router.put("/returnOrders")
    def put_return_order(body: ReturnOrderBody) -> dict[str, Any]:
        state.check_goods_owner(body.goods_owner_id)
        with state.write():
            doc = state.return_order_by_number(body.return_order_number)
            created = doc is None
            if doc is None:
                doc = {"returnOrderId": state.new_id(RETURN_ORDER), "status": RETURN_ADVISED,
                       "createdDate": now_text(), "arrivalTime": None, "lines": []}
            elif doc["status"] != RETURN_ADVISED:
                raise bad_request(f"Return order {body.return_order_number} cannot be updated since goods have "
                                  "arrived or it is cancelled.")
            _apply(state, body, doc)
            state.save_return_order(doc)
        verb = "created" if created else "updated"
        return {"returnOrderId": doc["returnOrderId"],
                "message": f"Return order {doc['returnOrderNumber']} {verb}."}

    @router.get("/returnOrders/returnCauses")
    def get_return_causes(goods_owner_id: Annotated[int, Query(alias="goodsOwnerId")]) -> dict[str, Any]:
        state.check_goods_owner(goods_owner_id)
        return {"returnCauses": [
            {key: cause[key] for key in ("code", "name", "isRemoveCause", "isChangeCause",
                                         "isReturnCommentMandatory", "id")} for cause in state.return_causes()]}

    @router.get("/returnOrders/statuses")
    def get_return_order_statuses() -> dict[str, Any]:
        return {"returnOrderStatuses": table_json(state.return_order_statuses())}

    @router.get("/returnOrders/{return_order_id}")
    def get_return_order(return_order_id: int) -> dict[str, Any]:
        doc = state.return_order(return_order_id)
        if doc is None:
            raise not_found(f"No return order with ID {return_order_id} was found.")
        return render_return_order(state, doc)

    @router.get("/returnOrders")
    def get_return_orders(
        goods_owner_id: Annotated[int, Query(alias="goodsOwnerId")],
        return_order_numbers: Annotated[list[str] | None, Query(alias="returnOrderNumbers")] = None,
        customer_order_numbers: Annotated[list[str] | None, Query(alias="customerOrderNumbers")] = None,
        goods_returned_from: Annotated[datetime | None, Query(alias="goodsReturnedFromDate")] = None,
        status_from: Annotated[int | None, Query(alias="returnOrderStatusFrom")] = None,
        status_to: Annotated[int | None, Query(alias="returnOrderStatusTo")] = None,
    ) -> list[dict[str, Any]]:
        state.check_goods_owner(goods_owner_id)
        wanted_orders = None
        if customer_order_numbers:
            wanted_orders = {o["orderId"] for number in set(customer_order_numbers)
                             if (o := state.order_by_number(number)) is not None}

        def matches(doc: Doc) -> bool:
            return ((not return_order_numbers or doc["returnOrderNumber"] in return_order_numbers)
                    and (wanted_orders is None or doc["orderId"] in wanted_orders)
                    and at_or_after(doc["arrivalTime"], goods_returned_from)
                    and (status_from is None or doc["status"] >= status_from)
                    and (status_to is None or doc["status"] <= status_to))

        leads = (Lead("number", values=return_order_numbers) if return_order_numbers else None,
                 Lead("order", values=sorted(wanted_orders)) if wanted_orders is not None else None,
                 time_lead("arrival", goods_returned_from))
        selected = select_by_id(state.store, RETURN_ORDER, leads, matches, id_from=None, max_count=None)
        return [render_return_order(state, doc) for doc in selected]

    return router
