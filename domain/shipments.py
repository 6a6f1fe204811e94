"""Shipments: what the warehouse sent, and how Starweb must learn it.

A shipment is what Ongoing shows as shipped (packed, or picked where the warehouse does not pack)
beyond what the connector already acknowledged (``reportedNumberOfItems``). Its key is a hash of the
order number and the cumulative shipped quantities, so the same shipment seen again — after a crash,
a rerun or a duplicated trigger — has the same key. Starweb emails the customer when the order's
status changes to a status with ``shouldSendEmail``; whether this shipment may trigger that email is
decided here, once, before anything is written: never for orders from before the go-live cutoff, orders
the connector did not export, or orders Starweb already shows as done.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from domain.hashing import payload_hash
from domain.statuses import OrderState, StatusTable
from domain.tracking import tracking_number_of
from integrations.ongoing.models import Order as OngoingOrder
from integrations.starweb.models import Order as StarwebOrder
from integrations.starweb.models import OrderItem


@dataclass(frozen=True)
class ShippedLine:
    row_number: str
    order_line_id: int
    sku: str
    ordered: float
    shipped: float  # cumulative, this shipment included
    reported: float  # acknowledged before this shipment

    @property
    def in_this_shipment(self) -> float:
        return self.shipped - self.reported


@dataclass(frozen=True)
class Shipment:
    order_number: str
    ongoing_order_id: int
    key: str
    lines: list[ShippedLine]  # the lines with units in this shipment
    shipped_by_row: dict[str, float]  # cumulative shipped units of every line
    partial: bool
    tracking_number: str | None
    transporter_code: str | None
    shipped_at: datetime | None
    # Every ordered unit is picked and shipped: Ongoing's one-call acknowledgement (reported := picked) then
    # says exactly what a call per line would, and no later pick can slip into it unreported.
    whole_order_shipped: bool = False

    @property
    def skus(self) -> set[str]:
        return {line.sku for line in self.lines if line.sku}


def shipped_quantities(order: OngoingOrder) -> dict[str, float]:
    """Shipped units per row: packed where the warehouse packs, picked where it does not."""
    packs = any((line.packed_number_of_items or 0) > 0 for line in order.order_lines)
    return {line.row_number or str(line.id): float((line.packed_number_of_items if packs else
                                                     line.picked_number_of_items) or 0)
            for line in order.order_lines}


def detect_shipment(order: OngoingOrder, table: StatusTable) -> Shipment | None:
    """The not yet acknowledged shipment of a sent order, if there is one."""
    status = order.status_number
    if status is None or not table.sent_from <= status < table.cancelled_from:
        return None
    shipped = shipped_quantities(order)
    lines = [ShippedLine(row_number=line.row_number or str(line.id), order_line_id=line.id,
                         sku=(line.article.article_number if line.article else None) or "",
                         ordered=float(line.ordered_number_of_items or 0),
                         shipped=shipped[line.row_number or str(line.id)],
                         reported=float(line.reported_number_of_items or 0))
             for line in order.order_lines]
    new = [line for line in lines if line.in_this_shipment > 0]
    if not new:
        return None
    cumulative = sorted((line.row_number, line.shipped) for line in lines)
    picked = {line.row_number or str(line.id): float(line.picked_number_of_items or 0) for line in order.order_lines}
    return Shipment(
        order_number=order.order_info.order_number, ongoing_order_id=order.order_info.order_id,
        key=payload_hash({"order": order.order_info.order_number, "shipped": cumulative})[:40],
        lines=new, shipped_by_row=dict(cumulative), partial=any(line.shipped < line.ordered for line in lines),
        tracking_number=tracking_number_of(order),
        transporter_code=order.transporter.code if order.transporter else None,
        shipped_at=order.order_info.shipped_time,
        whole_order_shipped=all(line.shipped == picked[line.row_number] and line.shipped >= line.ordered
                                for line in lines),
    )


@dataclass(frozen=True)
class StarwebUpdate:
    """What the shipment changes in Starweb, decided before any write."""

    target_state: OrderState
    target_status_id: int
    send_email: bool  # the status change will make Starweb email the customer
    process_payment: bool
    silent_reason: str | None  # why the connector keeps this change silent (no email, no payment)
    tracker_type: int | None
    item_quantities: dict[int, int]  # Starweb itemId → new quantity (0 = remove), for a cancelled remainder
    unmailed_reason: str | None = None  # why Starweb will email nobody although the connector allows it

    @property
    def no_email_reason(self) -> str | None:
        return self.silent_reason or self.unmailed_reason


def plan_starweb_update(shipment: Shipment, starweb: StarwebOrder, table: StatusTable, *, exported_by_us: bool,
                        exported_silently: bool, go_live_cutoff: datetime | None,
                        remainder: Literal["keep_open", "cancel"],
                        tracking_types: Mapping[str, int]) -> StarwebUpdate:
    cancel_rest = shipment.partial and remainder == "cancel"
    state = OrderState.PARTIALLY_SENT if shipment.partial and not cancel_rest else OrderState.SENT
    rule = table.rule(state)
    target = target_status_id(state, starweb.status_id, table)
    silent_reason = _silent_reason(starweb, table, exported_by_us=exported_by_us, exported_silently=exported_silently,
                                   go_live_cutoff=go_live_cutoff)
    unmailed_reason = _unmailed_reason(starweb, table, target) if rule.notify_customer else None
    return StarwebUpdate(
        target_state=state, target_status_id=target,
        send_email=rule.notify_customer and silent_reason is None and unmailed_reason is None,
        process_payment=rule.process_payment and silent_reason is None,
        silent_reason=silent_reason,
        tracker_type=tracking_types.get(shipment.transporter_code or ""),
        item_quantities=_cut_to_shipped(shipment, starweb) if cancel_rest else {},
        unmailed_reason=unmailed_reason,
    )


def target_status_id(state: OrderState, current_status_id: int | None, table: StatusTable) -> int:
    """The Starweb status for ``state``. An order already in the partially-sent status moves to the
    merchant's alternate one (and back), so that each partial shipment is a status change Starweb mails on."""
    primary = table.starweb_status_id(state)
    alternate = table.alternate_status_id(state)
    return alternate if alternate is not None and current_status_id == primary else primary


def _unmailed_reason(starweb: StarwebOrder, table: StatusTable, target: int) -> str | None:
    """Why Starweb will not email on this change: it mails only when the status really changes, to a
    status with ``shouldSendEmail``, on an order whose status emails are not switched off."""
    if starweb.status_id == target:
        return "Starweb already shows this status and emails on a status change only"
    if not table.status_sends_email(target):
        return "the Starweb status does not send email (shouldSendEmail is off)"
    if starweb.send_emails_on_status_change is False:
        return "status emails are switched off on this Starweb order"
    return None


def _silent_reason(starweb: StarwebOrder, table: StatusTable, *, exported_by_us: bool, exported_silently: bool,
                   go_live_cutoff: datetime | None) -> str | None:
    if go_live_cutoff is not None and starweb.created_at is not None and starweb.created_at < go_live_cutoff:
        return "created before the go-live cutoff"
    if exported_silently:
        return "exported before go-live"
    if not exported_by_us:
        return "not exported by this connector (older than its activation)"
    if starweb.status_id is not None and table.states_of_starweb(starweb.status_id) & {
            OrderState.SENT, OrderState.CANCELLED, OrderState.RETURNED}:
        return "already completed in Starweb"
    return None


def _cut_to_shipped(shipment: Shipment, starweb: StarwebOrder) -> dict[int, int]:
    """New quantities for items that shipped less than ordered (rows are Starweb itemIds)."""
    cuts: dict[int, int] = {}
    for item in starweb.items or []:
        shipped = _units_shipped(shipment, item)
        if (item.quantity or 0) > shipped:
            cuts[item.item_id] = shipped
    return cuts


def _units_shipped(shipment: Shipment, item: OrderItem) -> int:
    """Units of a Starweb item that shipped; a bundle counts as whole bundles of its scarcest part
    (its parts ship as rows "bundleItemId-partItemId")."""
    if not item.bundled_items:
        return int(shipment.shipped_by_row.get(str(item.item_id), 0))
    shares = [shipment.shipped_by_row.get(f"{item.item_id}-{part.item_id}", 0) / part.quantity
              for part in item.bundled_items if part.quantity]
    return int(min(shares, default=0) * (item.quantity or 0))


def starweb_already_updated(starweb: StarwebOrder, update: StarwebUpdate, tracking_number: str | None) -> bool:
    """Did an earlier attempt's status change reach Starweb (a crash before the ledger recorded it)?"""
    return starweb.status_id == update.target_status_id and (
        tracking_number is None or starweb.shipping_tracking_no == tracking_number)


def starweb_order_id_of(order_number: str, prefix: str, goods_owner_order_id: str | None) -> int | None:
    """The Starweb order behind an Ongoing order number, also for orders this connector did not export."""
    if goods_owner_order_id and goods_owner_order_id.isdigit():
        return int(goods_owner_order_id)
    rest = order_number[len(prefix):] if prefix and order_number.startswith(prefix) else order_number
    return int(rest) if rest.isdigit() else None
