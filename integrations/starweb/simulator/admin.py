"""The simulator's own admin surface under ``/_sim`` (not part of Starweb; never faulted).

Reset to an empty shop, seed the demo shop, read what the shop "sent" (customer e-mails and
payment processing on status changes), count and expire tokens, and move the simulator's clock.
Documented in docs/simulators-starweb.md.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from integrations.simulation.bulk_catalogue import BulkCatalogueBody
from integrations.starweb.simulator.auth import expire_all_tokens
from integrations.starweb.simulator.errors import not_found
from integrations.starweb.simulator.seed import seed_bulk_catalogue, seed_demo_shop
from integrations.starweb.simulator.state import EMAIL, ORDER, PAYMENT, TOKEN, SimState


class ClockAdvance(BaseModel):
    seconds: float = Field(description="forward; negative sets the clock back (a shop whose clock is behind)")


def reset_shop(state: SimState) -> None:
    """Empty the shop; issued tokens survive so a connected client keeps working."""
    with state.store.transaction():
        tokens = state.store.all(TOKEN)
        state.store.clear()
        for record in tokens:
            state.store.put(TOKEN, record["token"], record)


def admin_router(state: SimState) -> APIRouter:
    router = APIRouter(prefix="/_sim", tags=["simulator admin"])

    def clock_body() -> dict[str, Any]:
        return {"now": state.now_iso(), "offsetSeconds": state.clock.offset_seconds}

    @router.post("/reset")
    def reset() -> dict[str, bool]:
        reset_shop(state)
        state.clock.reset()
        return {"reset": True}

    @router.post("/seed")
    def seed() -> dict[str, int]:
        return seed_demo_shop(state)

    @router.post("/seed/catalogue")
    def seed_catalogue(body: BulkCatalogueBody) -> dict[str, int]:
        """A made-up catalogue of ``skus`` variants with ``stock`` each (for benchmarks)."""
        return seed_bulk_catalogue(state, body)

    @router.get("/emails")
    def emails(order_id: Annotated[int | None, Query(alias="orderId")] = None) -> dict[str, Any]:
        sent = state.store.all(EMAIL) if order_id is None else state.store.find(EMAIL, "order", order_id)
        return {"data": sent}

    @router.get("/payments")
    def payments(order_id: Annotated[int | None, Query(alias="orderId")] = None) -> dict[str, Any]:
        recorded = state.store.all(PAYMENT) if order_id is None else state.store.find(PAYMENT, "order", order_id)
        return {"data": recorded}

    @router.get("/tokens")
    def tokens() -> dict[str, int]:
        """How many tokens were issued (they survive a reset), and how many are still valid."""
        issued = state.store.all(TOKEN)
        now = state.clock.now().timestamp()
        return {"issued": len(issued), "valid": sum(1 for t in issued if t["expiresAt"] > now)}

    @router.post("/tokens/expire")
    def expire_tokens() -> dict[str, int]:
        return {"expired": expire_all_tokens(state)}

    @router.patch("/orders/{order_id}/items/{item_id}")
    def overwrite_item(order_id: int, item_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        """Write an order row's fields as given, unchecked: data as an import or a plugin may leave it, which
        the API itself would refuse (a fractional quantity, a text where a number belongs)."""
        with state.store.transaction():
            order = state.require(ORDER, order_id, f"Order {order_id}")
            item = next((i for i in order.get("items") or [] if i.get("itemId") == item_id), None)
            if item is None:
                raise not_found(f"Order item {item_id}")
            item.update(fields)
            state.store.put(ORDER, order_id, order)
        return item

    @router.get("/clock")
    def get_clock() -> dict[str, Any]:
        return clock_body()

    @router.post("/clock/advance")
    def advance_clock(body: ClockAdvance) -> dict[str, Any]:
        state.clock.advance(body.seconds)
        return clock_body()

    return router
