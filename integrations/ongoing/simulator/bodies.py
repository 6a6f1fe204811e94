"""Request bodies the simulated Ongoing accepts, after the v57 ``Post…``/``Patch…`` models.

Required members are required here too, so a missing one is refused with a 400 naming it. Unknown
members are ignored; numbers sent as strings are accepted (Ongoing's own examples do that) and row
numbers sent as numbers are read as text. Nested objects the simulator only stores and echoes are kept
as plain JSON objects.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from integrations.ongoing.simulator.timefmt import RequiredVendorTime, VendorTime

JsonObject = dict[str, Any]


class Body(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore",
                              coerce_numbers_to_str=True)

    def stored(self) -> JsonObject:
        """The members the client actually sent, under their vendor names."""
        return self.model_dump(by_alias=True, exclude_unset=True, mode="json")


class CodeName(Body):
    code: str | None = None
    name: str | None = None


class Notification(Body):
    to_be_notified: bool | None = None
    value: str | None = None


class TransporterBody(Body):
    transporter_code: str | None = None
    transporter_service_code: str | None = None
    payment_advanced: JsonObject | None = None


class ArticleBody(Body):
    goods_owner_id: int
    article_number: str = Field(min_length=1)
    article_name: str | None = None
    product_code: str | None = None
    unit_code: str | None = None
    description: str | None = None
    is_stock_article: bool | None = None
    is_active: bool | None = None
    supplier_info: JsonObject | None = None
    bar_code_info: JsonObject | None = None
    quantity_per_package: int | None = None
    quantity_per_pallet: int | None = None
    weight: float | None = None
    length: float | None = None
    width: float | None = None
    height: float | None = None
    volume: float | None = None
    net_weight: float | None = None
    purchase_price: float | None = None
    stock_valuation_price: float | None = None
    customer_price: float | None = None
    purcase_currency_code: str | None = None  # sic: Ongoing's spelling
    country_of_origin_code: str | None = None
    statistics_number: str | None = None
    additional_statistics_number: str | None = None
    customs_description: str | None = None
    customs_export_conditions: str | None = None
    article_group: CodeName | None = None
    article_category: CodeName | None = None
    article_color: CodeName | None = None
    article_size: CodeName | None = None
    article_name_translations: list[JsonObject] | None = None
    stock_limit: int | None = None
    minimum_reorder_quantity: float | None = None
    link_to_picture: str | None = None
    sub_quantity_per_item: float | None = None
    min_days_to_expiry_date_allowed_on_delivery: int | None = None
    structure_definition: JsonObject | None = None
    storage_properties: JsonObject | None = None
    storage_class: JsonObject | None = None
    free_values: JsonObject | None = None
    taric_numbers_info: JsonObject | None = None
    article_inbound_handling_comment: str | None = None
    article_picking_handling_comment: str | None = None
    article_return_handling_comment: str | None = None


class ConsigneeBody(Body):
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
    customer_group: CodeName | None = None
    advanced: JsonObject | None = None
    invoice_address: JsonObject | None = None


class OrderLineBody(Body):
    row_number: str = Field(min_length=1)
    article_number: str = Field(min_length=1)
    number_of_items: float | None = None
    comment: str | None = None
    should_be_picked: bool | None = None
    serial_number: str | None = None
    batch_number: str | None = None
    line_total_customs_value: float | None = None
    line_type: CodeName | None = None
    prices: JsonObject | None = None
    customer_article_number: str | None = None
    warehouse_instruction: str | None = None
    external_id: str | None = None
    line_free_values: JsonObject | None = None
    min_days_to_expiry_date: int | None = None
    max_days_to_expiry_date: int | None = None
    delivery_date: VendorTime = None
    vat: JsonObject | None = None
    weight: float | None = None


class OrderBody(Body):
    goods_owner_id: int
    order_number: str = Field(min_length=1)
    delivery_date: RequiredVendorTime
    consignee: ConsigneeBody
    reference_number: str | None = None
    goods_owner_order_id: str | None = None
    sales_code: str | None = None
    order_remark: str | None = None
    delivery_instruction: str | None = None
    service_point_code: str | None = None
    free_text1: str | None = None
    free_text2: str | None = None
    free_text3: str | None = None
    order_free_date_time1: VendorTime = None
    order_type: CodeName | None = None
    way_of_delivery: CodeName | None = None
    terms_of_delivery_type: CodeName | None = None
    email_notification: Notification | None = None
    sms_notification: Notification | None = None
    telephone_notification: Notification | None = None
    transporter: TransporterBody | None = None
    return_transporter: TransporterBody | None = None
    order_lines: list[OrderLineBody] | None = None
    customs_info: JsonObject | None = None
    prepared_transport_document_id: str | None = None
    freight_price: float | None = None
    customer_price: float | None = None
    warehouse_id: int | None = None
    classes: list[JsonObject] | None = None
    advanced: JsonObject | None = None
    consignee_order_number: str | None = None
    warehouse_instruction: str | None = None
    market_place: JsonObject | None = None
    picking_priority: int | None = None
    production_code: str | None = None
    invoice_url: str | None = None
    language_code: str | None = None


class PurchaseOrderLineBody(Body):
    row_number: str = Field(min_length=1)
    article_number: str = Field(min_length=1)
    number_of_items: float | None = None
    comment: str | None = None
    row_price: float | None = None
    currency_code: str | None = None
    external_order_line_id: str | None = None
    in_date: VendorTime = None
    line_type: CodeName | None = None


class PurchaseOrderBody(Body):
    goods_owner_id: int
    purchase_order_number: str = Field(min_length=1)
    supplier_order_number: str | None = None
    goods_owner_reference: str | None = None
    reference_number: str | None = None
    in_date: VendorTime = None
    supplier_info: JsonObject | None = None
    purchase_order_type: CodeName | None = None
    purchase_order_lines: list[PurchaseOrderLineBody] | None = None
    purchase_order_remark: str | None = None
    free_values: JsonObject | None = None
    advanced: JsonObject | None = None
    invoice_number: str | None = None


class CustomerOrderRef(Body):
    order_id: int


class CustomerOrderLineRef(Body):
    order_line_id: int


class ReturnOrderLineBody(Body):
    return_order_row_number: str = Field(min_length=1)
    customer_order_line: CustomerOrderLineRef
    to_be_returned_number_of_items: float
    return_cause: CodeName | None = None
    return_order_line_comment: str | None = None


class ReturnOrderBody(Body):
    goods_owner_id: int
    return_order_number: str = Field(min_length=1)
    customer_order: CustomerOrderRef
    return_order_lines: list[ReturnOrderLineBody]
    comment: str | None = None
    in_date: VendorTime = None
    return_order_handling_comment: str | None = None
    free_values: JsonObject | None = None


class OrderStatusPatch(Body):
    order_status_number: int


class ReportedPatch(Body):
    reported_number_of_items: float


class ReportedReturnedPatch(Body):
    reported_returned_number_of_items: float


class RemarkPatch(Body):
    order_remark: str


class DeliveryDatePatch(Body):
    delivery_date: RequiredVendorTime


class WaybillPatch(Body):
    waybill: str


class TrackingBody(Body):
    waybill: str
    tracking_url: str
    is_return_tracking: bool
