"""Purchase orders: deliveries the goods owner announces to the warehouse, and what was received.

``PurchaseOrderWrite`` is the body of ``PUT /purchaseOrders`` (v57 ``PostPurchaseOrderModel``), an
upsert keyed by ``purchaseOrderNumber``. ``PurchaseOrder`` is ``GetPurchaseOrderModel``; a line's
``received_number_of_items`` differing from ``advised_number_of_items`` is a delivery deviation.
"""

from __future__ import annotations

from pydantic import Field

from integrations.ongoing.models_base import (
    CodeName,
    GoodsOwnerRef,
    NullableList,
    OngoingModel,
    OngoingTime,
    OngoingWrite,
    Status,
    WarehouseRef,
    WireTime,
)


class PurchaseOrderSupplier(OngoingModel):
    supplier_number: str | None = None
    supplier_name: str | None = None


class PurchaseOrderSupplierWrite(PurchaseOrderSupplier):
    remark: str | None = None


class PurchaseOrderLineWrite(OngoingModel):
    row_number: str = Field(min_length=1)
    article_number: str = Field(min_length=1)
    number_of_items: float | None = None  # the advised quantity
    comment: str | None = None
    row_price: float | None = None
    currency_code: str | None = None
    external_order_line_id: str | None = None


class PurchaseOrderWrite(OngoingWrite):
    """``PUT /purchaseOrders``. ``goods_owner_id`` may be left out: the client fills in its own."""

    goods_owner_id: int | None = None
    purchase_order_number: str = Field(min_length=1)
    in_date: WireTime | None = None  # expected arrival
    supplier_order_number: str | None = None
    goods_owner_reference: str | None = None
    reference_number: str | None = None
    purchase_order_remark: str | None = None
    purchase_order_type: CodeName | None = None
    supplier_info: PurchaseOrderSupplierWrite | None = None
    warehouse_id: int | None = None
    purchase_order_lines: list[PurchaseOrderLineWrite] | None = None


class PurchaseOrderWriteResponse(OngoingModel):
    purchase_order_id: int
    message: str | None = None


class PurchaseOrderPatchResponse(OngoingModel):
    purchase_order_id: int | None = None
    message: str | None = None


class PurchaseOrderInfoAdvanced(OngoingModel):
    arrival_date: OngoingTime | None = None
    order_date: OngoingTime | None = None
    advised_date: OngoingTime | None = None
    container: str | None = None
    purchase_order_is_return_type: bool | None = None


class PurchaseOrderInfo(OngoingModel):
    purchase_order_id: int
    purchase_order_number: str
    supplier_order_number: str | None = None
    goods_owner_reference: str | None = None
    reference_number: str | None = None
    purchase_order_status: Status | None = None
    purchase_order_type: CodeName | None = None
    in_date: OngoingTime | None = None
    purchase_order_remark: str | None = None
    created_date: OngoingTime | None = None
    warehouse: WarehouseRef | None = None
    advanced: PurchaseOrderInfoAdvanced | None = None


class PurchaseOrderArticle(OngoingModel):
    article_system_id: int | None = None
    article_number: str | None = None
    article_name: str | None = None
    product_code: str | None = None


class PurchaseOrderLine(OngoingModel):
    id: int  # the purchaseOrderLineId that line PATCHes refer to
    row_number: str | None = None
    article: PurchaseOrderArticle | None = None
    comment: str | None = None
    row_price: float | None = None
    advised_number_of_items: float | None = None
    received_number_of_items: float | None = None
    reported_number_of_items: float | None = None
    external_order_line_id: str | None = None
    in_date: OngoingTime | None = None


class PurchaseOrder(OngoingModel):
    """``GetPurchaseOrderModel``."""

    goods_owner: GoodsOwnerRef | None = None
    supplier_info: PurchaseOrderSupplier | None = None
    purchase_order_info: PurchaseOrderInfo
    purchase_order_lines: NullableList[PurchaseOrderLine] = Field(default_factory=list)

    @property
    def purchase_order_id(self) -> int:
        return self.purchase_order_info.purchase_order_id

    @property
    def status_number(self) -> int | None:
        status = self.purchase_order_info.purchase_order_status
        return status.number if status else None
