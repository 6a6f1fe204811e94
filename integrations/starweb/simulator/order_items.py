"""``/orders/{orderId}/items``: an order's rows, listed, added, changed and removed one at a time.

Rows join the catalogue only by SKU. Each change is saved through the order, so totals, weight,
``modifiedAt`` and stock follow (adding takes stock, removing or lowering gives it back).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from integrations.starweb.simulator.envelopes import collection, single
from integrations.starweb.simulator.errors import not_found
from integrations.starweb.simulator.order_bodies import OrderItemBody
from integrations.starweb.simulator.order_render import render_item
from integrations.starweb.simulator.order_writes import new_item, save_order, snapshot
from integrations.starweb.simulator.state import ORDER, SimState

Doc = dict[str, Any]


def _find_item(order: Doc, item_id: int) -> Doc:
    item = next((i for i in order.get("items") or [] if i["itemId"] == item_id), None)
    if item is None:
        raise not_found(f"Order item {item_id}")
    return item


def order_items_router(state: SimState) -> APIRouter:
    router = APIRouter()

    def load(order_id: int) -> Doc:
        return state.require(ORDER, order_id, f"Order {order_id}")

    @router.get("/orders/{order_id}/items")
    def list_items(order_id: int) -> dict[str, Any]:
        return collection([render_item(item) for item in load(order_id).get("items") or []])

    @router.post("/orders/{order_id}/items", status_code=201)
    def add_item(order_id: int, body: OrderItemBody) -> dict[str, Any]:
        with state.store.transaction():
            order = load(order_id)
            before = snapshot(order)
            item = new_item(state, body.vendor_fields(), len(order.get("items") or []))
            order.setdefault("items", []).append(item)
            save_order(state, before, order)
        return single(render_item(item))

    @router.get("/orders/{order_id}/items/{item_id}")
    def get_item(order_id: int, item_id: int, include: str | None = None) -> dict[str, Any]:
        bundled = "bundledItems" in (include or "").split(",")
        return single(render_item(_find_item(load(order_id), item_id), with_bundled=bundled))

    @router.patch("/orders/{order_id}/items/{item_id}")
    def patch_item(order_id: int, item_id: int, body: OrderItemBody) -> dict[str, Any]:
        with state.store.transaction():
            order = load(order_id)
            before = snapshot(order)
            item = _find_item(order, item_id)
            item.update(body.vendor_fields())
            save_order(state, before, order)
        return single(render_item(item))

    @router.put("/orders/{order_id}/items/{item_id}")
    def put_item(order_id: int, item_id: int, body: OrderItemBody) -> dict[str, Any]:
        with state.store.transaction():
            order = load(order_id)
            before = snapshot(order)
            item = _find_item(order, item_id)
            replacement = new_item(state, body.vendor_fields(), item.get("sortIndex") or 0, item_id=item_id)
            item.clear()
            item.update(replacement)
            save_order(state, before, order)
        return single(render_item(item))

    @router.delete("/orders/{order_id}/items/{item_id}", status_code=204)
    def delete_item(order_id: int, item_id: int) -> Response:
        with state.store.transaction():
            order = load(order_id)
            before = snapshot(order)
            _find_item(order, item_id)
            order["items"] = [i for i in order["items"] if i["itemId"] != item_id]
            save_order(state, before, order)
        return Response(status_code=204)

    return router
