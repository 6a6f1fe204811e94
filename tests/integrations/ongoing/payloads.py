"""Ongoing v57 response bodies as the vendor sends them, for the client tests.

Shapes follow Ongoing's published GetOrderModel, GetArticleModel, GetPurchaseOrderModel and
GetReturnOrderModel: camelCase members, absent values as ``null``, status texts localised to
Swedish, and the odd spellings the vendor really uses (``purcaseCurrencyCode``, ``wayBill``).
"""

from __future__ import annotations

from typing import Any

GOODS_OWNER_ID = 159


def article_json(article_system_id: int, article_number: str, *, sellable: float = 11.0) -> dict[str, Any]:
    return {
        "goodsOwner": {"id": GOODS_OWNER_ID, "name": "Fjällbutiken"},
        "articleSystemId": article_system_id,
        "articleNumber": article_number,
        "articleName": "Ullstrumpa Merino 36-38",
        "productCode": "MER-S",
        "unitCode": "St",
        "description": None,
        "isStockArticle": True,
        "isActive": True,
        "supplierInfo": {"supplierArticleNumber": "MER-S", "supplierNumber": "SUP1", "supplierName": None,
                         "alternativeSuppliers": None},
        "barCodeInfo": {"barCode": "7350001000036", "barCodePackage": None, "barCodePallet": None,
                        "alternativeBarCodes": None},
        "quantityPerPackage": 0,
        "quantityPerPallet": 0,
        "weight": 0.08,
        "length": None, "width": None, "height": None, "volume": None,
        "purchasePrice": 40.0,
        "stockValuationPrice": 0.0,
        "customerPrice": 149.0,
        "purcaseCurrencyCode": "SEK",
        "countryOfOriginCode": "SE",
        "statisticsNumber": None,
        "articleGroup": None,
        "articleCategory": None,
        "inventoryInfo": {
            "numberOfItems": 14.0,
            "numberOfBookedItems": 3.0,
            "numberOfLockedItems": 0.0,
            "toReceiveNumberOfItems": 20.0,
            "allocatedNumberOfItems": 1.0,
            "lockedForSaleNumberOfItems": 1.0,
            "pickedToBeCollectedNumberOfItems": 0.0,
            "receivedToBeFinishedNumberOfItems": 0.0,
            "lastInDate": "2026-10-10T08:32:53.083Z",
            "sellableNumberOfItems": sellable,
            "totalStockValue": 0.0,
            "reported": {"pickedToBeReportedNumberOfItems": 2.0, "returnedToBeReportedNumberOfItems": 0.0,
                         "receivedToBeReportedNumberOfItems": None},
        },
        "articleDataLastUpdated": "2026-10-09T12:00:00Z",
        "articleKind": None,
        "freeValues": None,
        "classes": None,
        "storageProperties": {"isObsolete": False, "isSerialNumberArticle": False, "isBatchArticle": False,
                              "isExpiryDateArticle": False},
        "linkToPicture": None,
    }


def order_json(order_id: int, order_number: str, *, status: int = 450, status_text: str = "Skickad",
               line_ids: tuple[int, ...] = (48838,)) -> dict[str, Any]:
    """A shipped order with one parcel, a tracking number and a return label, as GET /orders shows it."""
    return {
        "goodsOwner": {"id": GOODS_OWNER_ID, "name": "Fjällbutiken"},
        "orderInfo": {
            "orderId": order_id,
            "orderNumber": order_number,
            "goodsOwnerOrderId": order_number.removeprefix("SW-"),
            "referenceNumber": None,
            "salesCode": None,
            "orderRemark": "Lämna vid dörren",
            "deliveryInstruction": None,
            "servicePointCode": "3232323",
            "freeText1": None, "freeText2": None, "freeText3": None,
            "orderType": None,
            "wayOfDelivery": {"code": "SCHENKER_PARCEL", "name": "DB Schenker parcel"},
            "deliveryDate": "2026-10-10",
            "createdDate": "2026-10-10T09:03:49.437Z",
            "shippedTime": "2026-10-10T15:05:47.127Z" if status >= 450 else None,
            "wayBill": "UA65456546" if status >= 450 else None,
            "returnWayBill": None,
            "orderStatus": {"number": status, "text": status_text},
            "emailNotification": {"toBeNotified": True, "value": "kund@example.se"},
            "smsNotification": {"toBeNotified": False, "value": None},
            "telephoneNotification": None,
            "orderedNumberOfItems": 2.0,
            "allocatedNumberOfItems": 2.0,
            "pickedNumberOfItems": 2.0,
            "customsInfo": {"customsValueCurrencyCode": "SEK"},
            "warehouse": {"id": 1, "code": "demo", "name": "Huvudlager"},
            "customerPrice": 398.0,
            "freightPrice": 49.0,
            "advanced": {"invoiceNumber": None, "arrivalDate": None, "deliveryDateWithTime": None,
                         "backOrderInfo": None, "orderHeaderUpdated": "2026-10-10T15:05:47.127Z",
                         "transportPaymentType": None},
        },
        "consignee": {"id": 21628, "customerNumber": "C-5531", "name": "Anna Andersson", "address1": "Storgatan 1",
                      "address2": None, "address3": None, "postCode": "11122", "city": "Stockholm",
                      "countryCode": "SE", "countryStateCode": None, "remark": None, "doorCode": "1234",
                      "advanced": None, "invoiceAddress": None},
        "parcels": [
            {"id": 207, "parcelNumber": "00376546546", "isReturnParcel": False,
             "tracking": {"trackingUrl": "https://track.example/00376546546", "freightPrice": None},
             "advanced": {"parcelSerialNumber": None, "length": None, "width": None, "height": None, "weight": 0.4}},
            {"id": 208, "parcelNumber": "00371231232", "isReturnParcel": True, "tracking": None, "advanced": None},
        ],
        "orderLines": [
            {"id": line_id, "rowNumber": str(row),
             "article": {"articleSystemId": 18069, "articleNumber": "SOCK-MER-38", "articleName": "Ullstrumpa",
                         "productCode": "", "articleKind": None},
             "comment": None,
             "orderedNumberOfItems": 2.0, "allocatedNumberOfItems": 2.0, "pickedNumberOfItems": 2.0,
             "packedNumberOfItems": 2.0, "reportedNumberOfItems": None, "returnedNumberOfItems": 0.0,
             "reportedReturnedNumberOfItems": None, "shouldBePicked": True,
             "pickedArticleItems": [
                 {"articleItemId": 59290, "numberOfItems": 2.0, "serial": None, "batchNumber": None,
                  "isPicked": True, "isReturned": False, "pickedTime": "2026-10-10T09:05:38.743Z",
                  "packedTime": None, "returnDate": None, "returnCause": None, "location": "A15",
                  "parcel": {"id": 207, "parcelNumber": "00376546546", "parcelType": None, "advanced": None,
                             "parentParcel": None}},
             ],
             "subOrderLines": None,
             "prices": {"linePrice": 398.0, "customerLinePrice": 398.0, "currencyCode": "SEK",
                        "discountPercentage": 0.0},
             "vat": {"code": "25", "percent": 25.0},
             "externalId": None, "customerArticleNumber": None, "freeValues": None, "pickOrderInfo": None}
            for row, line_id in enumerate(line_ids, start=1)
        ],
        "transporter": {"transporterName": "DB Schenker", "name": "DB SCHENKERparcel", "code": "SBTL",
                        "serviceCode": "BPA", "transporterContract": None, "serviceComment": None},
        "returnTransporter": None,
        "tracking": [{"trackingUrl": "https://track.example/UA65456546", "waybill": "UA65456546",
                      "created": "2026-10-10T15:05:47.127Z", "freightPrice": None}] if status >= 450 else None,
        "classes": None,
        "shipmentInfo": None,
        "returnTracking": None,
        "advanced": {"orderTextLines": None},
    }


def purchase_order_json(purchase_order_id: int, number: str, *, received: float | None = 7.0) -> dict[str, Any]:
    return {
        "goodsOwner": {"id": GOODS_OWNER_ID, "name": "Fjällbutiken"},
        "supplierInfo": {"supplierNumber": "SUP1", "supplierName": "Ullfabriken AB"},
        "purchaseOrderInfo": {
            "purchaseOrderId": purchase_order_id, "purchaseOrderNumber": number, "supplierOrderNumber": None,
            "goodsOwnerReference": None, "referenceNumber": None,
            "purchaseOrderStatus": {"number": 400, "text": "Avvikelse"},
            "purchaseOrderType": None, "inDate": "2026-11-01", "purchaseOrderRemark": None,
            "warehouse": None, "createdDate": "2026-10-20T07:00:00Z",
            "advanced": {"arrivalDate": None, "orderDate": None, "container": None,
                         "purchaseOrderIsReturnType": False, "advisedDate": None},
            "freeValues": None, "invoiceNumber": None, "createdByUser": None,
        },
        "purchaseOrderLines": [
            {"id": 1201, "rowNumber": "1",
             "article": {"articleSystemId": 18069, "articleNumber": "SOCK-MER-38", "articleName": "Ullstrumpa",
                         "productCode": "MER-S"},
             "comment": None, "rowPrice": None, "advisedNumberOfItems": 10.0, "receivedNumberOfItems": received,
             "reportedNumberOfItems": None, "articleItems": None, "subPurchaseOrderLines": None,
             "externalOrderLineId": "PO-LINE-1", "lineType": None, "freeValues": None, "inDate": None,
             "textLines": None},
        ],
        "sellerInfo": None,
        "classes": None,
        "textLines": None,
    }


def return_order_json(return_order_id: int, number: str, *, order_id: int = 50163) -> dict[str, Any]:
    return {
        "returnOrderInfo": {
            "returnOrderId": return_order_id, "returnOrderNumber": number, "comment": None, "inDate": "2026-11-02",
            "returnOrderStatus": {"number": 300, "text": "Mottagen"}, "warehouse": None,
            "returnOrderHandlingComment": None, "freeValues": None, "createdDate": "2026-11-01T10:00:00Z",
            "returnOrderArrivalTime": None,
        },
        "customerOrderInfo": {"orderId": order_id, "orderNumber": "SW-100234"},
        "returnOrderLines": [
            {"returnOrderLineId": 901, "returnOrderRowNumber": "1",
             "customerOrderLine": {"orderLineId": 48838, "customerOrderRowNumber": "1"},
             "article": {"articleSystemId": 18069, "articleNumber": "SOCK-MER-38", "articleName": "Ullstrumpa"},
             "returnCause": {"code": "COMPLAINT", "name": "Reklamation"},
             "returnedNumberOfItems": 1.0, "pickedNumberOfItems": 2.0, "toBeReturnedNumberOfItems": 1.0,
             "returnedRemovedByInventoryNumberOfItems": 1.0,
             "returnedArticleItems": [
                 {"numberOfItems": 1.0, "batch": None, "serial": None, "expiryDate": None, "container": None,
                  "weight": None, "volume": None, "comment": None, "returnTime": "2026-11-02T08:00:00Z",
                  "returnComment": "Trasig söm", "isReturnRemovedByInventory": True,
                  "returnCause": {"code": "COMPLAINT", "name": "Reklamation"}, "articleItemStatus": None,
                  "articleItemCategory": None},
             ]},
        ],
    }


ORDER_STATUSES_JSON: dict[str, Any] = {"orderStatuses": [
    {"number": 150, "text": "Fel"}, {"number": 200, "text": "Öppen"}, {"number": 300, "text": "Frisläppt"},
    {"number": 320, "text": "Allokerad"}, {"number": 400, "text": "Plockad"}, {"number": 450, "text": "Skickad"},
    {"number": 500, "text": "Hämtad"}, {"number": 1000, "text": "Makulerad"},
]}

RETURN_CAUSES_JSON: dict[str, Any] = {"returnCauses": [
    {"id": 11, "code": "REGRET", "name": "Ångerköp", "isRemoveCause": False, "isChangeCause": False,
     "isReturnCommentMandatory": False},
    {"id": 13, "code": "COMPLAINT", "name": "Reklamation", "isRemoveCause": True, "isChangeCause": False,
     "isReturnCommentMandatory": True},
]}

TRANSPORTER_CONTRACTS_JSON: list[dict[str, Any]] = [
    {"ediCode": "", "transporterName": "DB Schenker", "transporterCode": "SBTL", "transporterServiceCode": "",
     "transporterServices": [{"transporterServiceName": "DB SCHENKERparcel", "transporterServiceCode": "BPA"},
                             {"transporterServiceName": "DB SCHENKERdirect", "transporterServiceCode": "BDI"}]},
    {"ediCode": None, "transporterName": "PostNord Sweden AB", "transporterCode": "PLAB",
     "transporterServiceCode": None, "transporterServices": None},
]
