"""``/web-hooks``: the shop's web-hook registrations (``web_hook_calls`` makes the calls).

The event must be one of the spec's names; ``statusId`` narrows ``order-status-changed`` to one
target status; name and URL are at most 255 characters.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import Field

from integrations.starweb.simulator.envelopes import collection, single, with_nulls
from integrations.starweb.simulator.errors import bad_request
from integrations.starweb.simulator.order_bodies import VendorBody
from integrations.starweb.simulator.state import WEB_HOOK, SimState

Doc = dict[str, Any]
WebHookEvent = Literal[
    "product-created", "product-updated", "product-removed", "order-created", "order-completed", "order-updated",
    "order-deleted", "order-status-changed", "customer-created", "customer-updated", "customer-deleted",
    "shop-opened", "shop-closed", "shop-removed",
]
WEB_HOOK_FIELDS = ("webHookId", "name", "event", "statusId", "url")


class WebHookBody(VendorBody):
    name: str | None = Field(default=None, max_length=255)
    event: WebHookEvent | None = None
    status_id: int | None = Field(default=None, ge=1)
    url: str | None = Field(default=None, min_length=1, max_length=255)


def _require_complete(hook: Doc) -> None:
    missing = [name for name in ("event", "url") if not hook.get(name)]
    if missing:
        raise bad_request(f"{', '.join(missing)}: required")


def web_hooks_router(state: SimState) -> APIRouter:
    router = APIRouter()

    def load(hook_id: int) -> Doc:
        return state.require(WEB_HOOK, hook_id, f"Web hook {hook_id}")

    @router.get("/web-hooks")
    def list_web_hooks(
        sort_by: Annotated[Literal["webHookId"], Query(alias="sortBy")] = "webHookId",
        sort_order: Annotated[Literal["ASC", "DESC"], Query(alias="sortOrder")] = "ASC",
    ) -> dict[str, Any]:
        hooks = sorted(state.store.all(WEB_HOOK), key=lambda h: h[sort_by], reverse=sort_order == "DESC")
        return collection([with_nulls(h, WEB_HOOK_FIELDS) for h in hooks])

    @router.post("/web-hooks", status_code=201)
    def create_web_hook(body: WebHookBody) -> dict[str, Any]:
        hook = body.vendor_fields()
        _require_complete(hook)
        with state.store.transaction():
            hook["webHookId"] = state.allocate_id(WEB_HOOK)
            state.store.put(WEB_HOOK, hook["webHookId"], hook)
        return single(with_nulls(hook, WEB_HOOK_FIELDS))

    @router.get("/web-hooks/{hook_id}")
    def get_web_hook(hook_id: int) -> dict[str, Any]:
        return single(with_nulls(load(hook_id), WEB_HOOK_FIELDS))

    def write(hook_id: int, fields: Doc, *, replace: bool) -> dict[str, Any]:
        with state.store.transaction():
            current = load(hook_id)
            hook = {"webHookId": hook_id, **fields} if replace else {**current, **fields}
            _require_complete(hook)
            state.store.put(WEB_HOOK, hook_id, hook)
        return single(with_nulls(hook, WEB_HOOK_FIELDS))

    @router.put("/web-hooks/{hook_id}")
    def put_web_hook(hook_id: int, body: WebHookBody) -> dict[str, Any]:
        return write(hook_id, body.vendor_fields(), replace=True)

    @router.patch("/web-hooks/{hook_id}")
    def patch_web_hook(hook_id: int, body: WebHookBody) -> dict[str, Any]:
        return write(hook_id, body.vendor_fields(), replace=False)

    @router.delete("/web-hooks/{hook_id}", status_code=204)
    def delete_web_hook(hook_id: int) -> Response:
        with state.store.transaction():
            load(hook_id)
            state.store.delete(WEB_HOOK, hook_id)
        return Response(status_code=204)

    return router
