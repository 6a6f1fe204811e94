"""Customer orders as Ongoing receives and reports them.

``OrderWrite`` is the body of ``PUT /orders`` (v57 ``PostOrderModel``), an upsert keyed by
``orderNumber``. ``Order`` is ``GetOrderModel``: header, consignee, lines with their picked,
packed, reported and returned quantities, parcels and tracking. Ongoing's internal ids
(``orderId``, ``orderLines[].id``) are what the PATCH endpoints and return orders need.
"""

from __future__ import annotations

from pydantic import Field

from integrations.ongoing.models_base import (
    ArticleRef,
    CodeName,
    GoodsOwnerRef,
    Notification,
    NullableList,
    OngoingModel,
    OngoingTime,
    OngoingWrite,
    Status,
    WarehouseRef,
    WireTime,
)

# --- write side (PUT /orders) -------------------------------------------------------------------


class ConsigneeNotifications(OngoingModel):
    email_notification: Notification | None = None
    sms_notification: Notification | None = None
    telephone_notification: Notification | None = None
    external_customer_code: str | None = None


class InvoiceAddress(OngoingModel):
    name: str | None = None
    address1: str | None = None
    address2: str | None = None
    address3: str | None = None
    post_code: str | None = None
    city: str | None = None
    country_code: str | None = None
    country_state_code: str | None = None


class ConsigneeWrite(OngoingModel):
    """The delivery address. Ongoing upserts a customer keyed by ``customer_number`` from it."""

    customer_number: str | None = None
    name: str | None = None
    address1: str | None = None
    address2: str | None = None
    address3: str | None = None
    post_code: str | None = None
    city: str | None = None
    country_code: str | None = None
    country_state_code: str | None = None
    remark: str | None = None
    door_code: str | None = None
    organisation_number: str | None = None
    vat_number: str | None = None
    advanced: ConsigneeNotifications | None = None
    invoice_address: InvoiceAddress | None = None


class TransporterWrite(OngoingModel):
    """Transporter codes as configured in Ongoing (not free text); GET shows them as code/serviceCode."""

    transporter_code: str | None = None
    transporter_service_code: str | None = None


class LinePricesWrite(OngoingModel):
    line_price: float | None = None
    customer_line_price: float | None = None
    currency_code: str | None = None
    discount_percentage: float | None = None
    total_vat: float | None = None


class Vat(OngoingModel):
    code: str | None = None
    percent: float | None = None


class OrderLineWrite(OngoingModel):
    """One order line; lines are matched by ``row_number`` when an order is updated."""

    row_number: str = Field(min_length=1)
    article_number: str = Field(min_length=1)
    number_of_items: float | None = None
    comment: str | None = None
    should_be_picked: bool | None = None
    prices: LinePricesWrite | None = None
    vat: Vat | None = None
    external_id: str | None = None
    customer_article_number: str | None = None
    weight: float | None = None


class OrderWrite(OngoingWrite):
    """``PUT /orders``. ``goods_owner_id`` may be left out: the client fills in its own."""

    goods_owner_id: int | None = None
    order_number: str = Field(min_length=1)
    delivery_date: WireTime
    consignee: ConsigneeWrite
    goods_owner_order_id: str | None = None
    reference_number: str | None = None
    order_remark: str | None = None
    delivery_instruction: str | None = None
    warehouse_instruction: str | None = None
    service_point_code: str | None = None
    order_type: CodeName | None = None
    way_of_delivery: CodeName | None = None
    transporter: TransporterWrite | None = None
    email_notification: Notification | None = None
    sms_notification: Notification | None = None
    telephone_notification: Notification | None = None
    customer_price: float | None = None
    freight_price: float | None = None
    language_code: str | None = None
    warehouse_id: int | None = None
    order_lines: list[OrderLineWrite] | None = None


class OrderWriteResponse(OngoingModel):
    """Ongoing's answer to ``PUT /orders``; ``created`` is True on HTTP 201, False on 200 (an update)."""

    order_id: int
    message: str | None = None
    created: bool = False


class PatchResponse(OngoingModel):
    """Ongoing's answer to an order PATCH or cancel."""

    order_id: int | None = None
    message: str | None = None


# --- read side (GET /orders) --------------------------------------------------------------------


class BackOrderInfo(OngoingModel):
    back_order_for_order_id: int | None = None


class OrderInfoAdvanced(OngoingModel):
    invoice_number: str | None = None
    arrival_date: OngoingTime | None = None
    delivery_date_with_time: OngoingTime | None = None
    back_order_info: BackOrderInfo | None = None
    order_header_updated: OngoingTime | None = None
    transport_payment_type: str | None = None


class OrderInfo(OngoingModel):
    order_id: int
    order_number: str
    goods_owner_order_id: str | None = None
    reference_number: str | None = None
    order_remark: str | None = None
    delivery_instruction: str | None = None
    service_point_code: str | None = None
    order_type: CodeName | None = None
    way_of_delivery: CodeName | None = None
    order_status: Status | None = None
    delivery_date: OngoingTime | None = None
    created_date: OngoingTime | None = None
    shipped_time: OngoingTime | None = None
    way_bill: str | None = None
    return_way_bill: str | None = None
    email_notification: Notification | None = None
    sms_notification: Notification | None = None
    telephone_notification: Notification | None = None
    ordered_number_of_items: float | None = None
    allocated_number_of_items: float | None = None
    picked_number_of_items: float | None = None
    customer_price: float | None = None
    freight_price: float | None = None
    warehouse: WarehouseRef | None = None
    advanced: OrderInfoAdvanced | None = None


class OrderConsignee(OngoingModel):
    id: int | None = None
    customer_number: str | None = None
    name: str | None = None
    address1: str | None = None
    address2: str | None = None
    address3: str | None = None
    post_code: str | None = None
    city: str | None = None
    country_code: str | None = None
    country_state_code: str | None = None
    remark: str | None = None
    door_code: str | None = None
    advanced: ConsigneeNotifications | None = None
    invoice_address: InvoiceAddress | None = None


class PickedItemParcel(OngoingModel):
    id: int | None = None
    parcel_number: str | None = None


class PickedArticleItem(OngoingModel):
    """One picked unit batch of a line: where it was picked, packed, and whether it came back."""

    article_item_id: int | None = None
    number_of_items: float | None = None
    serial: str | None = None
    batch_number: str | None = None
    location: str | None = None
    comment: str | None = None
    is_picked: bool | None = None
    picked_time: OngoingTime | None = None
    packed_time: OngoingTime | None = None
    is_returned: bool | None = None
    return_date: OngoingTime | None = None
    return_cause: CodeName | None = None
    parcel: PickedItemParcel | None = None


class LinePrices(OngoingModel):
    line_price: float | None = None
    customer_line_price: float | None = None
    currency_code: str | None = None
    discount_percentage: float | None = None


class OrderLine(OngoingModel):
    id: int  # the orderLineId that line PATCHes and return orders refer to
    row_number: str | None = None
    article: ArticleRef | None = None
    comment: str | None = None
    ordered_number_of_items: float | None = None
    allocated_number_of_items: float | None = None
    picked_number_of_items: float | None = None
    packed_number_of_items: float | None = None
    reported_number_of_items: float | None = None
    returned_number_of_items: float | None = None
    reported_returned_number_of_items: float | None = None
    should_be_picked: bool | None = None
    picked_article_items: NullableList[PickedArticleItem] = Field(default_factory=list)
    prices: LinePrices | None = None
    vat: Vat | None = None
    external_id: str | None = None
    customer_article_number: str | None = None


class ParcelTracking(OngoingModel):
    tracking_url: str | None = None


class ParcelAdvanced(OngoingModel):
    parcel_serial_number: str | None = None
    weight: float | None = None
    length: float | None = None
    width: float | None = None
    height: float | None = None


class Parcel(OngoingModel):
    """A colli; ``is_return_parcel`` marks a return label rather than an outbound parcel."""

    id: int | None = None
    parcel_number: str | None = None
    is_return_parcel: bool | None = None
    tracking: ParcelTracking | None = None
    advanced: ParcelAdvanced | None = None


class Tracking(OngoingModel):
    """A shipment-level tracking number (waybill) and its link."""

    waybill: str | None = None
    tracking_url: str | None = None
    created: OngoingTime | None = None


class OrderTransporter(OngoingModel):
    transporter_name: str | None = None
    name: str | None = None  # the service's name
    code: str | None = None
    service_code: str | None = None
    service_comment: str | None = None


class Order(OngoingModel):
    """``GetOrderModel``."""

    goods_owner: GoodsOwnerRef | None = None
    order_info: OrderInfo
    consignee: OrderConsignee | None = None
    order_lines: NullableList[OrderLine] = Field(default_factory=list)
    parcels: NullableList[Parcel] = Field(default_factory=list)
    tracking: NullableList[Tracking] = Field(default_factory=list)
    return_tracking: NullableList[Tracking] = Field(default_factory=list)
    transporter: OrderTransporter | None = None
    return_transporter: OrderTransporter | None = None
    classes: NullableList[CodeName] = Field(default_factory=list)

    @property
    def order_id(self) -> int:
        return self.order_info.order_id

    @property
    def order_number(self) -> str:
        return self.order_info.order_number

    @property
    def status_number(self) -> int | None:
        return self.order_info.order_status.number if self.order_info.order_status else None
