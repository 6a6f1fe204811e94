"""What the order endpoints accept, with the limits the spec gives (lengths, ranges, enums).

Bodies are the spec's OrderUpdateModel/OrderPutModel, OrderItemModel, AddressModel,
OrderCommentModel and OrderExternalServiceModel. Read-only fields a client sends back (orderId,
totals, modifiedAt, …) are ignored, as are unknown ones; a value breaking a limit is a 400.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

ADDRESS_TYPES = ("paymentMethodDelivery", "paymentMethodInvoice", "originalDelivery", "originalInvoice",
                 "customerDelivery", "customerInvoice")
AddressType = Literal["paymentMethodDelivery", "paymentMethodInvoice", "originalDelivery", "originalInvoice",
                      "customerDelivery", "customerInvoice"]


class VendorBody(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    def vendor_fields(self) -> dict[str, Any]:
        """The fields the caller actually sent, under Starweb's names (JSON values, checked by the model)."""
        return self.model_dump(by_alias=True, exclude_unset=True)


class OrderItemBody(VendorBody):
    sku: str | None = Field(default=None, max_length=40)
    description: str | None = Field(default=None, max_length=255)
    quantity: int | None = Field(default=None, ge=-1_000_000, le=1_000_000)
    unit_symbol: str | None = Field(default=None, max_length=5)
    unit_price: float | None = None
    vat_rate: float | None = Field(default=None, ge=0, le=100)
    discount: float | None = Field(default=None, ge=0)
    discount_type: Literal["amount", "percent"] | None = None
    sort_index: int | None = Field(default=None, ge=0)


class AddressBody(VendorBody):
    company_name: str | None = Field(default=None, max_length=80)
    first_name: str | None = Field(default=None, max_length=35)
    last_name: str | None = Field(default=None, max_length=35)
    care_of: str | None = Field(default=None, max_length=80)
    attention: str | None = Field(default=None, max_length=80)
    reference: str | None = Field(default=None, max_length=80)
    address: str | None = Field(default=None, max_length=50)
    postal_code: str | None = Field(default=None, max_length=12)
    city: str | None = Field(default=None, max_length=30)
    state: str | None = Field(default=None, max_length=30)
    country_code: str | None = Field(default=None, min_length=2, max_length=2)
    phone_no: str | None = Field(default=None, max_length=30)
    mobile_phone_no: str | None = Field(default=None, max_length=30)


class OrderAddressesBody(VendorBody):
    original_invoice: AddressBody | None = None
    original_delivery: AddressBody | None = None
    customer_invoice: AddressBody | None = None
    customer_delivery: AddressBody | None = None
    payment_method_invoice: AddressBody | None = None
    payment_method_delivery: AddressBody | None = None


class OrderBody(VendorBody):
    """POST and PATCH /orders (OrderUpdateModel); every field optional."""

    created_at: str | None = None
    customer_id: int | None = None
    status_id: int | None = None
    on_order_status_change_send_email: bool | None = None
    on_order_status_change_process_payment: bool | None = None
    send_emails_on_status_change: bool | None = None
    stock_location_id: int | None = None
    shipping_method_id: int | None = None
    payment_method_id: int | None = None
    payment_method_name: str | None = Field(default=None, max_length=50)
    payment_fee: float | None = Field(default=None, ge=0)
    payment_vat_rate: float | None = None
    shipping_method_name: str | None = Field(default=None, max_length=30)
    shipping_cost: float | None = Field(default=None, ge=0)
    shipping_vat_rate: float | None = None
    custom_info1: str | None = Field(default=None, max_length=255)
    custom_info2: str | None = Field(default=None, max_length=255)
    custom_info3: str | None = Field(default=None, max_length=255)
    custom_info4: str | None = Field(default=None, max_length=255)
    discount_code: str | None = Field(default=None, max_length=20)
    amount_paid: float | None = None
    is_complete: bool | None = None
    currency_code: str | None = Field(default=None, min_length=3, max_length=3)
    currency_exchange_rate: float | None = Field(default=None, gt=0)
    currency_precision: int | None = Field(default=None, ge=0, le=6)
    lang_code: str | None = Field(default=None, min_length=2, max_length=2)
    payment_reference: str | None = Field(default=None, max_length=80)
    payment_status: str | None = Field(default=None, max_length=20)
    is_read: bool | None = None
    internal_comment: str | None = None
    shipping_tracker_type: int | None = None
    shipping_tracking_no: str | None = Field(default=None, max_length=50)
    original_customer_email: str | None = None
    original_customer_national_id_no: str | None = None
    original_customer_vat_no: str | None = None
    original_customer_custom_info1: str | None = None
    original_customer_custom_info2: str | None = None
    external_id: str | None = None
    external_id_type: str | None = None
    items: list[OrderItemBody] | None = None
    addresses: OrderAddressesBody | None = None


class OrderPutBody(OrderBody):
    """PUT /orders/{id} (OrderPutModel): ``statusId`` is required."""

    status_id: int


class CommentBody(VendorBody):
    created_at: str | None = None
    text: str | None = None
    from_: Literal["admin", "customer"] | None = Field(default=None, alias="from")


class ExternalServiceBody(VendorBody):
    service_name: str | None = Field(default=None, max_length=40)
    external_id_value: str | None = Field(default=None, max_length=40)
    agent: str | None = None


# Fields a client may set on an order directly (everything but the per-call flags and sub-resources).
CALL_FLAGS = ("onOrderStatusChangeSendEmail", "onOrderStatusChangeProcessPayment")
SUB_RESOURCES = ("items", "addresses")
