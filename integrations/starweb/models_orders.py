"""Starweb orders: the order with its rows, addresses, status and comments, and the bodies to write them.

``Order`` follows OrderModel; rows join the catalogue by ``sku`` only and are priced per unit
excluding VAT. An order has six address slots, any of them empty. ``OrderCreate`` may carry rows and
addresses inline (OrderUpdateModel); ``OrderPatch`` sends only what is set, and a status change
triggers Starweb's customer e-mail and payment processing unless the two flags say otherwise.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_snake

from integrations.starweb.models_base import (
    Amount,
    Languages,
    StarwebModel,
    StarwebWrite,
    Timestamp,
    language_name,
    unwrap_data,
    unwrap_list,
)


class AddressType(StrEnum):
    """The six address slots of an order (``/orders/{orderId}/addresses/{addressType}``)."""

    PAYMENT_METHOD_DELIVERY = "paymentMethodDelivery"
    PAYMENT_METHOD_INVOICE = "paymentMethodInvoice"
    ORIGINAL_DELIVERY = "originalDelivery"
    ORIGINAL_INVOICE = "originalInvoice"
    CUSTOMER_DELIVERY = "customerDelivery"
    CUSTOMER_INVOICE = "customerInvoice"


class Address(StarwebModel):
    """AddressModel: one street line (``address``, ≤50), no second line and no e-mail."""

    company_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    care_of: str | None = None
    attention: str | None = None
    reference: str | None = None
    address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    state: str | None = None
    country_code: str | None = None
    phone_no: str | None = None
    mobile_phone_no: str | None = None


class OrderAddresses(StarwebModel):
    """OrderAddressModel: the six slots, any of which may be null or missing."""

    payment_method_delivery: Address | None = None
    payment_method_invoice: Address | None = None
    original_delivery: Address | None = None
    original_invoice: Address | None = None
    customer_delivery: Address | None = None
    customer_invoice: Address | None = None

    def get(self, slot: AddressType | str) -> Address | None:
        return getattr(self, to_snake(str(AddressType(slot))))


class OrderItem(StarwebModel):
    """OrderItemModel: joined to the catalogue by ``sku`` only; prices are per unit excluding VAT."""

    item_id: int
    sku: str | None = None
    description: str | None = None
    quantity: int | None = None
    unit_symbol: str | None = None
    unit_price: Amount | None = None
    vat_rate: Amount | None = None
    discount: Amount | None = None
    discount_type: str | None = None
    sort_index: int | None = None
    bundled_items: Annotated[list[OrderItem], BeforeValidator(unwrap_list)] = Field(default_factory=list)


class OrderStatus(StarwebModel):
    """OrderStatusModel: standard statuses carry an ``idCode`` (created, picking, completed, canceled)."""

    status_id: int
    id_code: str | None = None
    should_send_email: bool | None = None
    languages: Languages = Field(default_factory=list)

    @property
    def name(self) -> str | None:
        return language_name(self.languages)

    def name_in(self, lang_code: str) -> str | None:
        return language_name(self.languages, lang_code)


class OrderComment(StarwebModel):
    comment_id: int
    created_at: Timestamp | None = None
    text: str | None = None
    author: str | None = Field(default=None, alias="from")  # "admin" or "customer"


class OrderExternalService(StarwebModel):
    """A link from the order to another system's id, one per ``serviceName``."""

    service_name: str | None = None
    external_id_value: str | None = None
    read_only: bool | None = None
    agent: str | None = None


class _OrderWritableFields(StarwebModel):
    """The OrderModel fields a client may both read and write."""

    created_at: Timestamp | None = None
    customer_id: int | None = None
    status_id: int | None = None
    stock_location_id: int | None = None
    shipping_method_id: int | None = None
    shipping_method_name: str | None = None
    shipping_cost: Amount | None = None
    shipping_vat_rate: Amount | None = None
    payment_method_id: int | None = None
    payment_method_name: str | None = None
    payment_fee: Amount | None = None
    payment_vat_rate: Amount | None = None
    payment_reference: str | None = None
    payment_status: str | None = None
    amount_paid: Amount | None = None
    currency_code: str | None = None
    currency_exchange_rate: Amount | None = None
    currency_precision: int | None = None
    lang_code: str | None = None
    custom_info1: str | None = None
    custom_info2: str | None = None
    custom_info3: str | None = None
    custom_info4: str | None = None
    discount_code: str | None = None
    is_complete: bool | None = None
    is_read: bool | None = None
    internal_comment: str | None = None
    shipping_tracker_type: int | None = None
    shipping_tracking_no: str | None = None
    original_customer_email: str | None = None
    original_customer_national_id_no: str | None = None
    original_customer_vat_no: str | None = None
    original_customer_custom_info1: str | None = None
    original_customer_custom_info2: str | None = None
    external_id: str | None = None
    external_id_type: str | None = None


class Order(_OrderWritableFields):
    """OrderModel. ``orderId`` is also the order number; ``totalAmount`` excludes VAT, ``amountToPay``
    includes it. ``items``, ``addresses``, ``status`` and ``externalServices`` are filled only when
    asked for with ``include``."""

    order_id: int
    modified_at: Timestamp | None = None
    send_emails_on_status_change: bool | None = None
    shipping_method_external_id: str | None = None
    payment_method_id_code: str | None = None
    payment_method_external_id: str | None = None
    total_amount: Amount | None = None
    total_vat: Amount | None = None
    amount_to_pay: Amount | None = None
    total_amount_in_base_currency: Amount | None = None
    total_vat_in_base_currency: Amount | None = None
    amount_to_pay_in_base_currency: Amount | None = None
    amount_paid_in_base_currency: Amount | None = None
    base_currency_code: str | None = None
    shop_country_code: str | None = None
    total_weight: Amount | None = None
    has_comments: bool | None = None
    items: Annotated[list[OrderItem] | None, BeforeValidator(unwrap_data)] = None
    addresses: Annotated[OrderAddresses | None, BeforeValidator(unwrap_data)] = None
    status: Annotated[OrderStatus | None, BeforeValidator(unwrap_data)] = None
    external_services: Annotated[list[OrderExternalService] | None, BeforeValidator(unwrap_data)] = None


class OrderItemWrite(StarwebWrite):
    """An order row to create (POST) or change (PATCH, only the fields set are sent)."""

    sku: str | None = None
    description: str | None = None
    quantity: int | None = None
    unit_symbol: str | None = None
    unit_price: Amount | None = None
    vat_rate: Amount | None = None
    discount: Amount | None = None
    discount_type: Literal["amount", "percent"] | None = None
    sort_index: int | None = None


class OrderCreate(_OrderWritableFields):
    """POST /orders (OrderUpdateModel): rows and addresses may be sent inline with the order."""

    model_config = ConfigDict(extra="forbid")

    items: list[OrderItemWrite] | None = None
    addresses: OrderAddresses | None = None
    # Starweb e-mails the customer and processes payment on new orders unless told not to.
    on_order_status_change_send_email: bool | None = None
    on_order_status_change_process_payment: bool | None = None


class OrderPatch(StarwebWrite):
    """PATCH /orders/{orderId}: status, tracking and bookkeeping fields; only those set are sent.

    A status change e-mails the customer (if the status says so) and processes the payment unless
    ``on_order_status_change_send_email`` / ``on_order_status_change_process_payment`` are false."""

    status_id: int | None = None
    shipping_tracking_no: str | None = None
    shipping_tracker_type: int | None = None
    on_order_status_change_send_email: bool | None = None
    on_order_status_change_process_payment: bool | None = None
    # Read-write on OrderModel though the PATCH schema omits it: stops status e-mails for good.
    send_emails_on_status_change: bool | None = None
    internal_comment: str | None = None
    external_id: str | None = None
    external_id_type: str | None = None
