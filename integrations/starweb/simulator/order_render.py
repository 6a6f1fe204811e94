"""How an order and its parts look on the wire (OrderModel, OrderItemModel, AddressModel, …).

Fields come in the spec's order with ``null`` for anything unset, write-only flags never appear,
and the ``include`` children are wrapped in ``{"data": ...}``: items and external services as
lists, addresses as an object keyed by the six address types, status as one object.
"""

from __future__ import annotations

from typing import Any

from integrations.starweb.simulator.envelopes import with_nulls
from integrations.starweb.simulator.order_bodies import ADDRESS_TYPES
from integrations.starweb.simulator.state import ORDER_STATUS, SimState

Doc = dict[str, Any]

ORDER_FIELDS = (
    "orderId", "modifiedAt", "paymentMethodExternalId", "shippingMethodExternalId", "baseCurrencyCode",
    "shopCountryCode", "totalAmount", "totalVat", "amountToPay", "totalAmountInBaseCurrency",
    "totalVatInBaseCurrency", "amountToPayInBaseCurrency", "createdAt", "customerId", "statusId",
    "sendEmailsOnStatusChange", "stockLocationId", "shippingMethodId", "paymentMethodId", "paymentMethodIdCode",
    "paymentMethodName", "paymentFee", "paymentVatRate", "shippingMethodName", "shippingCost", "shippingVatRate",
    "totalWeight", "customInfo1", "customInfo2", "customInfo3", "customInfo4", "discountCode", "amountPaid",
    "amountPaidInBaseCurrency", "isComplete", "currencyCode", "currencyExchangeRate", "currencyPrecision",
    "langCode", "paymentReference", "paymentStatus", "isRead", "hasComments", "internalComment",
    "shippingTrackerType", "shippingTrackingNo", "originalCustomerEmail", "originalCustomerNationalIdNo",
    "originalCustomerVatNo", "originalCustomerCustomInfo1", "originalCustomerCustomInfo2", "externalId",
    "externalIdType",
)
ITEM_FIELDS = ("itemId", "sku", "description", "quantity", "unitSymbol", "unitPrice", "vatRate", "discount",
               "discountType", "sortIndex")
ADDRESS_FIELDS = ("companyName", "firstName", "lastName", "careOf", "attention", "reference", "address",
                  "postalCode", "city", "state", "countryCode", "phoneNo", "mobilePhoneNo")
COMMENT_FIELDS = ("commentId", "createdAt", "text", "from")
EXTERNAL_SERVICE_FIELDS = ("serviceName", "externalIdValue", "agent", "readOnly")
ORDER_INCLUDES = ("items", "items.bundledItems", "externalServices", "status", "customer", "addresses")


def render_item(item: Doc, *, with_bundled: bool = False) -> Doc:
    body = with_nulls(item, ITEM_FIELDS)
    if with_bundled:
        body["bundledItems"] = {"data": []}  # the simulator has no bundle products
    return body


def render_address(address: Doc | None) -> Doc | None:
    return None if address is None else with_nulls(address, ADDRESS_FIELDS)


def render_addresses(order: Doc) -> Doc:
    stored = order.get("addresses") or {}
    return {slot: render_address(stored.get(slot)) for slot in ADDRESS_TYPES}


def render_comment(comment: Doc) -> Doc:
    return with_nulls(comment, COMMENT_FIELDS)


def render_external_service(service: Doc) -> Doc:
    return with_nulls(service, EXTERNAL_SERVICE_FIELDS)


def render_status(status: Doc) -> Doc:
    return {
        "statusId": status["statusId"],
        "shouldSendEmail": status.get("shouldSendEmail"),
        "idCode": status.get("idCode"),
        "languages": {"data": [{"langCode": lang.get("langCode"), "name": lang.get("name")}
                               for lang in status.get("languages") or []]},
    }


def render_order(state: SimState, order: Doc, includes: set[str]) -> Doc:
    body = with_nulls(order, ORDER_FIELDS)
    body["hasComments"] = bool(order.get("comments"))
    if "items" in includes:
        bundled = "items.bundledItems" in includes
        body["items"] = {"data": [render_item(item, with_bundled=bundled) for item in order.get("items") or []]}
    if "externalServices" in includes:
        body["externalServices"] = {"data": [render_external_service(s) for s in order.get("externalServices") or []]}
    if "status" in includes:
        status = state.store.get(ORDER_STATUS, order.get("statusId") or 0)
        body["status"] = {"data": render_status(status) if status else None}
    if "customer" in includes:
        body["customer"] = {"data": None}  # the simulator keeps no customer register
    if "addresses" in includes:
        body["addresses"] = {"data": render_addresses(order)}
    return body
