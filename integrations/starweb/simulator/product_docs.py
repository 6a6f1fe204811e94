"""Products and variants as stored and as rendered, plus the rules every product write obeys.

A product's name lives in its ``languages``; stock, weight, EAN and prices live on its variants,
which are separate documents so a SKU can be found across the catalogue. SKUs are unique across
all variants (400 otherwise). Any change to a product or one of its variants moves the product's
``modifiedAt``, which is what ``updatedSince`` compares.
"""

from __future__ import annotations

from typing import Any

from integrations.starweb.simulator.envelopes import with_nulls
from integrations.starweb.simulator.errors import bad_request
from integrations.starweb.simulator.state import PRODUCT, VARIANT, SimState

Doc = dict[str, Any]

PRODUCT_FIELDS = (
    "productId", "externalId", "externalIdType", "createdAt", "defaultVatRate", "visibility",
    "visibilityPricelistIds", "moreInfoUrl", "manufacturerId", "unitId", "sortIndex", "type",
    "isBackInStockWatchable", "bundleUseManualPrice", "priceMode", "accounting", "hasSeveralVariants", "modifiedAt",
)
VARIANT_FIELDS = (
    "variantId", "sku", "externalId", "externalIdType", "isActive", "sortIndex", "stockStatusId", "stockQuantity",
    "weightInKg", "costPrice", "ean", "mpn", "imageFileId", "attributeValueLinks",
    "volumePricingInheritancePricelistIds",
)
PRODUCT_DEFAULTS: Doc = {"visibility": "hidden", "type": "basic", "isBackInStockWatchable": True,
                         "visibilityPricelistIds": [], "priceMode": "normal", "bundleUseManualPrice": False}
VARIANT_DEFAULTS: Doc = {"isActive": True, "sortIndex": 0, "stockQuantity": 0, "attributeValueLinks": [],
                         "volumePricingInheritancePricelistIds": [], "prices": []}
LIST_COLLECTIONS = ("vatRates", "categories", "mediaFiles", "metaData", "bundledProducts", "tags", "attributes")


def render_variant(variant: Doc, includes: set[str] | frozenset[str] = frozenset()) -> Doc:
    body = with_nulls(variant, VARIANT_FIELDS)
    if "prices" in includes:
        body["prices"] = {"data": variant.get("prices") or []}
    if "attributeValues" in includes:
        body["attributeValues"] = {"data": []}  # the simulator has no variant attributes
    return body


def render_product(state: SimState, product: Doc, includes: set[str], *, one_language: bool) -> Doc:
    variants = state.variants_of(product["productId"])
    body = with_nulls(product, PRODUCT_FIELDS)
    body["hasSeveralVariants"] = len(variants) > 1
    primary = variants[0] if variants else None
    nested = {name.split(".", 1)[1] for name in includes if name.startswith("primaryVariant.")}
    if "primaryVariant" in includes:
        body["primaryVariant"] = {"data": render_variant(primary, nested) if primary else None}
    if "variants" in includes:  # the older include name; still only the one variant, as the spec notes
        body["variants"] = {"data": [render_variant(primary, nested)] if primary else []}
    if "languages" in includes:
        languages = [with_nulls(lang, ("langCode", "name", "shortDescription", "permalink"))
                     for lang in product.get("languages") or []]
        if one_language and languages:
            default = state.shop()["defaultLangCode"]
            languages = [next((lang for lang in languages if lang["langCode"] == default), languages[0])]
        body["languages"] = {"data": languages}
    for name in LIST_COLLECTIONS:
        if name in includes:
            body[name] = {"data": product.get(name) or []}
    if "unit" in includes:
        body["unit"] = {"data": None}
    return body


def check_skus_free(state: SimState, skus: list[str], *,
                    except_variant_ids: set[int] | frozenset[int] = frozenset()) -> None:
    """Refuse duplicate SKUs, within the request or against other variants in the shop."""
    if len(set(skus)) != len(skus):
        raise bad_request("sku: the same SKU is given more than once")
    holders = state.variants_by_sku(skus)
    clash = next((sku for sku in skus if sku in holders and holders[sku]["variantId"] not in except_variant_ids), None)
    if clash is not None:
        raise bad_request(f"sku: {clash} is already used by another variant")


def new_variant(state: SimState, product_id: int, fields: Doc) -> Doc:
    if not fields.get("sku"):
        raise bad_request("sku: required")
    variant = {**VARIANT_DEFAULTS, **{k: v for k, v in fields.items() if v is not None}}
    variant["variantId"] = state.allocate_id(VARIANT)
    variant["_productId"] = product_id
    state.store.put(VARIANT, variant["variantId"], variant)
    return variant


def touch_product(state: SimState, product: Doc) -> None:
    product["modifiedAt"] = state.now_iso()
    state.store.put(PRODUCT, product["productId"], product)

