"""``/orders`` and ``/orders/{orderId}``: the paged, filtered order list and one order's lifecycle.

POST creates (201) with ids from 1001, PATCH changes only what is sent, PUT (``statusId``
required) replaces the writable fields, DELETE removes the order and gives back any stock it held.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from integrations.starweb.simulator import catalogue
from integrations.starweb.simulator.bookkeeping import reserved_stock, stock_returns
from integrations.starweb.simulator.envelopes import paged, parse_includes, single
from integrations.starweb.simulator.order_bodies import CALL_FLAGS, SUB_RESOURCES, OrderBody, OrderPutBody
from integrations.starweb.simulator.order_queries import OrderQuery, SortField, select_orders
from integrations.starweb.simulator.order_render import render_order
from integrations.starweb.simulator.order_writes import (
    ORDER_DEFAULTS,
    move_stock,
    new_order,
    save_order,
    set_order_fields,
    snapshot,
)
from integrations.starweb.simulator.state import ORDER, SimState
from integrations.starweb.simulator.web_hook_calls import announce_order_deleted

Doc = dict[str, Any]
WRITABLE_ORDER_FIELDS = tuple(
    field.alias for field in OrderBody.model_fields.values()
    if field.alias not in CALL_FLAGS and field.alias not in SUB_RESOURCES
)


def orders_router(state: SimState) -> APIRouter:
    router = APIRouter()

    def load(order_id: int) -> Doc:
        return state.require(ORDER, order_id, f"Order {order_id}")

    @router.get("/orders")
    def list_orders(
        page: Annotated[int, Query(ge=1)] = 1,
        include_non_complete: Annotated[bool, Query(alias="includeNonCompletePayments")] = False,
        filter_query: Annotated[str | None, Query(alias="filterQuery")] = None,
        payment_method_id: Annotated[int | None, Query(alias="filterPaymentMethodId")] = None,
        shipping_method_id: Annotated[int | None, Query(alias="filterShippingMethodId")] = None,
        created_after: Annotated[str | None, Query(alias="ordersCreatedAfter")] = None,
        created_before: Annotated[str | None, Query(alias="ordersCreatedBefore")] = None,
        status_filter: Annotated[int | None, Query(ge=1, alias="statusFilter")] = None,
        sort_by: Annotated[SortField, Query(alias="sortBy")] = "orderId",
        sort_order: Annotated[Literal["ASC", "DESC"], Query(alias="sortOrder")] = "DESC",
        include: str | None = None,
    ) -> dict[str, Any]:
        query = OrderQuery(include_non_complete, filter_query, payment_method_id, shipping_method_id,
                           created_after, created_before, status_filter, sort_by, sort_order)
        envelope = paged(select_orders(state.store.all(ORDER), query), page)
        includes = parse_includes(include)
        envelope["data"] = [render_order(state, order, includes) for order in envelope["data"]]
        return envelope

    @router.post("/orders", status_code=201)
    def create_order(body: OrderBody, include: str | None = None) -> dict[str, Any]:
        fields = body.vendor_fields()
        with state.store.transaction():
            order = save_order(state, None, new_order(state, fields), flags=fields)
        return single(render_order(state, order, parse_includes(include)))

    @router.get("/orders/{order_id}")
    def get_order(order_id: int, include: str | None = None) -> dict[str, Any]:
        return single(render_order(state, load(order_id), parse_includes(include)))

    @router.patch("/orders/{order_id}")
    def patch_order(order_id: int, body: OrderBody, include: str | None = None) -> dict[str, Any]:
        fields = body.vendor_fields()
        with state.store.transaction():
            order = load(order_id)
            before = snapshot(order)
            set_order_fields(state, order, fields)
            save_order(state, before, order, flags=fields)
        return single(render_order(state, order, parse_includes(include)))

    @router.put("/orders/{order_id}")
    def put_order(order_id: int, body: OrderPutBody, include: str | None = None) -> dict[str, Any]:
        fields = body.vendor_fields()
        with state.store.transaction():
            order = load(order_id)
            before = snapshot(order)
            shop = state.shop()
            # Replace: what the body leaves out goes back to its default; createdAt is never blanked.
            resets = {name: ORDER_DEFAULTS.get(name) for name in WRITABLE_ORDER_FIELDS if name not in fields}
            resets.update(currencyCode=fields.get("currencyCode", shop["baseCurrency"]),
                          langCode=fields.get("langCode", shop["defaultLangCode"]),
                          createdAt=fields.get("createdAt") or order["createdAt"])
            order.update(resets)
            set_order_fields(state, order, fields)
            save_order(state, before, order, flags=fields)
        return single(render_order(state, order, parse_includes(include)))

    @router.delete("/orders/{order_id}", status_code=204)
    def delete_order(order_id: int) -> Response:
        with state.store.transaction():
            order = load(order_id)
            held = reserved_stock(order, canceled=catalogue.is_canceled_status(state, order.get("statusId")))
            move_stock(state, catalogue.variants_by_sku(state), stock_returns(held, {}))
            state.store.delete(ORDER, order_id)
            announce_order_deleted(state, order)
        return Response(status_code=204)

    return router
