"""Lookups into the shop's catalogue and settings that order handling leans on.

Order items carry no product or variant id, only a SKU, so everything an order needs from the
catalogue (weight, name, price, stock) is found by SKU. Referenced shipping methods, payment
methods, tracking types and statuses must exist, otherwise the write is refused with a 400.
"""

from __future__ import annotations

from typing import Any

from integrations.starweb.simulator.errors import bad_request
from integrations.starweb.simulator.state import (
    ORDER_STATUS,
    PAYMENT_METHOD,
    PRODUCT,
    SHIPPING_METHOD,
    TRACKING_TYPE,
    SimState,
)

Doc = dict[str, Any]


def language_name(languages: list[Doc] | None, lang_code: str | None = None) -> str | None:
    """The name in the wanted language, else the first one given."""
    entries = languages or []
    chosen = next((e for e in entries if e.get("langCode") == lang_code), entries[0] if entries else None)
    return chosen.get("name") if chosen else None


def product_name_for_sku(state: SimState, variant: Doc) -> str | None:
    product = state.store.get(PRODUCT, variant.get("_productId") or 0)
    return language_name(product.get("languages"), "sv") if product else None


def default_price(variant: Doc) -> float | None:
    prices = variant.get("prices") or []
    standard = next((p for p in prices if p.get("pricelistId") == 1), prices[0] if prices else None)
    return standard.get("priceExVat") if standard else None


def require_status(state: SimState, status_id: int) -> Doc:
    status = state.store.get(ORDER_STATUS, status_id)
    if status is None:
        raise bad_request(f"statusId: unknown order status {status_id}")
    return status


def status_by_code(state: SimState, id_code: str) -> Doc | None:
    return next((s for s in state.store.all(ORDER_STATUS) if s.get("idCode") == id_code), None)


def is_canceled_status(state: SimState, status_id: int | None) -> bool:
    status = state.store.get(ORDER_STATUS, status_id or 0)
    return bool(status and status.get("idCode") == "canceled")


def require_shipping_method(state: SimState, method_id: int) -> Doc:
    method = state.store.get(SHIPPING_METHOD, method_id)
    if method is None:
        raise bad_request(f"shippingMethodId: unknown shipping method {method_id}")
    return method


def require_payment_method(state: SimState, method_id: int) -> Doc:
    method = state.store.get(PAYMENT_METHOD, method_id)
    if method is None:
        raise bad_request(f"paymentMethodId: unknown payment method {method_id}")
    return method


def require_tracking_type(state: SimState, tracking_type: int) -> None:
    if state.store.get(TRACKING_TYPE, tracking_type) is None:
        raise bad_request(f"shippingTrackerType: unknown shipping tracking type {tracking_type}")
