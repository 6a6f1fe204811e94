"""Return orders (RMAs): returns announced against an Ongoing customer order, and what came back.

``ReturnOrderWrite`` is the body of ``PUT /returnOrders`` (v57 ``PostReturnOrderModel``). Its lines
point at the original order's *internal* line ids (``orderLines[].id``), not at row numbers, so
the original order must be read first. ``ReturnOrder`` is ``GetReturnOrderModel``.
"""

from __future__ import annotations

from pydantic import Field

from integrations.ongoing.models_base import (
    ArticleRef,
    CodeName,
    NullableList,
    OngoingModel,
    OngoingTime,
    OngoingWrite,
    Status,
    WarehouseRef,
    WireTime,
)


class CustomerOrderRef(OngoingModel):
    order_id: int


class CustomerOrderLineRef(OngoingModel):
    order_line_id: int


class ReturnTrackingWrite(OngoingModel):
    waybill: str | None = None
    tracking_url: str | None = None


class ReturnOrderLineWrite(OngoingModel):
    return_order_row_number: str = Field(min_length=1)
    customer_order_line: CustomerOrderLineRef
    to_be_returned_number_of_items: float
    return_cause: CodeName | None = None
    return_order_line_comment: str | None = None


class ReturnOrderWrite(OngoingWrite):
    """``PUT /returnOrders``. ``goods_owner_id`` may be left out: the client fills in its own."""

    goods_owner_id: int | None = None
    return_order_number: str = Field(min_length=1)
    customer_order: CustomerOrderRef
    return_order_lines: list[ReturnOrderLineWrite]
    comment: str | None = None
    in_date: WireTime | None = None
    warehouse_id: int | None = None
    tracking: list[ReturnTrackingWrite] | None = None
    return_order_handling_comment: str | None = None


class ReturnOrderWriteResponse(OngoingModel):
    return_order_id: int
    message: str | None = None


class ReturnOrderInfo(OngoingModel):
    return_order_id: int
    return_order_number: str | None = None
    comment: str | None = None
    in_date: OngoingTime | None = None
    return_order_status: Status | None = None
    warehouse: WarehouseRef | None = None
    return_order_handling_comment: str | None = None
    created_date: OngoingTime | None = None
    return_order_arrival_time: OngoingTime | None = None


class CustomerOrderInfo(OngoingModel):
    order_id: int | None = None
    order_number: str | None = None


class ReturnedOrderLineRef(OngoingModel):
    order_line_id: int | None = None
    customer_order_row_number: str | None = None


class ReturnedArticleItem(OngoingModel):
    number_of_items: float | None = None
    batch: str | None = None
    serial: str | None = None
    comment: str | None = None
    return_time: OngoingTime | None = None
    return_comment: str | None = None
    # True when the unit was discarded rather than put back into stock.
    is_return_removed_by_inventory: bool | None = None
    return_cause: CodeName | None = None


class ReturnOrderLine(OngoingModel):
    return_order_line_id: int | None = None
    return_order_row_number: str | None = None
    customer_order_line: ReturnedOrderLineRef | None = None
    article: ArticleRef | None = None
    return_cause: CodeName | None = None
    to_be_returned_number_of_items: float | None = None
    returned_number_of_items: float | None = None
    picked_number_of_items: float | None = None
    returned_removed_by_inventory_number_of_items: float | None = None
    returned_article_items: NullableList[ReturnedArticleItem] = Field(default_factory=list)


class ReturnOrder(OngoingModel):
    """``GetReturnOrderModel``."""

    return_order_info: ReturnOrderInfo
    customer_order_info: CustomerOrderInfo | None = None
    return_order_lines: NullableList[ReturnOrderLine] = Field(default_factory=list)

    @property
    def return_order_id(self) -> int:
        return self.return_order_info.return_order_id
