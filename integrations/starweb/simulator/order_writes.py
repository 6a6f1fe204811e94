"""Building and saving orders: defaults, snapshots of method names, totals, stock and status effects.

Every write goes through ``save_order`` with the order as it was and as it will be, so stock,
e-mails and payment records are decided from the difference, in one place, whichever endpoint
(order, items, addresses, comments) made the change.

Inferred behaviour (no Starweb source describes it): placing items takes the units from the
matching variant's ``stockQuantity`` (by SKU); removing an item, lowering its quantity or moving
the order to ``canceled`` puts them back, and leaving ``canceled`` takes them again.
"""

from __future__ import annotations

import copy
from typing import Any

from integrations.starweb.simulator import catalogue
from integrations.starweb.simulator.bookkeeping import (
    order_totals,
    reserved_stock,
    should_send_created_email,
    should_send_status_email,
    stock_returns,
)
from integrations.starweb.simulator.clock import parse_iso, to_iso
from integrations.starweb.simulator.errors import bad_request
from integrations.starweb.simulator.order_bodies import CALL_FLAGS, SUB_RESOURCES
from integrations.starweb.simulator.state import (
    EMAIL,
    FIRST_ORDER_ID,
    ORDER,
    ORDER_STATUS,
    PAYMENT,
    PRODUCT,
    VARIANT,
    SimState,
)
from integrations.starweb.simulator.web_hook_calls import announce_order_change

Doc = dict[str, Any]

ORDER_DEFAULTS: Doc = {
    "sendEmailsOnStatusChange": True, "isComplete": True, "isRead": False, "shippingCost": 0.0,
    "shippingVatRate": 25.0, "paymentFee": 0.0, "paymentVatRate": 25.0, "amountPaid": 0.0,
    "currencyExchangeRate": 1.0, "currencyPrecision": 2,
}


def new_order(state: SimState, fields: Doc) -> Doc:
    """A fresh order document from POST fields (flags and sub-resources are handled separately)."""
    shop = state.shop()
    now = state.now_iso()
    order: Doc = {**ORDER_DEFAULTS, "createdAt": now, "currencyCode": shop["baseCurrency"],
                  "baseCurrencyCode": shop["baseCurrency"], "shopCountryCode": shop["shopCountryCode"],
                  "langCode": shop["defaultLangCode"], "items": [], "addresses": {}, "comments": [],
                  "externalServices": []}
    if fields.get("statusId") is None:
        created = catalogue.status_by_code(state, "created")
        order["statusId"] = created["statusId"] if created else None
    set_order_fields(state, order, fields)
    order["orderId"] = state.allocate_id(ORDER, FIRST_ORDER_ID)
    return order


def set_order_fields(state: SimState, order: Doc, fields: Doc) -> None:
    """Copy writable fields onto the order, checking references and snapshotting method details."""
    scalars = {k: v for k, v in fields.items() if k not in CALL_FLAGS and k not in SUB_RESOURCES}
    if scalars.get("createdAt") is not None:
        try:
            scalars["createdAt"] = to_iso(parse_iso(scalars["createdAt"]))
        except ValueError:
            raise bad_request("createdAt: not an ISO-8601 timestamp") from None
    if "statusId" in scalars and scalars["statusId"] is None and order.get("statusId") is not None:
        raise bad_request("statusId: an order always has a status")
    if scalars.get("statusId") is not None:
        catalogue.require_status(state, scalars["statusId"])
    if scalars.get("shippingTrackerType") is not None:
        catalogue.require_tracking_type(state, scalars["shippingTrackerType"])
    if scalars.get("shippingMethodId") is not None:
        method = catalogue.require_shipping_method(state, scalars["shippingMethodId"])
        order["shippingMethodExternalId"] = method.get("externalId")
        if not scalars.get("shippingMethodName"):
            order["shippingMethodName"] = (catalogue.language_name(method.get("languages"), "sv") or "")[:30]
    if scalars.get("paymentMethodId") is not None:
        method = catalogue.require_payment_method(state, scalars["paymentMethodId"])
        order["paymentMethodIdCode"] = method.get("idCode")
        order["paymentMethodExternalId"] = method.get("externalId")
        if not scalars.get("paymentMethodName"):
            order["paymentMethodName"] = (catalogue.language_name(method.get("languages"), "sv") or "")[:50]
    order.update(scalars)
    if "addresses" in fields and fields["addresses"] is not None:
        slots = order.setdefault("addresses", {})
        slots.update({slot: address for slot, address in fields["addresses"].items() if address is not None})
    if "items" in fields and fields["items"] is not None:
        order["items"] = [new_item(state, item, index) for index, item in enumerate(fields["items"])]


def new_item(state: SimState, fields: Doc, sort_index: int, *, item_id: int | None = None) -> Doc:
    """An order row; name and price default from the catalogue entry with the same SKU."""
    variant = state.variant_by_sku(fields["sku"]) if fields.get("sku") else None
    item: Doc = {"quantity": 1, "unitSymbol": "st", "vatRate": 25.0, "discount": 0.0, "discountType": "percent",
                 "sortIndex": sort_index}
    if variant is not None:
        item["description"] = catalogue.product_name_for_sku(state, variant)
        item["unitPrice"] = catalogue.default_price(variant)
    item.update({k: v for k, v in fields.items() if v is not None})
    item.setdefault("unitPrice", 0.0)
    item["itemId"] = item_id or state.allocate_id("order_item")
    return item


def save_order(state: SimState, before: Doc | None, order: Doc, flags: Doc | None = None) -> Doc:
    """Recompute, bump ``modifiedAt``, move stock and fire status effects; then store the order."""
    flags = flags or {}
    variants = catalogue.variants_by_sku(state)
    weights = {sku: float(v.get("weightInKg") or 0.0) for sku, v in variants.items()}
    order.update(order_totals(order, weights))
    order["modifiedAt"] = state.now_iso()
    order["_changeSeq"] = state.change_sequence()
    held_before = reserved_stock(before, canceled=catalogue.is_canceled_status(state, before.get("statusId"))) \
        if before else {}
    held_after = reserved_stock(order, canceled=catalogue.is_canceled_status(state, order.get("statusId")))
    move_stock(state, variants, stock_returns(held_before, held_after))
    if before is None:
        if should_send_created_email(request_flag=flags.get("onOrderStatusChangeSendEmail"),
                                     order_flag=order.get("sendEmailsOnStatusChange")):
            send_email(state, order, kind="order_created")
    elif before.get("statusId") != order.get("statusId"):
        on_status_change(state, before, order, flags)
    state.store.put(ORDER, order["orderId"], order)
    announce_order_change(state, before, order)
    return order


def on_status_change(state: SimState, before: Doc, order: Doc, flags: Doc) -> None:
    status = catalogue.require_status(state, order["statusId"])
    if should_send_status_email(status, request_flag=flags.get("onOrderStatusChangeSendEmail"),
                                order_flag=order.get("sendEmailsOnStatusChange")):
        send_email(state, order, kind="status_change")
    payment_id = state.allocate_id(PAYMENT)
    state.store.put(PAYMENT, payment_id, {
        "paymentId": payment_id, "orderId": order["orderId"], "paymentMethodId": order.get("paymentMethodId"),
        "paymentMethodIdCode": order.get("paymentMethodIdCode"), "fromStatusId": before.get("statusId"),
        "toStatusId": order["statusId"], "toStatusIdCode": status.get("idCode"),
        "processed": flags.get("onOrderStatusChangeProcessPayment") is not False, "recordedAt": state.now_iso(),
    })


def send_email(state: SimState, order: Doc, *, kind: str) -> None:
    status = state.store.get(ORDER_STATUS, order.get("statusId") or 0) or {}
    email_id = state.allocate_id(EMAIL)
    state.store.put(EMAIL, email_id, {
        "emailId": email_id, "orderId": order["orderId"], "statusId": order.get("statusId"),
        "statusIdCode": status.get("idCode"),
        "statusName": catalogue.language_name(status.get("languages"), order.get("langCode")),
        "to": order.get("originalCustomerEmail"), "shippingTrackingNo": order.get("shippingTrackingNo"),
        "sentAt": state.now_iso(), "kind": kind,
    })


def move_stock(state: SimState, variants: dict[str, Doc], returns: dict[str, int]) -> None:
    """Add ``returns`` (negative: take) to the variants' stock; SKUs not in the catalogue are ignored."""
    now = state.now_iso()
    for sku, delta in returns.items():
        variant = variants.get(sku)
        if variant is None:
            continue
        variant["stockQuantity"] = int(variant.get("stockQuantity") or 0) + delta
        state.store.put(VARIANT, variant["variantId"], variant)
        product = state.store.get(PRODUCT, variant["_productId"])
        if product is not None:
            product["modifiedAt"] = now
            state.store.put(PRODUCT, product["productId"], product)


def snapshot(order: Doc) -> Doc:
    """A deep copy to compare against after a change."""
    return copy.deepcopy(order)
