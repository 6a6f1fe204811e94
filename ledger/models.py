"""Ledger tables (SQLAlchemy 2 declarative). Change them only together with an Alembic migration."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ledger.types import UTCDateTime, utcnow


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class OrderBinding(Base):
    """One Starweb order and its Ongoing twin."""

    __tablename__ = "order_bindings"
    __table_args__ = (
        UniqueConstraint("merchant_id", "starweb_order_id", name="uq_order_binding_starweb"),
        UniqueConstraint("merchant_id", "order_number", name="uq_order_binding_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merchant_id: Mapped[str] = mapped_column(String(40), index=True)
    starweb_order_id: Mapped[int] = mapped_column(BigInteger)
    order_number: Mapped[str] = mapped_column(String(50))
    ongoing_order_id: Mapped[int | None] = mapped_column(BigInteger)
    state: Mapped[str | None] = mapped_column(String(20))
    starweb_status_id: Mapped[int | None] = mapped_column(Integer)
    ongoing_status: Mapped[int | None] = mapped_column(Integer)
    pushed_hash: Mapped[str | None] = mapped_column(String(64))
    refused_hash: Mapped[str | None] = mapped_column(String(64))
    short_pick_noted: Mapped[str | None] = mapped_column(String(64))
    initial_status_set: Mapped[bool] = mapped_column(Boolean, default=False)
    silent: Mapped[bool] = mapped_column(Boolean, default=False)
    on_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    release_claim: Mapped[str | None] = mapped_column(String(40))
    release_claimed_at: Mapped[datetime | None]
    starweb_created_at: Mapped[datetime | None]
    starweb_modified_at: Mapped[datetime | None]
    exported_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # Set when the order was found already in Ongoing (another integration's, or ours before a lost
    # ledger) and bound by its number instead of being sent.
    adopted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    lines: Mapped[list[LineBinding]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="LineBinding.id"
    )


class LineBinding(Base):
    """One order line: Starweb itemId ↔ Ongoing rowNumber and orderLineId."""

    __tablename__ = "line_bindings"
    __table_args__ = (UniqueConstraint("order_binding_id", "row_number", name="uq_line_binding_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_binding_id: Mapped[int] = mapped_column(ForeignKey("order_bindings.id", ondelete="CASCADE"), index=True)
    starweb_item_id: Mapped[int | None] = mapped_column(BigInteger)
    row_number: Mapped[str] = mapped_column(String(20))
    ongoing_line_id: Mapped[int | None] = mapped_column(BigInteger)
    sku: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[float] = mapped_column(Numeric(14, 3))

    order: Mapped[OrderBinding] = relationship(back_populates="lines")


class ExportClaim(Base):
    """A Starweb order taken by one export run before its ``PUT /orders``, so a concurrent run skips it."""

    __tablename__ = "export_claims"
    __table_args__ = (UniqueConstraint("merchant_id", "starweb_order_id", name="uq_export_claim"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merchant_id: Mapped[str] = mapped_column(String(40))
    starweb_order_id: Mapped[int] = mapped_column(BigInteger)
    token: Mapped[str] = mapped_column(String(40))
    claimed_at: Mapped[datetime]


class Shipment(Base):
    """One shipment of an order reported back to Starweb. The row is the intent, written before the
    Starweb status change that emails the customer, so a rerun never mails twice nor loses a mail."""

    __tablename__ = "shipments"
    __table_args__ = (UniqueConstraint("merchant_id", "order_number", "shipment_key", name="uq_shipment"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merchant_id: Mapped[str] = mapped_column(String(40), index=True)
    starweb_order_id: Mapped[int] = mapped_column(BigInteger)
    order_number: Mapped[str] = mapped_column(String(50))
    shipment_key: Mapped[str] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(Integer)
    lines: Mapped[dict[str, Any]] = mapped_column(JSON)
    partial: Mapped[bool] = mapped_column(Boolean)
    tracking_number: Mapped[str | None] = mapped_column(String(50))
    tracker_type: Mapped[int | None] = mapped_column(Integer)
    target_status_id: Mapped[int] = mapped_column(Integer)
    send_email: Mapped[bool] = mapped_column(Boolean)
    silent_reason: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20))  # intent → status_changed → acknowledged
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    intent_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]


class ReturnRecord(Base):
    """One return registered from the warehouse, and its row on the refund worklist. The row is written
    before anything reaches Starweb (with the decisions: status, email, amount), so a rerun resumes it."""

    __tablename__ = "returns"
    __table_args__ = (UniqueConstraint("merchant_id", "return_key", name="uq_return_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merchant_id: Mapped[str] = mapped_column(String(40), index=True)
    return_key: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(20))  # sales-order, return-order, purchase-order
    document_id: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(100))
    order_number: Mapped[str | None] = mapped_column(String(50))
    starweb_order_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    acknowledgements: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    comments: Mapped[list[str]] = mapped_column(JSON)
    refund_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    shipping_refund: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    fully_returned: Mapped[bool] = mapped_column(Boolean, default=False)
    target_status_id: Mapped[int | None] = mapped_column(Integer)
    send_email: Mapped[bool] = mapped_column(Boolean, default=False)
    progress: Mapped[str] = mapped_column(String(20))  # recorded → starweb_done → acknowledged; held
    worklist_state: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    claimed_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    starweb_done_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]


class ArticleBinding(Base):
    """One SKU: Starweb product/variant ↔ Ongoing article."""

    __tablename__ = "article_bindings"
    __table_args__ = (UniqueConstraint("merchant_id", "sku", name="uq_article_binding_sku"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merchant_id: Mapped[str] = mapped_column(String(40), index=True)
    sku: Mapped[str] = mapped_column(String(40))
    article_system_id: Mapped[int | None] = mapped_column(BigInteger)
    starweb_product_id: Mapped[int | None] = mapped_column(BigInteger)
    starweb_variant_id: Mapped[int | None] = mapped_column(BigInteger)
    pushed_hash: Mapped[str | None] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    removed_in_starweb_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PurchaseOrderBinding(Base):
    """One purchase order the connector sent to Ongoing (from a file, rows, or the initial inbound), and
    what of its receipt was last reported. The initial inbound's row is written before it is sent."""

    __tablename__ = "purchase_order_bindings"
    __table_args__ = (UniqueConstraint("merchant_id", "purchase_order_number", name="uq_purchase_order_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merchant_id: Mapped[str] = mapped_column(String(40), index=True)
    purchase_order_number: Mapped[str] = mapped_column(String(50))
    origin: Mapped[str] = mapped_column(String(10))  # "file" or "initial"
    source: Mapped[str | None] = mapped_column(String(200))  # the file name the last version came from
    ongoing_purchase_order_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    expected_date: Mapped[date | None] = mapped_column(Date)
    pushed_hash: Mapped[str | None] = mapped_column(String(64))
    refused_hash: Mapped[str | None] = mapped_column(String(64))
    receipt_hash: Mapped[str | None] = mapped_column(String(64))
    pushed_at: Mapped[datetime | None]
    receipt_reported_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    lines: Mapped[list[PurchaseOrderLineBinding]] = relationship(
        back_populates="purchase_order", cascade="all, delete-orphan", order_by="PurchaseOrderLineBinding.id"
    )


class PurchaseOrderLineBinding(Base):
    """One line of a purchase order: row number ↔ Ongoing line id, what was advised and what received
    was last reported (a line the warehouse added for an article never advised has advised 0)."""

    __tablename__ = "purchase_order_line_bindings"
    __table_args__ = (UniqueConstraint("purchase_order_binding_id", "row_number", name="uq_purchase_order_line_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    purchase_order_binding_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_order_bindings.id", ondelete="CASCADE"), index=True)
    row_number: Mapped[str] = mapped_column(String(50))
    sku: Mapped[str] = mapped_column(String(50))
    advised: Mapped[float] = mapped_column(Numeric(14, 3))
    ongoing_line_id: Mapped[int | None] = mapped_column(BigInteger)
    received_reported: Mapped[float] = mapped_column(Numeric(14, 3), default=0)

    purchase_order: Mapped[PurchaseOrderBinding] = relationship(back_populates="lines")


class StockLevel(Base):
    """Starweb's stock figure for one SKU as the connector last wrote or saw it, and when: the baseline
    the next run's one-stock-master check explains Starweb's current figure from."""

    __tablename__ = "stock_levels"
    __table_args__ = (UniqueConstraint("merchant_id", "sku", name="uq_stock_level_sku"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merchant_id: Mapped[str] = mapped_column(String(40), index=True)
    sku: Mapped[str] = mapped_column(String(40))
    written_quantity: Mapped[int | None] = mapped_column(Integer)
    written_at: Mapped[datetime | None]
    # The figure Starweb held somewhere between seen_from and seen_until (a read or write takes time).
    seen_quantity: Mapped[int] = mapped_column(Integer)
    seen_from: Mapped[datetime]
    seen_until: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Cursor(Base):
    """Where one stream of one merchant resumes."""

    __tablename__ = "cursors"

    merchant_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    stream: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class QuarantineEntry(Base):
    """A record that could not be synced: why, how often tried, when next, and what it was."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("merchant_id", "kind", "key", name="uq_quarantine_record"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merchant_id: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    error_class: Mapped[str] = mapped_column(String(60))
    retryable: Mapped[bool] = mapped_column(Boolean)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    payload: Mapped[dict[str, Any] | None]
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(String(200))


class AuditEntry(Base):
    """Append-only: one row per write attempted on either system (or planned, in a dry run)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    merchant_id: Mapped[str] = mapped_column(String(40), index=True)
    flow_run_id: Mapped[str | None] = mapped_column(String(40))
    system: Mapped[str] = mapped_column(String(10))
    operation: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[dict[str, Any] | None]


class UnbookedOrder(Base):
    """A Starweb order that holds stock in Starweb but is not booked by the warehouse yet (not exported:
    new, quarantined or held back), with the units it holds per SKU. The stock sync subtracts them."""

    __tablename__ = "unbooked_orders"
    __table_args__ = (UniqueConstraint("merchant_id", "starweb_order_id", name="uq_unbooked_order"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merchant_id: Mapped[str] = mapped_column(String(40), index=True)
    starweb_order_id: Mapped[int] = mapped_column(BigInteger)
    units: Mapped[dict[str, Any]] = mapped_column(JSON)  # SKU → units
    starweb_modified_at: Mapped[datetime | None]
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class ShipmentSighting(Base):
    """When the connector first saw a shipment that had no tracking number: its wait for the waybill
    (the merchant's grace period) runs from here or from the shipping time, whichever is earlier."""

    __tablename__ = "shipment_sightings"
    __table_args__ = (UniqueConstraint("merchant_id", "order_number", "shipment_key", name="uq_shipment_sighting"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merchant_id: Mapped[str] = mapped_column(String(40), index=True)
    order_number: Mapped[str] = mapped_column(String(50))
    shipment_key: Mapped[str] = mapped_column(String(64))
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class BreakerRecord(Base):
    """The shared memory of one vendor account's circuit breaker: every run of every process counts its
    failed calls here, so a down vendor is paused for all of them at once."""

    __tablename__ = "circuit_breakers"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    open_until: Mapped[datetime | None]
    last_cause: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RunLock(Base):
    """A lock held by one flow run (``holder`` is its Prefect flow-run id). Taken over as soon as the
    holder's run is over, or when the holder stops renewing it before ``expires_at``."""

    __tablename__ = "run_locks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(40))
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class RegisterSnapshot(Base):
    """What a vendor's slowly changing register (Starweb's order statuses, the verdict of the Ongoing mapping
    check) looked like when last read, so runs within a few minutes of each other need not read it again."""

    __tablename__ = "register_snapshots"

    merchant_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    content: Mapped[Any] = mapped_column(JSON)
    read_at: Mapped[datetime]


class WebhookDelivery(Base):
    """One webhook call the receiver accepted. The row is written before the Prefect event is emitted,
    so a resent call (same key) is recognised, and a run started by an event finds the records the
    events that followed it name."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("merchant_id", "source", "delivery_key", name="uq_webhook_delivery_key"),
        Index("ix_webhook_deliveries_merchant_received", "merchant_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merchant_id: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(10))
    delivery_key: Mapped[str] = mapped_column(String(100))
    event: Mapped[str] = mapped_column(String(60))
    record: Mapped[str | None] = mapped_column(String(100))
    received_at: Mapped[datetime]
    emitted_at: Mapped[datetime | None]


class WebhookTake(Base):
    """A delivery one listening process has handled: each process takes a delivery once, in the run that
    followed its event (see tasks.event_follow)."""

    __tablename__ = "webhook_takes"

    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id", ondelete="CASCADE"),
                                             primary_key=True)
    process: Mapped[str] = mapped_column(String(60), primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookCallCount(Base):
    """How many webhook calls ended how (accepted, duplicate, refused and why), per merchant and vendor."""

    __tablename__ = "webhook_call_counts"

    merchant_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    source: Mapped[str] = mapped_column(String(10), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(30), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    last_at: Mapped[datetime] = mapped_column(default=utcnow)
