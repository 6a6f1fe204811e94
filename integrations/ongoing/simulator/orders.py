"""Outbound orders: create/update by order number, the filtered and id-paged list, and cancel.

``PUT /orders`` upserts by ``orderNumber`` (201 created, 200 updated). Lines are matched by
``rowNumber``: sent rows are added or updated. What happens to rows an update leaves out, and whether a
row may be set to 0 units, Ongoing does not document; the settings ``omitted_order_lines`` and
``zero_quantity_lines`` play each answer, so the connector has to read the order back. Once the
warehouse has started work (status ≥ ``work_started_status``) updates and cancellation are refused.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from integrations.ongoing.simulator.bodies import OrderBody
from integrations.ongoing.simulator.errors import bad_request, not_found
from integrations.ongoing.simulator.field_limits import ORDER_LIMITS, refuse_overlong
from integrations.ongoing.simulator.order_docs import (
    header_members,
    load_order,
    new_line,
    new_order,
    set_status,
    status_label,
    touch,
    transporter_ref,
    update_line,
)
from integrations.ongoing.simulator.order_render import render_order
from integrations.ongoing.simulator.selection import Lead, select_by_id, time_lead
from integrations.ongoing.simulator.state import ORDER, Doc, SimState
from integrations.ongoing.simulator.statuses import CANCELLED, table_json
from integrations.ongoing.simulator.timefmt import at_or_after, at_or_before, older_than

ORDER_UPDATED_WINDOW = timedelta(days=2)


def refuse_if_work_started(state: SimState, order: Doc, action: str) -> None:
    if order["status"] == CANCELLED:
        raise bad_request(f"Order {order['orderNumber']} is already cancelled and cannot be {action}.")
    if order["status"] >= state.settings.work_started_status:
        raise bad_request(f"Order {order['orderNumber']} cannot be {action} since the warehouse has started working "
                          f"on it (status {status_label(state, order['status'])}).")


def _apply(state: SimState, body: OrderBody, order: Doc) -> str:
    """Write the body into ``order``; returns the customer part of Ongoing's answer message."""
    lines = body.order_lines or []
    rows = [line.row_number for line in lines]
    duplicate = next((row for row in rows if rows.count(row) > 1), None)
    if duplicate is not None:
        raise bad_request(f"The row number '{duplicate}' occurs more than once in order {body.order_number}.")
    if state.settings.zero_quantity_lines == "refused":
        zero = next((line.row_number for line in lines if line.number_of_items == 0), None)
        if zero is not None:
            raise bad_request(f"The number of items on row '{zero}' of order {body.order_number} must be "
                              f"greater than 0.")
    articles = {}
    for line in lines:
        article = state.article_by_number(line.article_number)
        if article is None:
            raise bad_request(f"Article with article number '{line.article_number}' does not exist "
                              f"(order {body.order_number}, row {line.row_number}).")
        articles[line.row_number] = article
    if "transporter" in body.model_fields_set:
        order["transporter"] = transporter_ref(state, body.transporter)
    if "return_transporter" in body.model_fields_set:
        order["returnTransporter"] = transporter_ref(state, body.return_transporter)
    order["orderNumber"] = body.order_number
    order["header"] = {**order["header"], **header_members(body)}
    order["consignee"] = body.consignee.stored()
    existing = {line["rowNumber"]: line for line in order["lines"]}
    written = []
    for line in lines:
        if line.row_number in existing:
            update_line(existing[line.row_number], line, articles[line.row_number])
            written.append(existing[line.row_number])
        else:
            written.append(new_line(state, line, articles[line.row_number]))
    if state.settings.omitted_order_lines == "kept":
        sent = set(rows)
        written = [line for line in order["lines"] if line["rowNumber"] not in sent] + written
    order["lines"] = written
    touch(order)
    customer_number = body.consignee.customer_number
    if not customer_number:
        return ""
    customer_id, created = state.upsert_customer(customer_number)
    order["consigneeId"] = customer_id
    verb = "created" if created else "updated"
    return f"Customer with customer number '{customer_number}' and ID '{customer_id}' {verb}. <br/> <br/>"


def _answer(order: Doc, customer_message: str, created: bool) -> JSONResponse:
    message = f"{customer_message}Order number {order['orderNumber']} created/updated"
    return JSONResponse({"orderId": order["orderId"], "message": message}, status_code=201 if created else 200)


def cancel(state: SimState, order: Doc) -> dict[str, Any]:
    refuse_if_work_started(state, order, "cancelled")
    set_status(order, CANCELLED)
    state.save_order(order)
    return {"orderId": order["orderId"], "message": f"Order {order['orderNumber']} was cancelled."}


def build_router(state: SimState) -> APIRouter:
    router = APIRouter()

    @router.put("/orders")
    def put_order(body: OrderBody) -> JSONResponse:
        refuse_overlong(body.stored(), ORDER_LIMITS)
        state.check_goods_owner(body.goods_owner_id)
        with state.write():
            order = state.order_by_number(body.order_number)
            created = order is None
            if order is None:
                order = new_order(state, body)
            else:
                refuse_if_work_started(state, order, "updated")
            customer_message = _apply(state, body, order)
            state.save_order(order)
        return _answer(order, customer_message, created)

    @router.get("/orders/statuses")
    def get_order_statuses() -> dict[str, Any]:
        return {"orderStatuses": table_json(state.order_statuses())}

    @router.get("/orders/{order_id}")
    def get_order(order_id: int) -> dict[str, Any]:
        return render_order(state, load_order(state, order_id))

    @router.put("/orders/{order_id}")
    def put_order_by_id(order_id: int, body: OrderBody) -> JSONResponse:
        refuse_overlong(body.stored(), ORDER_LIMITS)
        state.check_goods_owner(body.goods_owner_id)
        with state.write():
            order = load_order(state, order_id)
            clash = state.order_by_number(body.order_number)
            if clash is not None and clash["orderId"] != order_id:
                raise bad_request(f"Another order already has the order number '{body.order_number}'.")
            refuse_if_work_started(state, order, "updated")
            customer_message = _apply(state, body, order)
            state.save_order(order)
        return _answer(order, customer_message, created=False)

    @router.delete("/orders/{order_id}")
    def delete_order(order_id: int) -> dict[str, Any]:
        with state.write():
            return cancel(state, load_order(state, order_id))

    @router.delete("/orders")
    def delete_order_by_number(goods_owner_id: Annotated[int, Query(alias="goodsOwnerId")],
                               order_number: Annotated[str, Query(alias="orderNumber")]) -> dict[str, Any]:
        state.check_goods_owner(goods_owner_id)
        with state.write():
            order = state.order_by_number(order_number)
            if order is None:
                raise not_found(f"No order with order number '{order_number}' was found.")
            return cancel(state, order)

    @router.get("/orders")
    def get_orders(
        goods_owner_id: Annotated[int, Query(alias="goodsOwnerId")],
        order_number: Annotated[str | None, Query(alias="orderNumber")] = None,
        order_numbers: Annotated[list[str] | None, Query(alias="orderNumbers")] = None,
        reference_numbers: Annotated[list[str] | None, Query(alias="referenceNumbers")] = None,
        article_numbers: Annotated[list[str] | None, Query(alias="articleNumbers")] = None,
        order_id_from: Annotated[int | None, Query(alias="orderIdFrom")] = None,
        max_orders_to_get: Annotated[int | None, Query(alias="maxOrdersToGet")] = None,
        order_status_from: Annotated[int | None, Query(alias="orderStatusFrom")] = None,
        order_status_to: Annotated[int | None, Query(alias="orderStatusTo")] = None,
        order_status_changed_time_from: Annotated[datetime | None, Query(alias="orderStatusChangedTimeFrom")] = None,
        order_updated_time_from: Annotated[datetime | None, Query(alias="orderUpdatedTimeFrom")] = None,
        order_created_time_from: Annotated[datetime | None, Query(alias="orderCreatedTimeFrom")] = None,
        order_created_time_to: Annotated[datetime | None, Query(alias="orderCreatedTimeTo")] = None,
        shipped_time_from: Annotated[datetime | None, Query(alias="shippedTimeFrom")] = None,
        shipped_time_to: Annotated[datetime | None, Query(alias="shippedTimeTo")] = None,
        last_returned_from: Annotated[datetime | None, Query(alias="lastReturnedFrom")] = None,
        last_picking_time_from: Annotated[datetime | None, Query(alias="lastPickingTimeFrom")] = None,
        only_to_report: Annotated[bool, Query(alias="onlyOrdersWithOrderLinesToReport")] = False,
        only_returned_to_report: Annotated[bool, Query(alias="onlyOrdersWithOrderLinesToReportReturned")] = False,
    ) -> list[dict[str, Any]]:
        state.check_goods_owner(goods_owner_id)
        if order_updated_time_from is not None and older_than(order_updated_time_from, ORDER_UPDATED_WINDOW):
            raise bad_request("The parameter orderUpdatedTimeFrom must be at most 2 days old.")
        wanted_articles = {a["articleSystemId"] for number in set(article_numbers or [])
                           if (a := state.article_by_number(number)) is not None}

        def matches(o: Doc) -> bool:
            lines = o["lines"]
            return (
                (order_number is None or o["orderNumber"] == order_number)
                and (not order_numbers or o["orderNumber"] in order_numbers)
                and (not reference_numbers or o["header"].get("referenceNumber") in reference_numbers)
                and (not article_numbers or any(line["articleSystemId"] in wanted_articles for line in lines))
                and (order_id_from is None or o["orderId"] >= order_id_from)
                and (order_status_from is None or o["status"] >= order_status_from)
                and (order_status_to is None or o["status"] <= order_status_to)
                and at_or_after(o["statusChangedTime"], order_status_changed_time_from)
                and at_or_after(o["updatedTime"], order_updated_time_from)
                and at_or_after(o["createdDate"], order_created_time_from)
                and at_or_before(o["createdDate"], order_created_time_to)
                and at_or_after(o["shippedTime"], shipped_time_from)
                and at_or_before(o["shippedTime"], shipped_time_to)
                and at_or_after(o["lastReturnedTime"], last_returned_from)
                and at_or_after(o["lastPickingTime"], last_picking_time_from)
                and (not only_to_report or any((line["reported"] or 0) < line["picked"] for line in lines))
                and (not only_returned_to_report
                     or any((line["reportedReturned"] or 0) < line["returned"] for line in lines))
            )

        leads = (
            Lead("number", values=[order_number]) if order_number is not None else None,
            Lead("number", values=order_numbers) if order_numbers else None,
            Lead("reference", values=reference_numbers) if reference_numbers else None,
            Lead("article", values=sorted(wanted_articles)) if article_numbers else None,
            Lead("to_report", values=[True]) if only_to_report else None,
            Lead("returned_to_report", values=[True]) if only_returned_to_report else None,
            time_lead("status_changed", order_status_changed_time_from),
            time_lead("updated", order_updated_time_from),
            time_lead("created", order_created_time_from, order_created_time_to),
            time_lead("shipped", shipped_time_from, shipped_time_to),
            time_lead("last_returned", last_returned_from),
            time_lead("last_picking", last_picking_time_from),
        )
        selected = select_by_id(state.store, ORDER, leads, matches, id_from=order_id_from,
                                max_count=max_orders_to_get)
        articles = state.articles_by_id(line["articleSystemId"] for o in selected for line in o["lines"])
        statuses = state.order_statuses()
        return [render_order(state, o, articles, statuses) for o in selected]

    return router
