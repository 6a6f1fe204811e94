"""How the simulator keeps a purchase order (an inbound delivery) and presents it as v57
``GetPurchaseOrderModel``.

Each line has the advised quantity from the goods owner, what the warehouse received (over or under
delivery allowed) and what the integration has reported; goods the purchase order never advised get a
line of their own, added by the warehouse. The status follows receipt: 400 Deflection while any line is
short, 500 Received when all match (an over-delivery gives either, per the simulator's settings).
"""

from __future__ import annotations

from typing import Any

from integrations.ongoing.simulator.bodies import PurchaseOrderBody, PurchaseOrderLineBody
from integrations.ongoing.simulator.errors import bad_request, not_found
from integrations.ongoing.simulator.state import PURCHASE_ORDER, Doc, SimState
from integrations.ongoing.simulator.statuses import (
    PO_CANCELLED,
    PO_DEFLECTION,
    PO_NOTIFIED,
    PO_RECEIVED,
    status_json,
)
from integrations.ongoing.simulator.timefmt import now_text

_NOT_HEADER = ("goodsOwnerId", "purchaseOrderNumber", "purchaseOrderLines")


def load_purchase_order(state: SimState, purchase_order_id: int) -> Doc:
    po = state.purchase_order(purchase_order_id)
    if po is None:
        raise not_found(f"No purchase order with ID {purchase_order_id} was found.")
    return po


def receiving_started(po: Doc) -> bool:
    return po["status"] >= PO_DEFLECTION or any(line["received"] > 0 for line in po["lines"])


def refuse_if_receiving_started(po: Doc, action: str) -> None:
    if po["status"] == PO_CANCELLED:
        raise bad_request(f"Purchase order {po['purchaseOrderNumber']} is cancelled and cannot be {action}.")
    if receiving_started(po):
        raise bad_request(f"Purchase order {po['purchaseOrderNumber']} cannot be {action} since the warehouse has "
                          "started receiving it.")


def set_po_status(po: Doc, number: int) -> None:
    if po["status"] != number:
        po["status"] = number
        po["statusChangedTime"] = now_text()


def new_purchase_order(state: SimState, body: PurchaseOrderBody) -> Doc:
    created_status = (body.advanced or {}).get("purchaseOrderStatusCreated")
    status = created_status if created_status in state.purchase_order_statuses() else PO_NOTIFIED
    now = now_text()
    return {"purchaseOrderId": state.new_id(PURCHASE_ORDER), "purchaseOrderNumber": body.purchase_order_number,
            "status": status, "statusChangedTime": now, "createdDate": now, "lastReceiveTime": None,
            "header": {}, "lines": []}


def apply_purchase_order(state: SimState, body: PurchaseOrderBody, po: Doc) -> None:
    lines = body.purchase_order_lines or []
    rows = [line.row_number for line in lines]
    duplicate = next((row for row in rows if rows.count(row) > 1), None)
    if duplicate is not None:
        raise bad_request(f"The row number '{duplicate}' occurs more than once in purchase order "
                          f"{body.purchase_order_number}.")
    articles = {}
    for line in lines:
        article = state.article_by_number(line.article_number)
        if article is None:
            raise bad_request(f"Article with article number '{line.article_number}' does not exist "
                              f"(purchase order {body.purchase_order_number}, row {line.row_number}).")
        articles[line.row_number] = article
    sent = body.stored()
    po["purchaseOrderNumber"] = body.purchase_order_number
    po["header"] = {**po["header"], **{k: v for k, v in sent.items() if k not in _NOT_HEADER}}
    existing = {line["rowNumber"]: line for line in po["lines"]}
    sent_lines = [_line(state, line, articles[line.row_number], existing.get(line.row_number)) for line in lines]
    po["lines"] = _kept_lines(state, po, {line.row_number for line in lines}) + sent_lines


def _kept_lines(state: SimState, po: Doc, sent_rows: set[str]) -> list[Doc]:
    """Rows an update leaves out: removed, or kept as they were, per ``omitted_purchase_order_lines``."""
    if state.settings.omitted_purchase_order_lines == "removed":
        return []
    return [line for line in po["lines"] if line["rowNumber"] not in sent_rows]


def _line(state: SimState, body: PurchaseOrderLineBody, article: Doc, existing: Doc | None) -> Doc:
    data = {k: v for k, v in body.stored().items() if k not in ("rowNumber", "articleNumber", "numberOfItems")}
    line = existing or {"id": state.new_id("purchase_order_line"), "rowNumber": body.row_number, "received": 0.0,
                        "reported": None, "articleItems": []}
    line.update(articleSystemId=article["articleSystemId"], data=data, advised=body.number_of_items or 0.0)
    return line


def add_unadvised_line(state: SimState, po: Doc, article: Doc) -> Doc:
    """The line a warehouse worker adds when goods arrive that the purchase order never advised: the next
    free row number, no advice (shown as 0 or null, per ``unadvised_receipt_advice``)."""
    numeric = [int(line["rowNumber"]) for line in po["lines"] if str(line["rowNumber"]).isdigit()]
    line = {"id": state.new_id("purchase_order_line"), "rowNumber": str(max(numeric, default=0) + 1),
            "received": 0.0, "reported": None, "articleItems": [], "articleSystemId": article["articleSystemId"],
            "data": {}, "advised": 0.0, "unadvised": True}
    po["lines"].append(line)
    return line


def receipt_status(state: SimState, po: Doc) -> int:
    """400 Deflection while any line is short of its advice; 500 Received when all match; with only
    over-deliveries (or unadvised articles) left, whatever the tenant's ``over_delivery_status`` says."""
    lines = po["lines"]
    if any(line["received"] < line["advised"] for line in lines):
        return PO_DEFLECTION
    if all(line["received"] == line["advised"] for line in lines):
        return PO_RECEIVED
    return state.settings.over_delivery_status


def _advised_json(state: SimState, line: Doc) -> float | None:
    if line.get("unadvised") and state.settings.unadvised_receipt_advice == "null":
        return None
    return line["advised"]


def _code_name(value: dict[str, Any] | None) -> dict[str, Any] | None:
    return {"code": value.get("code"), "name": value.get("name")} if value else None


def _article_item(item: Doc) -> dict[str, Any]:
    return {"originalArticleItemId": item["articleItemId"], "numberOfItems": item["numberOfItems"],
            "inDate": item["inDate"], "serial": None, "caseNumber": None, "batchNumber": None, "container": None,
            "comment": None, "weight": None, "expiryDate": None, "location": "INLEV", "articleItemStatus": None,
            "receivedByUser": None, "isLocked": False, "isLockedForSale": False, "articleItemFreeText1": None}


def render_purchase_order(state: SimState, po: Doc, articles: dict[int, Doc] | None = None) -> dict[str, Any]:
    """Pass ``articles`` (by id) when rendering many purchase orders, to look them up once."""
    if articles is None:
        articles = state.articles_by_id(line["articleSystemId"] for line in po["lines"])
    h = po["header"]
    supplier = h.get("supplierInfo")
    advanced = h.get("advanced") or {}
    free = h.get("freeValues")
    lines = []
    for line in po["lines"]:
        article = articles.get(line["articleSystemId"], {"articleNumber": None, "data": {}})
        d = line["data"]
        lines.append({
            "id": line["id"], "rowNumber": line["rowNumber"],
            "article": {"articleSystemId": line["articleSystemId"], "articleNumber": article["articleNumber"],
                        "articleName": article["data"].get("articleName"),
                        "productCode": article["data"].get("productCode")},
            "comment": d.get("comment"), "rowPrice": d.get("rowPrice"),
            "advisedNumberOfItems": _advised_json(state, line),
            "receivedNumberOfItems": line["received"], "reportedNumberOfItems": line["reported"],
            "articleItems": [_article_item(i) for i in line["articleItems"]] or None,
            "subPurchaseOrderLines": None, "externalOrderLineId": d.get("externalOrderLineId"),
            "lineType": _code_name(d.get("lineType")), "freeValues": None, "inDate": d.get("inDate"),
            "textLines": None,
        })
    return {
        "goodsOwner": state.goods_owner,
        "supplierInfo": {"supplierNumber": supplier.get("supplierNumber"),
                         "supplierName": supplier.get("supplierName")} if supplier else None,
        "purchaseOrderInfo": {
            "purchaseOrderId": po["purchaseOrderId"], "purchaseOrderNumber": po["purchaseOrderNumber"],
            **{k: h.get(k) for k in ("supplierOrderNumber", "goodsOwnerReference", "referenceNumber")},
            "purchaseOrderStatus": status_json(po["status"], state.purchase_order_statuses()),
            "purchaseOrderType": _code_name(h.get("purchaseOrderType")), "inDate": h.get("inDate"),
            "purchaseOrderRemark": h.get("purchaseOrderRemark"),
            "warehouse": {"id": 1, "code": state.settings.warehouse, "name": state.settings.warehouse},
            "createdDate": po["createdDate"],
            "advanced": {"arrivalDate": po["lastReceiveTime"], "orderDate": advanced.get("orderDate"),
                         "container": advanced.get("container"),
                         "purchaseOrderIsReturnType": advanced.get("purchaseOrderIsReturnType", False),
                         "advisedDate": advanced.get("advisedDate")},
            "freeValues": {**{k: free.get(k) for k in ("freeText1", "freeText2", "freeText3", "freeText4",
                                                      "freeText5", "freeDecimal1", "freeDecimal2")},
                           "freeBool1": free.get("freeBoolean1"), "freeBool2": free.get("freeBoolean2")}
            if free else None,
            "invoiceNumber": h.get("invoiceNumber"), "createdByUser": {"userName": state.settings.username},
        },
        "purchaseOrderLines": lines or None,
        "sellerInfo": None, "classes": None, "textLines": None,
    }
