"""An order's addresses, comments and external-service links, each under ``/orders/{orderId}/…``.

Addresses live in six named slots (the list answer is an object keyed by slot, empty slots
``null``); comments are ``{commentId, createdAt, text, from}``; external services link the order
to another system's id, one per service name. Every change is saved through the order, so its
``modifiedAt`` moves.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from integrations.starweb.simulator.envelopes import collection, single
from integrations.starweb.simulator.errors import bad_request, not_found
from integrations.starweb.simulator.order_bodies import AddressBody, AddressType, CommentBody, ExternalServiceBody
from integrations.starweb.simulator.order_render import (
    render_address,
    render_addresses,
    render_comment,
    render_external_service,
)
from integrations.starweb.simulator.order_writes import save_order, snapshot
from integrations.starweb.simulator.state import ORDER, SimState

Doc = dict[str, Any]


def _comment(order: Doc, comment_id: int) -> Doc:
    found = next((c for c in order.get("comments") or [] if c["commentId"] == comment_id), None)
    if found is None:
        raise not_found(f"Order comment {comment_id}")
    return found


def _service(order: Doc, name: str) -> Doc:
    found = next((s for s in order.get("externalServices") or [] if s["serviceName"] == name), None)
    if found is None:
        raise not_found(f"External service {name}")
    return found


def order_extras_router(state: SimState) -> APIRouter:
    router = APIRouter()

    def load(order_id: int) -> Doc:
        return state.require(ORDER, order_id, f"Order {order_id}")

    def change(order_id: int, edit: Any) -> Any:
        """Apply ``edit(order)`` and save the order; returns what ``edit`` returned."""
        with state.store.transaction():
            order = load(order_id)
            before = snapshot(order)
            result = edit(order)
            save_order(state, before, order)
        return result

    # Addresses ---------------------------------------------------------------------------------
    @router.get("/orders/{order_id}/addresses")
    def list_addresses(order_id: int) -> dict[str, Any]:
        return single(render_addresses(load(order_id)))

    @router.get("/orders/{order_id}/addresses/{address_type}")
    def get_address(order_id: int, address_type: AddressType) -> dict[str, Any]:
        address = (load(order_id).get("addresses") or {}).get(address_type)
        if address is None:
            raise not_found(f"Address {address_type}")
        return single(render_address(address))

    def write_address(order_id: int, address_type: str, fields: Doc, *, merge: bool) -> dict[str, Any]:
        def edit(order: Doc) -> Doc:
            slots = order.setdefault("addresses", {})
            slots[address_type] = {**(slots.get(address_type) or {}), **fields} if merge else fields
            return slots[address_type]

        return single(render_address(change(order_id, edit)))

    @router.put("/orders/{order_id}/addresses/{address_type}")
    def put_address(order_id: int, address_type: AddressType, body: AddressBody) -> dict[str, Any]:
        return write_address(order_id, address_type, body.vendor_fields(), merge=False)

    @router.patch("/orders/{order_id}/addresses/{address_type}")
    def patch_address(order_id: int, address_type: AddressType, body: AddressBody) -> dict[str, Any]:
        return write_address(order_id, address_type, body.vendor_fields(), merge=True)

    @router.delete("/orders/{order_id}/addresses/{address_type}", status_code=204)
    def delete_address(order_id: int, address_type: AddressType) -> Response:
        def edit(order: Doc) -> None:
            if (order.get("addresses") or {}).pop(address_type, None) is None:
                raise not_found(f"Address {address_type}")

        change(order_id, edit)
        return Response(status_code=204)

    # Comments ----------------------------------------------------------------------------------
    @router.get("/orders/{order_id}/comments")
    def list_comments(order_id: int) -> dict[str, Any]:
        return collection([render_comment(c) for c in load(order_id).get("comments") or []])

    @router.post("/orders/{order_id}/comments", status_code=201)
    def add_comment(order_id: int, body: CommentBody) -> dict[str, Any]:
        if not (body.text or "").strip():
            raise bad_request("text: a comment needs a text")

        def edit(order: Doc) -> Doc:
            comment = {"commentId": state.allocate_id("order_comment"), "createdAt": state.now_iso(),
                       "text": body.text, "from": body.from_ or "admin"}
            order.setdefault("comments", []).append(comment)
            return comment

        return single(render_comment(change(order_id, edit)))

    @router.get("/orders/{order_id}/comments/{comment_id}")
    def get_comment(order_id: int, comment_id: int) -> dict[str, Any]:
        return single(render_comment(_comment(load(order_id), comment_id)))

    def update_comment(order_id: int, comment_id: int, body: CommentBody) -> dict[str, Any]:
        fields = {k: v for k, v in body.vendor_fields().items() if k in ("text", "from") and v is not None}

        def edit(order: Doc) -> Doc:
            comment = _comment(order, comment_id)
            comment.update(fields)
            return comment

        return single(render_comment(change(order_id, edit)))

    router.put("/orders/{order_id}/comments/{comment_id}")(update_comment)
    router.patch("/orders/{order_id}/comments/{comment_id}")(update_comment)

    @router.delete("/orders/{order_id}/comments/{comment_id}", status_code=204)
    def delete_comment(order_id: int, comment_id: int) -> Response:
        def edit(order: Doc) -> None:
            _comment(order, comment_id)
            order["comments"] = [c for c in order["comments"] if c["commentId"] != comment_id]

        change(order_id, edit)
        return Response(status_code=204)

    # External services ---------------------------------------------------------------------------
    @router.get("/orders/{order_id}/external-services")
    def list_services(order_id: int) -> dict[str, Any]:
        return collection([render_external_service(s) for s in load(order_id).get("externalServices") or []])

    @router.post("/orders/{order_id}/external-services", status_code=201)
    def add_service(order_id: int, body: ExternalServiceBody) -> dict[str, Any]:
        if not body.service_name:
            raise bad_request("serviceName: required")

        def edit(order: Doc) -> Doc:
            services = order.setdefault("externalServices", [])
            if any(s["serviceName"] == body.service_name for s in services):
                raise bad_request(f"serviceName: {body.service_name} is already linked to this order")
            service = {**body.vendor_fields(), "readOnly": False}
            services.append(service)
            return service

        return single(render_external_service(change(order_id, edit)))

    @router.get("/orders/{order_id}/external-services/{service_name}")
    def get_service(order_id: int, service_name: str) -> dict[str, Any]:
        return single(render_external_service(_service(load(order_id), service_name)))

    def update_service(order_id: int, service_name: str, body: ExternalServiceBody) -> dict[str, Any]:
        fields = {k: v for k, v in body.vendor_fields().items() if k != "serviceName"}

        def edit(order: Doc) -> Doc:
            service = _service(order, service_name)
            service.update(fields)
            return service

        return single(render_external_service(change(order_id, edit)))

    router.put("/orders/{order_id}/external-services/{service_name}")(update_service)
    router.patch("/orders/{order_id}/external-services/{service_name}")(update_service)

    @router.delete("/orders/{order_id}/external-services/{service_name}", status_code=204)
    def delete_service(order_id: int, service_name: str) -> Response:
        def edit(order: Doc) -> None:
            _service(order, service_name)
            order["externalServices"] = [s for s in order["externalServices"] if s["serviceName"] != service_name]

        change(order_id, edit)
        return Response(status_code=204)

    return router
