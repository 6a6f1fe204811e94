"""The shop's read-only registers: ``/shop``, ``/shipping-methods``, ``/payment-methods`` and
``/shipping-tracking-types``, each a whole list (not paged) or one entry.

Starweb offers no way to change these through the API; the simulator fills them from the demo data
on ``/_sim/seed``. Method names live in ``languages``, answered as ``{"data": [...]}``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from integrations.starweb.simulator.envelopes import collection, single, with_nulls
from integrations.starweb.simulator.state import PAYMENT_METHOD, SHIPPING_METHOD, TRACKING_TYPE, SimState

Doc = dict[str, Any]

SHIPPING_METHOD_FIELDS = (
    "shippingMethodId", "active", "validForCountries", "validCountriesSelected", "validForMinItemsSubtotal",
    "validForMaxItemsSubtotal", "validForMinWeight", "validForMaxWeight", "validForCustomerType",
    "freeShippingMinItemsSubtotal", "freeShippingMinWeight", "isClickAndCollect", "externalId",
)
PAYMENT_METHOD_FIELDS = (
    "paymentMethodId", "idCode", "active", "fee", "validForCountries", "validCountriesSelected",
    "validForMinItemsSubtotal", "validForMaxItemsSubtotal", "validForMinWeight", "validForMaxWeight",
    "validForShippingMethods", "validForCustomerType", "isClickAndCollect", "externalId",
)
METHOD_LANGUAGE_FIELDS = ("langCode", "name", "title", "shortDescription")


def render_method(method: Doc, fields: tuple[str, ...]) -> Doc:
    body = with_nulls(method, fields)
    body["languages"] = {"data": [with_nulls(lang, METHOD_LANGUAGE_FIELDS) for lang in method.get("languages") or []]}
    return body


def shop_router(state: SimState) -> APIRouter:
    router = APIRouter()

    def by_id(kind: str, id_field: str) -> list[Doc]:
        return sorted(state.store.all(kind), key=lambda doc: doc[id_field])

    @router.get("/shop")
    def get_shop() -> dict[str, Any]:
        return single(state.shop())

    @router.get("/shipping-methods")
    def list_shipping_methods() -> dict[str, Any]:
        methods = by_id(SHIPPING_METHOD, "shippingMethodId")
        return collection([render_method(m, SHIPPING_METHOD_FIELDS) for m in methods])

    @router.get("/shipping-methods/{method_id}")
    def get_shipping_method(method_id: int) -> dict[str, Any]:
        method = state.require(SHIPPING_METHOD, method_id, f"Shipping method {method_id}")
        return single(render_method(method, SHIPPING_METHOD_FIELDS))

    @router.get("/payment-methods")
    def list_payment_methods() -> dict[str, Any]:
        methods = by_id(PAYMENT_METHOD, "paymentMethodId")
        return collection([render_method(m, PAYMENT_METHOD_FIELDS) for m in methods])

    @router.get("/payment-methods/{method_id}")
    def get_payment_method(method_id: int) -> dict[str, Any]:
        method = state.require(PAYMENT_METHOD, method_id, f"Payment method {method_id}")
        return single(render_method(method, PAYMENT_METHOD_FIELDS))

    @router.get("/shipping-tracking-types")
    def list_tracking_types() -> dict[str, Any]:
        return collection([with_nulls(t, ("type", "name")) for t in by_id(TRACKING_TYPE, "type")])

    return router
