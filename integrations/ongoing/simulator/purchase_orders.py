"""Purchase orders (inbound deliveries): upsert by number, id-paged list, cancel, report receipts.

``PUT /purchaseOrders`` creates or updates by ``purchaseOrderNumber`` until the warehouse starts
receiving; lines are matched by ``rowNumber`` like order lines. Receipts themselves are the
warehouse's doing (``/_sim/purchaseOrders/{number}/receive``); the integration acknowledges them by
setting reported quantities.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from integrations.ongoing.simulator.bodies import PurchaseOrderBody, ReportedPatch
from integrations.ongoing.simulator.errors import bad_request, not_found
from integrations.ongoing.simulator.purchase_order_docs import (
    apply_purchase_order,
    load_purchase_order,
    new_purchase_order,
    refuse_if_receiving_started,
    render_purchase_order,
    set_po_status,
)
from integrations.ongoing.simulator.selection import Lead, select_by_id, time_lead
from integrations.ongoing.simulator.state import PURCHASE_ORDER, Doc, SimState
from integrations.ongoing.simulator.statuses import PO_CANCELLED, table_json
from integrations.ongoing.simulator.timefmt import at_or_after, at_or_before


def _cancel(state: SimState, po: Doc) -> dict[str, Any]:
    refuse_if_receiving_started(po, "cancelled")
    set_po_status(po, PO_CANCELLED)
    state.save_purchase_order(po)
    return {"purchaseOrderId": po["purchaseOrderId"],
            "message": f"Inorder with order number {po['purchaseOrderNumber']} cancelled."}


def build_router(state: SimState) -> APIRouter:
    router = APIRouter()

    def _articles(*pos: Doc) -> dict[int, Doc]:
        return state.articles_by_id(line["articleSystemId"] for po in pos for line in po["lines"])

    def _save(body: PurchaseOrderBody, existing_id: int | None) -> dict[str, Any]:
        state.check_goods_owner(body.goods_owner_id)
        with state.write():
            by_number = state.purchase_order_by_number(body.purchase_order_number)
            po = load_purchase_order(state, existing_id) if existing_id is not None else by_number
            if existing_id is not None and by_number is not None and by_number["purchaseOrderId"] != existing_id:
                raise bad_request(f"Another purchase order already has the number '{body.purchase_order_number}'.")
            created = po is None
            if po is None:
                po = new_purchase_order(state, body)
            else:
                refuse_if_receiving_started(po, "updated")
            apply_purchase_order(state, body, po)
            state.save_purchase_order(po)
        verb = "created" if created else "updated"
        return {"purchaseOrderId": po["purchaseOrderId"],
                "message": f"Inorder with order number {po['purchaseOrderNumber']} {verb}. <br/>"}

    @router.put("/purchaseOrders")
    def put_purchase_order(body: PurchaseOrderBody) -> dict[str, Any]:
        return _save(body, None)

    @router.get("/purchaseOrders/statuses")
    def get_purchase_order_statuses() -> dict[str, Any]:
        # v57 names this collection "orderStatuses" here too.
        return {"orderStatuses": table_json(state.purchase_order_statuses())}

    @router.get("/purchaseOrders/{purchase_order_id}")
    def get_purchase_order(purchase_order_id: int) -> dict[str, Any]:
        po = load_purchase_order(state, purchase_order_id)
        return render_purchase_order(state, po, _articles(po))

    @router.put("/purchaseOrders/{purchase_order_id}")
    def put_purchase_order_by_id(purchase_order_id: int, body: PurchaseOrderBody) -> dict[str, Any]:
        return _save(body, purchase_order_id)

    @router.delete("/purchaseOrders/{purchase_order_id}")
    def delete_purchase_order(purchase_order_id: int) -> dict[str, Any]:
        with state.write():
            return _cancel(state, load_purchase_order(state, purchase_order_id))

    @router.delete("/purchaseOrders")
    def delete_purchase_order_by_number(
        goods_owner_id: Annotated[int, Query(alias="goodsOwnerId")],
        purchase_order_number: Annotated[str, Query(alias="purchaseOrderNumber")],
    ) -> dict[str, Any]:
        state.check_goods_owner(goods_owner_id)
        with state.write():
            po = state.purchase_order_by_number(purchase_order_number)
            if po is None:
                raise not_found(f"No purchase order with number '{purchase_order_number}' was found.")
            return _cancel(state, po)

    @router.patch("/purchaseOrders/{purchase_order_id}/lines/{line_id}/reportedNumberOfItems")
    def patch_reported(purchase_order_id: int, line_id: int, body: ReportedPatch) -> dict[str, Any]:
        with state.write():
            po = load_purchase_order(state, purchase_order_id)
            line = next((line for line in po["lines"] if line["id"] == line_id), None)
            if line is None:
                raise not_found(f"Purchase order {po['purchaseOrderNumber']} has no line with ID {line_id}.")
            line["reported"] = body.reported_number_of_items
            state.save_purchase_order(po)
        return {"purchaseOrderId": purchase_order_id, "message": "Reported number of items updated."}

    @router.patch("/purchaseOrders/{purchase_order_id}/setReportedNumberOfItemsToReceivedNumberOfItems")
    def set_reported_to_received(purchase_order_id: int) -> dict[str, Any]:
        with state.write():
            po = load_purchase_order(state, purchase_order_id)
            for line in po["lines"]:
                line["reported"] = line["received"]
            state.save_purchase_order(po)
        return {"purchaseOrderId": purchase_order_id, "message": "Reported number of items updated."}

    @router.get("/purchaseOrders")
    def get_purchase_orders(
        goods_owner_id: Annotated[int, Query(alias="goodsOwnerId")],
        purchase_order_number: Annotated[str | None, Query(alias="purchaseOrderNumber")] = None,
        purchase_order_numbers: Annotated[list[str] | None, Query(alias="purchaseOrderNumbers")] = None,
        article_numbers: Annotated[list[str] | None, Query(alias="articleNumbers")] = None,
        id_from: Annotated[int | None, Query(alias="purchaseOrderIdFrom")] = None,
        max_count: Annotated[int | None, Query(alias="maxPurchaseOrdersToGet")] = None,
        status_from: Annotated[int | None, Query(alias="purchaseOrderStatusFrom")] = None,
        status_to: Annotated[int | None, Query(alias="purchaseOrderStatusTo")] = None,
        status_changed_from: Annotated[datetime | None, Query(alias="purchaseOrderStatusChangedTimeFrom")] = None,
        last_receive_from: Annotated[datetime | None, Query(alias="lastReceiveTimeFrom")] = None,
        last_receive_to: Annotated[datetime | None, Query(alias="lastReceiveTimeTo")] = None,
        in_date_from: Annotated[datetime | None, Query(alias="inDateFrom")] = None,
        in_date_to: Annotated[datetime | None, Query(alias="inDateTo")] = None,
        only_to_report: Annotated[bool, Query(alias="onlyPurchaseOrdersWithOrderLinesToReport")] = False,
    ) -> list[dict[str, Any]]:
        state.check_goods_owner(goods_owner_id)
        wanted = {a["articleSystemId"] for number in set(article_numbers or [])
                  if (a := state.article_by_number(number)) is not None}

        def matches(po: Doc) -> bool:
            return (
                (purchase_order_number is None or po["purchaseOrderNumber"] == purchase_order_number)
                and (not purchase_order_numbers or po["purchaseOrderNumber"] in purchase_order_numbers)
                and (not article_numbers or any(line["articleSystemId"] in wanted for line in po["lines"]))
                and (id_from is None or po["purchaseOrderId"] >= id_from)
                and (status_from is None or po["status"] >= status_from)
                and (status_to is None or po["status"] <= status_to)
                and at_or_after(po["statusChangedTime"], status_changed_from)
                and at_or_after(po["lastReceiveTime"], last_receive_from)
                and at_or_before(po["lastReceiveTime"], last_receive_to)
                and at_or_after(po["header"].get("inDate"), in_date_from)
                and at_or_before(po["header"].get("inDate"), in_date_to)
                and (not only_to_report or any((line["reported"] or 0) != line["received"] for line in po["lines"]))
            )

        leads = (
            Lead("number", values=[purchase_order_number]) if purchase_order_number is not None else None,
            Lead("number", values=purchase_order_numbers) if purchase_order_numbers else None,
            Lead("article", values=sorted(wanted)) if article_numbers else None,
            Lead("to_report", values=[True]) if only_to_report else None,
            time_lead("status_changed", status_changed_from),
            time_lead("last_receive", last_receive_from, last_receive_to),
        )
        selected = select_by_id(state.store, PURCHASE_ORDER, leads, matches, id_from=id_from, max_count=max_count)
        articles = _articles(*selected)
        return [render_purchase_order(state, po, articles) for po in selected]

    return router
