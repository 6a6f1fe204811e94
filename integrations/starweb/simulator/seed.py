"""The demo shop ``/_sim/seed`` installs, from ``integrations.simulation.demo_data``.

Registers (shop, order statuses, shipping and payment methods, tracking types) are written with
fixed ids, so seeding again restores them unchanged. Products are created only for SKUs the shop
does not have yet, with the demo stock; an existing product is left as it is, so seeding twice
yields the same shop and a running scenario keeps its stock. The bulk seed adds a made-up catalogue of
any size the same way (``integrations.simulation.bulk_catalogue``), for benchmarks.
"""

from __future__ import annotations

from typing import Any

from integrations.simulation.bulk_catalogue import BulkCatalogueBody, BulkProduct, bulk_products
from integrations.simulation.demo_data import (
    DEMO_ORDER_STATUSES,
    DEMO_PAYMENT_METHODS,
    DEMO_PRODUCTS,
    DEMO_SHIPPING_METHODS,
    DEMO_TRACKING_TYPES,
    DemoProduct,
)
from integrations.starweb.simulator.product_docs import PRODUCT_DEFAULTS, new_variant
from integrations.starweb.simulator.state import (
    ORDER_STATUS,
    PAYMENT_METHOD,
    PRODUCT,
    SHIPPING_METHOD,
    SHOP,
    TRACKING_TYPE,
    SimState,
    default_shop,
)

Doc = dict[str, Any]
_UNRESTRICTED: Doc = {
    "active": True, "validForCountries": "all", "validCountriesSelected": [], "validForMinItemsSubtotal": None,
    "validForMaxItemsSubtotal": None, "validForMinWeight": None, "validForMaxWeight": None,
    "validForCustomerType": None, "isClickAndCollect": False,
}


def _names(name: str) -> list[Doc]:
    return [{"langCode": "sv", "name": name, "title": name, "shortDescription": None}]


def seed_demo_shop(state: SimState) -> dict[str, int]:
    store = state.store
    with store.transaction():
        store.put(SHOP, "shop", default_shop(state.settings.shop_id_code))
        for status_id, id_code, name, send_email in DEMO_ORDER_STATUSES:
            store.put(ORDER_STATUS, status_id, {"statusId": status_id, "idCode": id_code,
                                                "shouldSendEmail": send_email,
                                                "languages": [{"langCode": "sv", "name": name}]})
        for method_id, name, external_id in DEMO_SHIPPING_METHODS:
            store.put(SHIPPING_METHOD, method_id, {
                "shippingMethodId": method_id, **_UNRESTRICTED, "isClickAndCollect": external_id is None,
                "freeShippingMinItemsSubtotal": None, "freeShippingMinWeight": None, "externalId": external_id,
                "languages": _names(name)})
        for tracking_type, name in DEMO_TRACKING_TYPES:
            store.put(TRACKING_TYPE, tracking_type, {"type": tracking_type, "name": name})
        for method_id, id_code, name in DEMO_PAYMENT_METHODS:
            store.put(PAYMENT_METHOD, method_id, {
                "paymentMethodId": method_id, "idCode": id_code, **_UNRESTRICTED, "fee": 0.0,
                "validForShippingMethods": "all", "externalId": None, "languages": _names(name)})
        created = sum(_seed_product(state, product) for product in DEMO_PRODUCTS)
    return {"orderStatuses": len(DEMO_ORDER_STATUSES), "shippingMethods": len(DEMO_SHIPPING_METHODS),
            "paymentMethods": len(DEMO_PAYMENT_METHODS), "shippingTrackingTypes": len(DEMO_TRACKING_TYPES),
            "productsCreated": created}


def _seed_product(state: SimState, demo: DemoProduct) -> int:
    if any(state.variant_by_sku(variant.sku) for variant in demo.variants):
        return 0
    now = state.now_iso()
    product = {**PRODUCT_DEFAULTS, "productId": state.allocate_id(PRODUCT), "createdAt": now, "modifiedAt": now,
               "visibility": "visible", "defaultVatRate": "25", "languages": [{"langCode": "sv", "name": demo.name}]}
    state.store.put(PRODUCT, product["productId"], product)
    for index, variant in enumerate(demo.variants):
        new_variant(state, product["productId"], {
            "sku": variant.sku, "ean": variant.ean, "mpn": variant.mpn, "weightInKg": variant.weight_kg,
            "stockQuantity": variant.shop_stock, "sortIndex": index,
            "prices": [{"pricelistId": 1, "priceExVat": variant.price_ex_vat, "specialPriceExVat": None}],
        })
    return 1


def seed_bulk_catalogue(state: SimState, body: BulkCatalogueBody) -> dict[str, int]:
    """Add the bulk catalogue's products whose SKUs the shop does not sell yet, each variant with
    ``body.stock`` units, in one transaction."""
    with state.store.transaction():
        created = sum(_seed_bulk_product(state, product, body.stock) for product in bulk_products(body))
    return {"productsCreated": created}


def _seed_bulk_product(state: SimState, bulk: BulkProduct, stock: int) -> int:
    if any(state.variant_by_sku(variant.sku) for variant in bulk.variants):
        return 0
    now = state.now_iso()
    product = {**PRODUCT_DEFAULTS, "productId": state.allocate_id(PRODUCT), "createdAt": now, "modifiedAt": now,
               "visibility": "visible", "defaultVatRate": "25", "languages": [{"langCode": "sv", "name": bulk.name}]}
    state.store.put(PRODUCT, product["productId"], product)
    for index, variant in enumerate(bulk.variants):
        new_variant(state, product["productId"], {
            "sku": variant.sku, "ean": variant.ean, "weightInKg": variant.weight_kg, "stockQuantity": stock,
            "sortIndex": index,
            "prices": [{"pricelistId": 1, "priceExVat": variant.price_ex_vat, "specialPriceExVat": None}],
        })
    return 1
