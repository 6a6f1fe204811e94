"""Webhook deliveries from the vendors, read as "which record to look at again", and who listens.

Neither vendor's body is trusted: Starweb's web-hooks are unsigned and Ongoing's only say which order or
purchase order changed. A delivery becomes a ``Delivery``: the connector's event name (also the Prefect
event's), the record to re-read, and a key that stays the same when the vendor sends the same event
again (Starweb's ``uuid``; for Ongoing, which documents no such id, a digest of the body). ``LISTENERS``
says which process starts on which events; deployment triggers and the runs themselves both read it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domain.config import MerchantConfig
from domain.statuses import OrderState, StarwebStatusRef

EventSource = Literal["starweb", "ongoing"]

STARWEB_ORDER_CREATED = "starweb.order.created"
STARWEB_ORDER_COMPLETED = "starweb.order.completed"
STARWEB_ORDER_UPDATED = "starweb.order.updated"
STARWEB_ORDER_STATUS_CHANGED = "starweb.order.status-changed"
STARWEB_ORDER_EXPORTABLE = "starweb.order.exportable"
STARWEB_ORDER_CANCELLED = "starweb.order.cancelled"
STARWEB_ORDER_STATUS_SET = "starweb.order.status-set"
STARWEB_ORDER_DELETED = "starweb.order.deleted"
STARWEB_PRODUCT_CREATED = "starweb.product.created"
STARWEB_PRODUCT_UPDATED = "starweb.product.updated"
STARWEB_PRODUCT_REMOVED = "starweb.product.removed"
ONGOING_ORDER_OPEN = "ongoing.order.open"
ONGOING_ORDER_STATUS_CHANGED = "ongoing.order.status-changed"
ONGOING_ORDER_PICKED = "ongoing.order.picked"
ONGOING_ORDER_SHIPPED = "ongoing.order.shipped"
ONGOING_ORDER_RETURNED = "ongoing.order.returned"
ONGOING_PURCHASE_ORDER_CHANGED = "ongoing.purchase-order.status-changed"
ONGOING_PURCHASE_ORDER_RECEIVED = "ongoing.purchase-order.received"

# Starweb web-hook event name -> (kind of record, the connector's event).
STARWEB_EVENTS: dict[str, tuple[str, str]] = {
    "order-created": ("order", STARWEB_ORDER_CREATED),
    "order-completed": ("order", STARWEB_ORDER_COMPLETED),
    "order-updated": ("order", STARWEB_ORDER_UPDATED),
    "order-status-changed": ("order", STARWEB_ORDER_STATUS_CHANGED),
    "order-deleted": ("order", STARWEB_ORDER_DELETED),
    "product-created": ("product", STARWEB_PRODUCT_CREATED),
    "product-updated": ("product", STARWEB_PRODUCT_UPDATED),
    "product-removed": ("product", STARWEB_PRODUCT_REMOVED),
}
# Starweb events the connector has no use for: acknowledged so Starweb does not retry them, then dropped.
IGNORED_STARWEB_EVENTS = frozenset({"customer-created", "customer-updated", "customer-deleted", "shop-opened",
                                    "shop-closed", "shop-removed"})
# Ongoing's purchase-order webhook "is received" fires from this status up (400 Deflection, 500 Received).
PURCHASE_ORDER_RECEIVED_FROM = 400


class DeliveryError(ValueError):
    """A body that is not a delivery the connector understands; the message says what is wrong."""


@dataclass(frozen=True)
class Delivery:
    """One accepted webhook call: what happened, to which record, and its de-duplication key."""

    source: EventSource
    event: str
    record_kind: str
    record: str | None  # None: the vendor named no record, so the listener looks at everything
    key: str


@dataclass(frozen=True)
class Listener:
    """A process that starts on events of one vendor; ``narrows`` says whether it can take only the
    records the events name (else each event-started pass is a full one)."""

    source: EventSource
    events: tuple[str, ...]
    narrows: bool = True


# Which process starts on which events. A Starweb status change is named by the merchant's file (see
# ``starweb_status_event``), so the connector's own status changes (picking, sent …), which come back as
# web-hooks too, start no run; one it cannot place goes to both Starweb listeners.
LISTENERS: dict[str, Listener] = {
    "export-orders": Listener("starweb", (STARWEB_ORDER_CREATED, STARWEB_ORDER_COMPLETED, STARWEB_ORDER_EXPORTABLE,
                                          STARWEB_ORDER_STATUS_CHANGED)),
    "sync-order-changes": Listener("starweb", (STARWEB_ORDER_UPDATED, STARWEB_ORDER_CANCELLED,
                                               STARWEB_ORDER_STATUS_CHANGED, STARWEB_ORDER_DELETED)),
    "sync-order-statuses": Listener("ongoing", (ONGOING_ORDER_STATUS_CHANGED, ONGOING_ORDER_PICKED)),
    # Ongoing's own "lines to report" query is one call, so a shipment pass reads everything anyway.
    "report-shipments": Listener("ongoing", (ONGOING_ORDER_SHIPPED,), narrows=False),
    # Receipts and returns are read by time window and "to report" flags, never one document at a time.
    "track-receipts": Listener("ongoing", (ONGOING_PURCHASE_ORDER_RECEIVED,), narrows=False),
    "register-returns": Listener("ongoing", (ONGOING_ORDER_RETURNED, ONGOING_PURCHASE_ORDER_RECEIVED), narrows=False),
}

# The Starweb web-hooks ``swo webhooks register`` keeps: every order event some listener needs (a status
# change reaches its listeners under the name ``starweb_status_event`` gives it).
STARWEB_SUBSCRIPTIONS: tuple[str, ...] = tuple(
    name for name, (_, event) in STARWEB_EVENTS.items()
    if event == STARWEB_ORDER_STATUS_CHANGED or any(event in listener.events for listener in LISTENERS.values()))


def merchant_resource_id(merchant_id: str) -> str:
    """The Prefect resource every event of a merchant is related to (and its triggers match on)."""
    return f"swo.merchant.{merchant_id}"


def record_resource_id(merchant_id: str, delivery: Delivery) -> str:
    """The Prefect resource an event is about, e.g. ``starweb.order.demo.1001``."""
    return f"{delivery.source}.{delivery.record_kind}.{merchant_id}.{delivery.record or '*'}"


class _Body(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class StarwebWebHookBody(_Body):
    """What Starweb posts (field names verified in its spec; value types inferred)."""

    uuid: Annotated[str, Field(min_length=1, max_length=100)]
    event_id: str | int | None = Field(default=None, alias="eventId")
    order_id: Annotated[int | None, Field(gt=0)] = Field(default=None, alias="orderId")
    product_id: Annotated[int | None, Field(gt=0)] = Field(default=None, alias="productId")
    order_status_id: int | None = Field(default=None, alias="orderStatusId")
    order_status_id_code: Any = Field(default=None, alias="orderStatusIdCode")  # a string, or (inferred) not


class OngoingNumber(_Body):
    number: int


class OngoingWebhookBody(_Body):
    """The members of Ongoing's order, purchase-order and picking/returns webhooks the connector reads."""

    goods_owner_id: int | None = Field(default=None, alias="goodsOwnerId")
    order_number: Annotated[str | None, Field(max_length=100)] = Field(default=None, alias="orderNumber")
    order_status: OngoingNumber | None = Field(default=None, alias="orderStatus")
    purchase_order_number: Annotated[str | None, Field(max_length=100)] = Field(
        default=None, alias="purchaseOrderNumber")
    purchase_order_status: OngoingNumber | None = Field(default=None, alias="purchaseOrderStatus")
    is_returned: bool | None = Field(default=None, alias="isReturned")


def _problems(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in item['loc']) or 'body'}: {item['msg']}" for item in error.errors())


def _mapping(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise DeliveryError(f"the body is a JSON {type(body).__name__}, not an object")
    return body


def parse_starweb_delivery(body: Any, merchant: MerchantConfig, event_hint: str | None = None) -> Delivery | None:
    """A Starweb web-hook call as a delivery; None for events the connector does not use.

    The event comes from ``eventId`` when that is an event name, else from the ``event`` the URL was
    registered with (Starweb's examples do not settle whether ``eventId`` is a name or a number)."""
    try:
        parsed = StarwebWebHookBody.model_validate(_mapping(body))
    except ValidationError as exc:
        raise DeliveryError(_problems(exc)) from None
    candidates = [c for c in (parsed.event_id, event_hint) if isinstance(c, str)]
    name = next((c for c in candidates if c in STARWEB_EVENTS), None)
    if name is None:
        if any(c in IGNORED_STARWEB_EVENTS for c in candidates):
            return None
        raise DeliveryError(f"unknown web-hook event {parsed.event_id!r}" + (
            f" (registered as {event_hint!r})" if event_hint else ""))
    kind, event = STARWEB_EVENTS[name]
    record = parsed.order_id if kind == "order" else parsed.product_id
    if record is None:
        raise DeliveryError(f"a {name} web-hook without {'orderId' if kind == 'order' else 'productId'}")
    if event == STARWEB_ORDER_STATUS_CHANGED:
        code = parsed.order_status_id_code if isinstance(parsed.order_status_id_code, str) else None
        event = starweb_status_event(parsed.order_status_id, code, merchant)
    return Delivery("starweb", event, kind, str(record), parsed.uuid)


def starweb_status_event(status_id: int | None, id_code: str | None, merchant: MerchantConfig) -> str:
    """Which event an order's new Starweb status is, by the merchant's file: one the export takes
    (``orders.exportable_starweb_statuses``), the cancelled one, another the file names, or one it cannot
    place (no status in the body, or a status the file does not name by what the body carries)."""
    def matches(ref: str | int) -> bool | None:
        parsed = StarwebStatusRef.parse(ref)
        if parsed.id_code is not None:
            return None if id_code is None else parsed.id_code == id_code
        return None if status_id is None else parsed.status_id == status_id

    exportable = [matches(ref) for ref in merchant.orders.exportable_starweb_statuses]
    cancelled = matches(merchant.statuses[OrderState.CANCELLED].starweb)
    if any(exportable):
        return STARWEB_ORDER_EXPORTABLE
    if cancelled:
        return STARWEB_ORDER_CANCELLED
    if None in exportable or cancelled is None:
        return STARWEB_ORDER_STATUS_CHANGED
    return STARWEB_ORDER_STATUS_SET


def body_digest(body: dict[str, Any]) -> str:
    """A stable key for a body: Ongoing sends the same members again when it retries an event."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def parse_ongoing_delivery(body: Any, merchant: MerchantConfig) -> Delivery:
    """An Ongoing webhook call as a delivery for this merchant's goods owner."""
    raw = _mapping(body)
    try:
        parsed = OngoingWebhookBody.model_validate(raw)
    except ValidationError as exc:
        raise DeliveryError(_problems(exc)) from None
    owner = merchant.ongoing.goods_owner_id
    if parsed.goods_owner_id is not None and parsed.goods_owner_id != owner:
        raise DeliveryError(f"goodsOwnerId {parsed.goods_owner_id} is not this merchant's goods owner ({owner})")
    key = body_digest(raw)
    if parsed.is_returned is not None:  # the picking, packing and returns family
        event = ONGOING_ORDER_RETURNED if parsed.is_returned else ONGOING_ORDER_PICKED
        return Delivery("ongoing", event, "order", parsed.order_number, key)
    if parsed.purchase_order_number is not None or parsed.purchase_order_status is not None or \
            "purchaseOrderId" in raw:
        number = parsed.purchase_order_status.number if parsed.purchase_order_status else None
        received = number is not None and number >= PURCHASE_ORDER_RECEIVED_FROM
        return Delivery("ongoing", ONGOING_PURCHASE_ORDER_RECEIVED if received else ONGOING_PURCHASE_ORDER_CHANGED,
                        "purchase-order", parsed.purchase_order_number, key)
    if parsed.order_number is not None or parsed.order_status is not None or "orderId" in raw:
        number = parsed.order_status.number if parsed.order_status else None
        return Delivery("ongoing", order_event(number, merchant), "order", parsed.order_number, key)
    raise DeliveryError("neither an order nor a purchase-order webhook (no orderNumber, orderStatus, "
                        "purchaseOrderNumber or isReturned)")


def order_event(number: int | None, merchant: MerchantConfig) -> str:
    """Which event an order's new Ongoing status is, by the merchant's status map, so that the process it
    concerns looks: still open (created, or the initial status the connector itself set: no one needs to),
    work started or cancelled, sent or partly sent, returned."""
    if number is None:
        return ONGOING_ORDER_STATUS_CHANGED
    rules = merchant.statuses
    picking = rules[OrderState.PICKING].ongoing
    sent = min(rules[OrderState.SENT].ongoing, rules[OrderState.PARTIALLY_SENT].ongoing)
    returned, cancelled = rules[OrderState.RETURNED].ongoing, rules[OrderState.CANCELLED].ongoing
    if number >= cancelled:
        return ONGOING_ORDER_STATUS_CHANGED
    if returned > sent and number >= returned:
        return ONGOING_ORDER_RETURNED
    if number >= sent:
        return ONGOING_ORDER_SHIPPED
    if number < picking:
        return ONGOING_ORDER_OPEN
    return ONGOING_ORDER_STATUS_CHANGED
