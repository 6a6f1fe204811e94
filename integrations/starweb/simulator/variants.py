"""``/products/{productId}/variants``: a product's variants, paged like the other big lists.

Variants carry the SKU, stock (``stockQuantity``), weight and prices. Creating or changing one
checks SKU uniqueness across the shop and moves the product's ``modifiedAt``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from integrations.starweb.simulator.envelopes import paged, parse_includes, single
from integrations.starweb.simulator.errors import bad_request, not_found
from integrations.starweb.simulator.product_bodies import VariantBody
from integrations.starweb.simulator.product_docs import (
    VARIANT_DEFAULTS,
    check_skus_free,
    new_variant,
    render_variant,
    touch_product,
)
from integrations.starweb.simulator.state import PRODUCT, VARIANT, SimState
from integrations.starweb.simulator.web_hook_calls import announce_product

Doc = dict[str, Any]


def variants_router(state: SimState) -> APIRouter:
    router = APIRouter()

    def load_product(product_id: int) -> Doc:
        return state.require(PRODUCT, product_id, f"Product {product_id}")

    def load_variant(product_id: int, variant_id: int) -> Doc:
        variant = state.store.get(VARIANT, variant_id)
        if variant is None or variant.get("_productId") != product_id:
            raise not_found(f"Product variant {variant_id}")
        return variant

    @router.get("/products/{product_id}/variants")
    def list_variants(product_id: int, page: Annotated[int, Query(ge=1)] = 1,
                      include: str | None = None) -> dict[str, Any]:
        load_product(product_id)
        envelope = paged(state.variants_of(product_id), page)
        includes = parse_includes(include)
        envelope["data"] = [render_variant(v, includes) for v in envelope["data"]]
        return envelope

    @router.post("/products/{product_id}/variants", status_code=201)
    def create_variant(product_id: int, body: VariantBody) -> dict[str, Any]:
        fields = body.vendor_fields()
        with state.store.transaction():
            product = load_product(product_id)
            if not fields.get("sku"):
                raise bad_request("sku: required")
            check_skus_free(state, [fields["sku"]])
            variant = new_variant(state, product_id, fields)
            touch_product(state, product)
            announce_product(state, "product-updated", product_id)
        return single(render_variant(variant))

    @router.get("/products/{product_id}/variants/{variant_id}")
    def get_variant(product_id: int, variant_id: int, include: str | None = None) -> dict[str, Any]:
        load_product(product_id)
        return single(render_variant(load_variant(product_id, variant_id), parse_includes(include)))

    def write_variant(product_id: int, variant_id: int, fields: Doc, *, replace: bool) -> dict[str, Any]:
        with state.store.transaction():
            product = load_product(product_id)
            variant = load_variant(product_id, variant_id)
            if (replace or "sku" in fields) and not fields.get("sku"):
                raise bad_request("sku: required")
            if fields.get("sku") and fields["sku"] != variant["sku"]:
                check_skus_free(state, [fields["sku"]], except_variant_ids={variant_id})
            if replace:
                kept = {"variantId": variant_id, "_productId": product_id}
                variant.clear()
                variant.update({**VARIANT_DEFAULTS, **kept})
            variant.update(fields)
            state.store.put(VARIANT, variant_id, variant)
            touch_product(state, product)
            announce_product(state, "product-updated", product_id)
        return single(render_variant(variant))

    @router.patch("/products/{product_id}/variants/{variant_id}")
    def patch_variant(product_id: int, variant_id: int, body: VariantBody) -> dict[str, Any]:
        return write_variant(product_id, variant_id, body.vendor_fields(), replace=False)

    @router.put("/products/{product_id}/variants/{variant_id}")
    def put_variant(product_id: int, variant_id: int, body: VariantBody) -> dict[str, Any]:
        return write_variant(product_id, variant_id, body.vendor_fields(), replace=True)

    @router.delete("/products/{product_id}/variants/{variant_id}", status_code=204)
    def delete_variant(product_id: int, variant_id: int) -> Response:
        with state.store.transaction():
            product = load_product(product_id)
            load_variant(product_id, variant_id)
            state.store.delete(VARIANT, variant_id)
            touch_product(state, product)
            announce_product(state, "product-updated", product_id)
        return Response(status_code=204)

    return router
