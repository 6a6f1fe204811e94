"""``/products`` and ``/products/{productId}``: the catalogue, paged by 100 in ``productId`` order.

POST creates a product with its variants inline (201); PATCH changes product fields and merges
languages by ``langCode`` but never touches variants; PUT replaces the product and, when it sends
``variants``, the variant set (matched by SKU, so ids survive); DELETE removes the product and its
variants for good.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from integrations.starweb.simulator.clock import parse_iso, to_iso
from integrations.starweb.simulator.envelopes import merge_languages, paged, parse_includes, single
from integrations.starweb.simulator.errors import bad_request
from integrations.starweb.simulator.product_bodies import ProductBody
from integrations.starweb.simulator.product_docs import (
    PRODUCT_DEFAULTS,
    check_skus_free,
    new_variant,
    render_product,
    touch_product,
)
from integrations.starweb.simulator.state import PRODUCT, VARIANT, SimState
from integrations.starweb.simulator.web_hook_calls import announce_product

Doc = dict[str, Any]
SKU_PATTERN = re.compile(r"[A-Za-z0-9._-]+")
PRODUCT_ONLY = ("variants",)


def _since(value: str | None, name: str) -> Any:
    if value is None:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        raise bad_request(f"{name}: not an ISO-8601 timestamp") from None


def _product_fields(body: ProductBody) -> Doc:
    fields = {k: v for k, v in body.vendor_fields().items() if k not in PRODUCT_ONLY}
    if fields.get("createdAt") is not None:
        fields["createdAt"] = to_iso(_since(fields["createdAt"], "createdAt"))
    return fields


def products_router(state: SimState) -> APIRouter:
    router = APIRouter()

    def load(product_id: int) -> Doc:
        return state.require(PRODUCT, product_id, f"Product {product_id}")

    @router.get("/products")
    def list_products(
        page: Annotated[int, Query(ge=1)] = 1,
        sort_by: Annotated[Literal["productId"], Query(alias="sortBy")] = "productId",
        sort_order: Annotated[Literal["ASC", "DESC"], Query(alias="sortOrder")] = "ASC",
        created_since: Annotated[str | None, Query(alias="createdSince")] = None,
        updated_since: Annotated[str | None, Query(alias="updatedSince")] = None,
        filter_visible: Annotated[bool, Query(alias="filterVisible")] = False,
        filter_sku: Annotated[str | None, Query(alias="filterSku")] = None,
        include: str | None = None,
    ) -> dict[str, Any]:
        created, updated = _since(created_since, "createdSince"), _since(updated_since, "updatedSince")
        if filter_sku is not None and not SKU_PATTERN.fullmatch(filter_sku):
            raise bad_request("filterSku: has to follow the pattern [A-Za-z0-9._-]+")
        owners = None
        if filter_sku is not None:
            owners = {v["_productId"] for v in state.store.all(VARIANT) if v.get("sku") == filter_sku}
        products = [
            p for p in state.store.all(PRODUCT)
            if (created is None or parse_iso(p["createdAt"]) >= created)
            and (updated is None or parse_iso(p["modifiedAt"]) >= updated)
            and (not filter_visible or p.get("visibility") == "visible")
            and (owners is None or p["productId"] in owners)
        ]
        products.sort(key=lambda p: p["productId"], reverse=sort_order == "DESC")
        envelope = paged(products, page)
        includes = parse_includes(include)
        envelope["data"] = [render_product(state, p, includes, one_language=True) for p in envelope["data"]]
        return envelope

    @router.post("/products", status_code=201)
    def create_product(body: ProductBody, include: str | None = None) -> dict[str, Any]:
        variants = [v.vendor_fields() for v in body.variants or []]
        with state.store.transaction():
            if any(not v.get("sku") for v in variants):
                raise bad_request("variants.sku: required")
            check_skus_free(state, [v["sku"] for v in variants])
            now = state.now_iso()
            product = {**PRODUCT_DEFAULTS, "createdAt": now, **_product_fields(body), "modifiedAt": now,
                       "productId": state.allocate_id(PRODUCT)}
            state.store.put(PRODUCT, product["productId"], product)
            for variant in variants:
                new_variant(state, product["productId"], variant)
            announce_product(state, "product-created", product["productId"])
        return single(render_product(state, product, parse_includes(include), one_language=False))

    @router.get("/products/{product_id}")
    def get_product(product_id: int, include: str | None = None) -> dict[str, Any]:
        return single(render_product(state, load(product_id), parse_includes(include), one_language=False))

    @router.patch("/products/{product_id}")
    def patch_product(product_id: int, body: ProductBody, include: str | None = None) -> dict[str, Any]:
        fields = _product_fields(body)
        with state.store.transaction():
            product = load(product_id)
            if fields.get("languages"):
                fields["languages"] = merge_languages(product.get("languages") or [], fields["languages"])
            product.update(fields)
            touch_product(state, product)
            announce_product(state, "product-updated", product_id)
        return single(render_product(state, product, parse_includes(include), one_language=False))

    @router.put("/products/{product_id}")
    def put_product(product_id: int, body: ProductBody, include: str | None = None) -> dict[str, Any]:
        fields = _product_fields(body)
        with state.store.transaction():
            product = load(product_id)
            replaced = {**PRODUCT_DEFAULTS, **fields, "productId": product_id,
                        "createdAt": fields.get("createdAt") or product["createdAt"]}
            if body.variants is not None:
                replace_variants(state, product_id, [v.vendor_fields() for v in body.variants])
            product.clear()
            product.update(replaced)
            touch_product(state, product)
            announce_product(state, "product-updated", product_id)
        return single(render_product(state, product, parse_includes(include), one_language=False))

    @router.delete("/products/{product_id}", status_code=204)
    def delete_product(product_id: int) -> Response:
        with state.store.transaction():
            load(product_id)
            for variant in state.variants_of(product_id):
                state.store.delete(VARIANT, variant["variantId"])
            state.store.delete(PRODUCT, product_id)
            announce_product(state, "product-removed", product_id)
        return Response(status_code=204)

    return router


def replace_variants(state: SimState, product_id: int, wanted: list[Doc]) -> None:
    """Make the product's variants exactly ``wanted``, keeping the ids of SKUs it already had."""
    if any(not v.get("sku") for v in wanted):
        raise bad_request("variants.sku: required")
    current = {v["sku"]: v for v in state.variants_of(product_id)}
    check_skus_free(state, [v["sku"] for v in wanted], except_variant_ids={v["variantId"] for v in current.values()})
    for fields in wanted:
        existing = current.pop(fields["sku"], None)
        if existing is None:
            new_variant(state, product_id, fields)
        else:
            existing.update({k: v for k, v in fields.items() if v is not None})
            state.store.put(VARIANT, existing["variantId"], existing)
    for leftover in current.values():
        state.store.delete(VARIANT, leftover["variantId"])
