"""An outbound order as Ongoing returns it: ``GetOrderModel`` with every v57 member, nulls where absent.

Ongoing serialises absent objects and empty collections as ``null`` (a new order has ``"tracking":
null``), so the simulator does too. Line quantities: allocated = what was picked for the line, packed =
what has left the warehouse with a shipment.
"""

from __future__ import annotations

from typing import Any

from integrations.ongoing.simulator.state import Doc, SimState
from integrations.ongoing.simulator.statuses import status_json


def _or_null(items: list[Any]) -> list[Any] | None:
    return items or None


def _code_name(value: dict[str, Any] | None) -> dict[str, Any] | None:
    return {"code": value.get("code"), "name": value.get("name")} if value else None


def _notification(value: dict[str, Any] | None) -> dict[str, Any] | None:
    return {"toBeNotified": value.get("toBeNotified"), "value": value.get("value")} if value else None


def _invoice_notifications(advanced: dict[str, Any] | None) -> dict[str, Any] | None:
    if not advanced:
        return None
    return {kind: {"value": advanced[kind].get("value")} if advanced.get(kind) else None
            for kind in ("telephoneNotification", "emailNotification", "smsNotification")}


def transporter_json(state: SimState, ref: dict[str, Any] | None) -> dict[str, Any] | None:
    if not ref:
        return None
    contract = next((c for c in state.transporter_contracts() if c["transporterCode"] == ref["code"]), {})
    service: dict[str, Any] = next((s for s in contract.get("transporterServices", [])
                    if s["transporterServiceCode"] == ref.get("serviceCode")), {})
    return {"transporterName": contract.get("transporterName"), "name": service.get("transporterServiceName"),
            "code": ref["code"], "serviceCode": ref.get("serviceCode"), "transporterContract": None,
            "serviceComment": None}


def _parcel_ref(order: Doc, parcel_id: int | None) -> dict[str, Any] | None:
    parcel = next((p for p in order["parcels"] if p["id"] == parcel_id), None)
    if parcel is None:
        return None
    return {"id": parcel["id"], "parcelNumber": parcel["parcelNumber"], "parcelType": None, "advanced": None,
            "parentParcel": None}


def _picked_item(order: Doc, item: Doc, location: str) -> dict[str, Any]:
    return {
        "secondNumberOfItems": None, "articleItemId": item["articleItemId"], "numberOfItems": item["numberOfItems"],
        "inDate": None, "serial": None, "caseNumber": None, "batchNumber": None, "container": None, "comment": None,
        "weight": None, "volume": None, "isPicked": True, "isReturned": item["isReturned"], "expiryDate": None,
        "returnDate": item["returnDate"], "pickedTime": item["pickedTime"], "returnCause": item["returnCause"],
        "location": location, "locationTypeCode": None, "articleItemStatus": None, "freeText1": None,
        "packedTime": item["packedTime"], "handling": None, "parcel": _parcel_ref(order, item["parcelId"]),
        "zoneName": None, "purchaseOrderInfo": None, "originalArticleItemId": None, "productionDateDate": None,
    }


def _line(order: Doc, line: Doc, articles: dict[int, Doc]) -> dict[str, Any]:
    d = line["data"]
    article = articles.get(line["articleSystemId"], {"articleNumber": None, "data": {}})
    location = f"A{line['articleSystemId'] % 100:02d}"
    prices = d.get("prices")
    free = d.get("lineFreeValues")
    return {
        "id": line["id"], "rowNumber": line["rowNumber"],
        "article": {"articleSystemId": line["articleSystemId"], "articleNumber": article["articleNumber"],
                    "articleName": article["data"].get("articleName"),
                    "productCode": article["data"].get("productCode"), "articleKind": None},
        "comment": d.get("comment"),
        "orderedNumberOfItems": line["ordered"], "allocatedNumberOfItems": line["picked"],
        "pickedNumberOfItems": line["picked"], "packedNumberOfItems": line["shipped"],
        "reportedNumberOfItems": line["reported"], "shouldBePicked": d.get("shouldBePicked", True),
        "pickedArticleItems": _or_null([_picked_item(order, item, location) for item in line["pickedItems"]]),
        "subOrderLines": None, "serialNumber": d.get("serialNumber"),
        "lineTotalCustomsValue": d.get("lineTotalCustomsValue"), "batchNumber": d.get("batchNumber"),
        "reportedReturnedNumberOfItems": line["reportedReturned"], "lineType": _code_name(d.get("lineType")),
        "prices": {key: prices.get(key) for key in ("linePrice", "customerLinePrice", "currencyCode",
                                                     "discountPercentage")} if prices else None,
        "customerArticleNumber": d.get("customerArticleNumber"), "externalId": d.get("externalId"),
        "returnedNumberOfItems": line["returned"],
        "freeValues": {"freeText1": free.get("freeText1"), "freeDecimal1": free.get("freeDecimal1")} if free else None,
        "minDaysToExpiryDate": d.get("minDaysToExpiryDate"), "maxDaysToExpiryDate": d.get("maxDaysToExpiryDate"),
        "deliveryDate": d.get("deliveryDate"), "warehouseInstruction": d.get("warehouseInstruction"),
        "vat": {"code": d["vat"].get("code"), "percent": d["vat"].get("percent")} if d.get("vat") else None,
        "pickOrderInfo": None,
    }


def _order_info(state: SimState, order: Doc, statuses: dict[int, str]) -> dict[str, Any]:
    h = order["header"]
    advanced = h.get("advanced") or {}
    market = h.get("marketPlace")
    return {
        "orderId": order["orderId"], "orderNumber": order["orderNumber"],
        **{key: h.get(key) for key in ("goodsOwnerOrderId", "referenceNumber", "salesCode", "orderRemark",
                                       "deliveryInstruction", "servicePointCode", "freeText1", "freeText2",
                                       "freeText3")},
        "orderType": _code_name(h.get("orderType")), "wayOfDelivery": _code_name(h.get("wayOfDelivery")),
        "deliveryDate": h.get("deliveryDate"), "createdDate": order["createdDate"],
        "shippedTime": order["shippedTime"], "wayBill": order["wayBill"], "returnWayBill": order["returnWayBill"],
        "orderStatus": status_json(order["status"], statuses),
        "emailNotification": _notification(h.get("emailNotification")),
        "smsNotification": _notification(h.get("smsNotification")),
        "telephoneNotification": _notification(h.get("telephoneNotification")),
        "orderedNumberOfItems": sum(line["ordered"] for line in order["lines"]),
        "allocatedNumberOfItems": sum(line["picked"] for line in order["lines"]),
        "pickedNumberOfItems": sum(line["picked"] for line in order["lines"]),
        "customsInfo": {"customsValueCurrencyCode": h["customsInfo"].get("customsValueCurrencyCode")}
        if h.get("customsInfo") else None,
        "preparedTransportDocumentId": h.get("preparedTransportDocumentId"),
        "warehouse": {"id": 1, "code": state.settings.warehouse, "name": state.settings.warehouse},
        "termsOfDeliveryType": _code_name(h.get("termsOfDeliveryType")),
        **{key: h.get(key) for key in ("customerPrice", "consigneeOrderNumber", "warehouseInstruction")},
        "marketPlace": {"marketPlace": market.get("marketPlace"),
                        "marketPlaceOrderNumber": market.get("marketPlaceOrderNumber")} if market else None,
        "pickingPriority": h.get("pickingPriority"), "productionCode": h.get("productionCode"),
        "advanced": {"invoiceNumber": advanced.get("invoiceNumber"), "arrivalDate": advanced.get("arrivalDate"),
                     "deliveryDateWithTime": h.get("deliveryDate"), "backOrderInfo": None,
                     "orderHeaderUpdated": order["updatedTime"], "transportPaymentType": None},
        "freightPrice": h.get("freightPrice"), "invoiceUrl": h.get("invoiceUrl"),
        "orderFreeDateTime1": h.get("orderFreeDateTime1"), "sortLocation": None,
    }


def _consignee(order: Doc) -> dict[str, Any]:
    c = order["consignee"]
    advanced = c.get("advanced") or {}
    invoice = c.get("invoiceAddress")
    return {
        **{key: c.get(key) for key in ("customerNumber", "name", "address1", "address2", "address3", "postCode",
                                       "city", "countryCode", "countryStateCode", "remark", "doorCode")},
        "advanced": {kind: _notification(advanced.get(kind)) for kind in (
            "telephoneNotification", "emailNotification", "smsNotification")} if advanced else None,
        "invoiceAddress": {
            **{key: invoice.get(key) for key in ("name", "address1", "address2", "address3", "postCode", "city",
                                                 "countryCode", "countryStateCode")},
            "advanced": _invoice_notifications(invoice.get("advanced"))} if invoice else None,
        "id": order["consigneeId"],
    }


def _tracking(entries: list[Doc]) -> list[dict[str, Any]] | None:
    return _or_null([{"freightPrice": None, "trackingUrl": t["trackingUrl"], "waybill": t["waybill"],
                      "created": t["created"]} for t in entries])


def _parcel(parcel: Doc) -> dict[str, Any]:
    return {"id": parcel["id"], "parcelNumber": parcel["parcelNumber"], "isReturnParcel": False,
            "tracking": {"freightPrice": None, "trackingUrl": parcel["trackingUrl"]} if parcel.get("trackingUrl")
            else None,
            "advanced": {"parcelSerialNumber": None, "length": None, "width": None, "height": None,
                         "weight": parcel.get("weight")}}


def render_order(state: SimState, order: Doc, articles: dict[int, Doc] | None = None,
                 statuses: dict[int, str] | None = None) -> dict[str, Any]:
    """Pass ``articles`` (by id) and ``statuses`` when rendering many orders, to look them up once."""
    if articles is None:
        articles = state.articles_by_id(line["articleSystemId"] for line in order["lines"])
    statuses = statuses if statuses is not None else state.order_statuses()
    text_lines = (order["header"].get("advanced") or {}).get("orderTextLines")
    return {
        "goodsOwner": state.goods_owner,
        "orderInfo": _order_info(state, order, statuses),
        "consignee": _consignee(order),
        "parcels": _or_null([_parcel(p) for p in order["parcels"]]),
        "orderLines": _or_null([_line(order, line, articles) for line in order["lines"]]),
        "transporter": transporter_json(state, order["transporter"]),
        "returnTransporter": transporter_json(state, order["returnTransporter"]),
        "tracking": _tracking(order["tracking"]),
        "classes": _or_null([_code_name(c) for c in order["header"].get("classes") or []]),
        "shipmentInfo": None,
        "returnTracking": _tracking(order["returnTracking"]),
        "advanced": {"orderTextLines": text_lines or None},
    }
