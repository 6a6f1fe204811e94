"""The simulator's own admin surface under ``/_sim`` (not part of Ongoing): reset and seed the state,
switch the behaviours Ongoing does not document, play the warehouse staff — set stock, move, pick, ship
and return orders, receive deliveries — and show how the integration's API writes arrived
(``/_sim/writes``: overlapping writes per goods owner).

Bodies are JSON; answers are the affected object as the vendor API would show it, so a test can act
and assert in one call. Errors use the same ``{"Message": …}`` shape as the vendor routes.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from integrations.ongoing.simulator import warehouse
from integrations.ongoing.simulator.articles import inventory_json
from integrations.ongoing.simulator.errors import bad_request, not_found
from integrations.ongoing.simulator.order_docs import set_status
from integrations.ongoing.simulator.order_render import render_order
from integrations.ongoing.simulator.purchase_order_docs import render_purchase_order
from integrations.ongoing.simulator.reference import (
    install_bulk_articles,
    install_demo_articles,
    install_reference_data,
)
from integrations.ongoing.simulator.settings import RUNTIME_SWITCHES, OmittedLines, ZeroLines
from integrations.ongoing.simulator.state import ARTICLE, Doc, SimState
from integrations.simulation.bulk_catalogue import BulkCatalogueBody


class _AdminBody(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid",
                              coerce_numbers_to_str=True)


class LineQuantityBody(_AdminBody):
    row_number: str
    number_of_items: float = Field(gt=0)


class ReceiptLineBody(_AdminBody):
    """One receipt: by the purchase order's row number, or by article number (which may be unadvised)."""

    row_number: str | None = None
    article_number: str | None = None
    number_of_items: float = Field(gt=0)

    @model_validator(mode="after")
    def _row_or_article(self) -> ReceiptLineBody:
        if (self.row_number is None) == (self.article_number is None):
            raise ValueError("send either rowNumber or articleNumber")
        return self


class ReceiveBody(_AdminBody):
    lines: list[ReceiptLineBody] | None = None


class SettingsPatch(_AdminBody):
    """The behaviours that may be switched on a running simulator (see ``settings.RUNTIME_SWITCHES``)."""

    omitted_order_lines: OmittedLines | None = None
    zero_quantity_lines: ZeroLines | None = None


def _switches(state: SimState) -> dict[str, Any]:
    return SettingsPatch.model_validate({name: getattr(state.settings, name) for name in RUNTIME_SWITCHES}
                                        ).model_dump(by_alias=True)


class SeedBody(_AdminBody):
    articles: bool = False


class StockBody(_AdminBody):
    number_of_items: float | None = Field(default=None, ge=0)
    delta: float | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> StockBody:
        if (self.number_of_items is None) == (self.delta is None):
            raise ValueError("send either numberOfItems or delta")
        return self


class StatusBody(_AdminBody):
    order_status_number: int


class LinesBody(_AdminBody):
    lines: list[LineQuantityBody] | None = None


class ParcelBody(_AdminBody):
    parcel_number: str | None = None
    tracking_url: str | None = None
    weight: float | None = None


class ShipBody(LinesBody):
    waybill: str | None = None
    tracking_url: str | None = None
    parcels: list[ParcelBody] | None = None
    # None: as the simulator's waybill_on_shipping setting says; False: Sent before the waybill exists.
    with_waybill: bool | None = None


class WaybillBody(_AdminBody):
    waybill: str | None = None
    tracking_url: str | None = None


class ReturnBody(LinesBody):
    cause: str | None = None


def _quantities(body: LinesBody | None) -> list[tuple[str, float]] | None:
    if body is None or body.lines is None:
        return None
    return [(line.row_number, line.number_of_items) for line in body.lines]


def build_router(state: SimState) -> APIRouter:
    router = APIRouter(prefix="/_sim", tags=["simulator admin"])

    def _order(order_number: str) -> Doc:
        order = state.order_by_number(order_number)
        if order is None:
            raise not_found(f"No order with order number '{order_number}' was found.")
        return order

    @router.post("/reset")
    def reset() -> dict[str, Any]:
        with state.write(from_api=False):
            state.store.clear()
            state.restore_settings()
        state.forget_write_activity()
        return {"reset": True}

    @router.get("/settings")
    def get_settings() -> dict[str, Any]:
        return _switches(state)

    @router.patch("/settings")
    def switch_settings(body: SettingsPatch) -> dict[str, Any]:
        with state.write(from_api=False):
            state.switch_behaviour(**body.model_dump(exclude_none=True))
        return _switches(state)

    @router.get("/writes")
    def writes() -> dict[str, Any]:
        return {"goodsOwners": {str(owner): a.as_json() for owner, a in state.write_activity().items()}}

    @router.delete("/writes")
    def forget_writes() -> dict[str, Any]:
        state.forget_write_activity()
        return writes()

    @router.post("/seed")
    def seed(body: Annotated[SeedBody | None, Body()] = None) -> dict[str, Any]:
        with state.write(from_api=False):
            install_reference_data(state)
            created = install_demo_articles(state) if body and body.articles else 0
        return {"orderStatuses": len(state.order_statuses()), "transporterContracts": len(
            state.transporter_contracts()), "returnCauses": len(state.return_causes()),
                "articles": state.store.count(ARTICLE), "articlesCreated": created}

    @router.post("/seed/catalogue")
    def seed_catalogue(body: BulkCatalogueBody) -> dict[str, Any]:
        """A made-up catalogue of ``skus`` articles with ``stock`` each, in one write (for benchmarks)."""
        with state.write(from_api=False):
            created = install_bulk_articles(state, body)
        return {"articles": state.store.count(ARTICLE), "articlesCreated": created}

    @router.post("/articles/{article_number}/stock")
    def set_stock(article_number: str, body: StockBody) -> dict[str, Any]:
        with state.write(from_api=False):
            article = state.article_by_number(article_number)
            if article is None:
                raise not_found(f"No article with article number '{article_number}' was found.")
            warehouse.set_stock(state, article, number_of_items=body.number_of_items, delta=body.delta)
        return {"articleNumber": article_number, "inventoryInfo": inventory_json(state.article_by_number(
            article_number) or article)}

    @router.post("/orders/{order_number}/status")
    def move_order(order_number: str, body: StatusBody) -> dict[str, Any]:
        with state.write(from_api=False):
            order = _order(order_number)
            if body.order_status_number not in state.order_statuses():
                raise bad_request(f"The order status {body.order_status_number} does not exist.")
            set_status(order, body.order_status_number)
            state.save_order(order)
        return render_order(state, order)

    @router.post("/orders/{order_number}/pick")
    def pick(order_number: str, body: Annotated[LinesBody | None, Body()] = None) -> dict[str, Any]:
        with state.write(from_api=False):
            order = _order(order_number)
            warehouse.pick(state, order, _quantities(body))
            state.save_order(order)
        return render_order(state, order)

    @router.post("/orders/{order_number}/ship")
    def ship(order_number: str, body: Annotated[ShipBody | None, Body()] = None) -> dict[str, Any]:
        body = body or ShipBody()
        with state.write(from_api=False):
            order = _order(order_number)
            with_waybill = state.settings.waybill_on_shipping if body.with_waybill is None else body.with_waybill
            warehouse.ship(state, order, lines=_quantities(body), waybill=body.waybill, tracking_url=body.tracking_url,
                           parcels=[p.model_dump(by_alias=True) for p in body.parcels or []], with_waybill=with_waybill)
            state.save_order(order)
        return render_order(state, order)

    @router.post("/orders/{order_number}/waybill")
    def add_waybill(order_number: str, body: Annotated[WaybillBody | None, Body()] = None) -> dict[str, Any]:
        body = body or WaybillBody()
        with state.write(from_api=False):
            order = _order(order_number)
            warehouse.add_waybill(order, body.waybill, body.tracking_url)
            state.save_order(order)
        return render_order(state, order)

    @router.post("/orders/{order_number}/return")
    def register_return(order_number: str, body: Annotated[ReturnBody | None, Body()] = None) -> dict[str, Any]:
        body = body or ReturnBody()
        with state.write(from_api=False):
            order = _order(order_number)
            warehouse.register_return(state, order, lines=_quantities(body), cause=body.cause)
            state.save_order(order)
        return render_order(state, order)

    @router.post("/purchaseOrders/{purchase_order_number}/receive")
    def receive(purchase_order_number: str, body: Annotated[ReceiveBody | None, Body()] = None) -> dict[str, Any]:
        with state.write(from_api=False):
            po = state.purchase_order_by_number(purchase_order_number)
            if po is None:
                raise not_found(f"No purchase order with number '{purchase_order_number}' was found.")
            rows = None
            if body is not None and body.lines is not None:
                by_article = [(line.article_number, line.number_of_items) for line in body.lines if line.article_number]
                rows = [(line.row_number, line.number_of_items) for line in body.lines if line.row_number]
                rows += warehouse.receive_articles(state, po, by_article) if by_article else []
            warehouse.receive(state, po, rows)
        return render_purchase_order(state, po)

    return router
