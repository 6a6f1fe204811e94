"""``/order-statuses``: the shop's status table, returned whole (not paged).

The four standard statuses carry an ``idCode`` (created, picking, completed, canceled) and may not
be changed or deleted (403); custom ones may, unless an order still uses them (403 on DELETE).
Starweb 2.12 answers ``languages`` as ``{"data": [...]}``; what it accepts is not documented, so
both the wrapper and a bare array are taken.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import Field, field_validator

from integrations.starweb.simulator.envelopes import collection, merge_languages, single
from integrations.starweb.simulator.errors import bad_request, forbidden
from integrations.starweb.simulator.order_bodies import VendorBody
from integrations.starweb.simulator.order_render import render_status
from integrations.starweb.simulator.state import ORDER, ORDER_STATUS, SimState

Doc = dict[str, Any]


class StatusLanguage(VendorBody):
    lang_code: str = Field(min_length=2, max_length=2)
    name: str = Field(max_length=64)


class StatusBody(VendorBody):
    should_send_email: bool | None = None
    languages: list[StatusLanguage] | None = None

    @field_validator("languages", mode="before")
    @classmethod
    def unwrap_data(cls, value: Any) -> Any:
        return value["data"] if isinstance(value, dict) and "data" in value else value


def statuses_router(state: SimState) -> APIRouter:
    router = APIRouter()

    def load(status_id: int) -> Doc:
        return state.require(ORDER_STATUS, status_id, f"Order status {status_id}")

    def editable(status_id: int) -> Doc:
        status = load(status_id)
        if status.get("idCode"):
            raise forbidden("Standard order statuses (with an idCode) cannot be changed or deleted")
        return status

    @router.get("/order-statuses")
    def list_statuses() -> dict[str, Any]:
        statuses = sorted(state.store.all(ORDER_STATUS), key=lambda s: s["statusId"])
        return collection([render_status(s) for s in statuses])

    @router.post("/order-statuses", status_code=201)
    def create_status(body: StatusBody) -> dict[str, Any]:
        fields = body.vendor_fields()
        if not fields.get("languages"):
            raise bad_request("languages: at least one language with a name is required")
        with state.store.transaction():
            status = {"statusId": state.allocate_id(ORDER_STATUS), "idCode": None,
                      "shouldSendEmail": bool(fields.get("shouldSendEmail")), "languages": fields["languages"]}
            state.store.put(ORDER_STATUS, status["statusId"], status)
        return single(render_status(status))

    @router.get("/order-statuses/{status_id}")
    def get_status(status_id: int) -> dict[str, Any]:
        return single(render_status(load(status_id)))

    @router.put("/order-statuses/{status_id}")
    def put_status(status_id: int, body: StatusBody) -> dict[str, Any]:
        fields = body.vendor_fields()
        if not fields.get("languages"):
            raise bad_request("languages: at least one language with a name is required")
        with state.store.transaction():
            status = editable(status_id)
            status.update(shouldSendEmail=bool(fields.get("shouldSendEmail")), languages=fields["languages"])
            state.store.put(ORDER_STATUS, status_id, status)
        return single(render_status(status))

    @router.patch("/order-statuses/{status_id}")
    def patch_status(status_id: int, body: StatusBody) -> dict[str, Any]:
        fields = body.vendor_fields()
        with state.store.transaction():
            status = editable(status_id)
            if fields.get("shouldSendEmail") is not None:
                status["shouldSendEmail"] = fields["shouldSendEmail"]
            if fields.get("languages"):
                status["languages"] = merge_languages(status.get("languages") or [], fields["languages"])
            state.store.put(ORDER_STATUS, status_id, status)
        return single(render_status(status))

    @router.delete("/order-statuses/{status_id}", status_code=204)
    def delete_status(status_id: int) -> Response:
        with state.store.transaction():
            editable(status_id)
            if any(order.get("statusId") == status_id for order in state.store.all(ORDER)):
                raise forbidden("Order statuses in use by an order cannot be deleted")
            state.store.delete(ORDER_STATUS, status_id)
        return Response(status_code=204)

    return router
