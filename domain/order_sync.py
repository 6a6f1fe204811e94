"""Deciding what to do when an exported order changed on either side.

Starweb is the master of orders: an edit or cancellation made there goes to Ongoing while the warehouse
still accepts it, and is refused (flagged, never lost) once work has started. Changes made in the
warehouse come back: a status the TPL moved, lines it added, adjusted or removed while the order was
open, and lines picked short; a warehouse state the merchant's map or the order's own figures cannot
explain is flagged for a person instead. Orders in picking are edited from neither side. Every function
here is pure: it looks at both orders and the binding and returns the actions; tasks carry them out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from domain.hashing import payload_hash
from domain.statuses import OPEN_STATES, OrderState, StatusTable
from integrations.errors import MappingError, PermanentError
from integrations.ongoing.models import Order as OngoingOrder
from integrations.ongoing.models import OrderLine as OngoingLine
from integrations.ongoing.models import OrderWrite
from integrations.starweb.models import Order as StarwebOrder


class AgreedLine(Protocol):
    """One line as both sides agreed on it (read only: a ledger row, or a line about to become one)."""

    @property
    def row_number(self) -> str: ...
    @property
    def sku(self) -> str: ...
    @property
    def quantity(self) -> float: ...
    @property
    def starweb_item_id(self) -> int | None: ...


class HasAgreedLines(Protocol):
    """Anything that holds the lines both sides agreed on: a binding, or lines about to become one."""

    @property
    def lines(self) -> Sequence[AgreedLine]: ...


@dataclass(frozen=True)
class AgreedRows:
    """Lines not (yet) in a binding, in the shape ``with_agreed_row_numbers`` reads."""

    lines: Sequence[AgreedLine]


class Binding(Protocol):
    """What the planners read from the ledger's order binding (read only)."""

    @property
    def order_number(self) -> str: ...
    @property
    def state(self) -> str | None: ...
    @property
    def pushed_hash(self) -> str | None: ...
    @property
    def refused_hash(self) -> str | None: ...
    @property
    def short_pick_noted(self) -> str | None: ...
    @property
    def initial_status_set(self) -> bool | None: ...
    @property
    def lines(self) -> Sequence[AgreedLine]: ...


class ChangeRefused(PermanentError):
    """A Starweb edit or cancellation that the warehouse can no longer take (work has started)."""


# --- Starweb → Ongoing -------------------------------------------------------------------------

CANCEL_MARKER = "cancel"


def with_agreed_row_numbers(payload: OrderWrite, binding: HasAgreedLines) -> OrderWrite:
    """Keep the row numbers the warehouse already knows: a line the TPL added got its row number there,
    not from the Starweb itemId the mapper would use."""
    by_item = {str(line.starweb_item_id): line.row_number for line in binding.lines
               if line.starweb_item_id is not None and str(line.starweb_item_id) != line.row_number}
    if not by_item or not payload.order_lines:
        return payload
    lines = [line.model_copy(update={"row_number": by_item.get(line.row_number, line.row_number)})
             for line in payload.order_lines]
    return payload.model_copy(update={"order_lines": lines})


@dataclass(frozen=True)
class Unchanged:
    reason: str
    in_sync: bool = False  # both sides hold what Starweb wants (so an open quarantine entry can close)


@dataclass(frozen=True)
class PushUpdate:
    payload: OrderWrite
    payload_hash: str


@dataclass(frozen=True)
class RefuseUpdate:
    payload_hash: str
    reason: str


@dataclass(frozen=True)
class CancelInOngoing:
    pass


@dataclass(frozen=True)
class RefuseCancel:
    reason: str


@dataclass(frozen=True)
class RecordCancelled:
    """Both sides already say cancelled; only the ledger needs to learn it."""


@dataclass(frozen=True)
class CannotMap:
    error: MappingError


StarwebEdit = Unchanged | PushUpdate | RefuseUpdate | CancelInOngoing | RefuseCancel | RecordCancelled | CannotMap


def plan_starweb_edit(order: StarwebOrder, binding: Binding, ongoing_status: int, table: StatusTable,
                      mapped: OrderWrite | MappingError, *, retry_due: bool = False) -> StarwebEdit:
    """What to do in Ongoing about the Starweb order as it is now. ``retry_due``: the order's quarantine
    entry is due, so an edit the warehouse did not take is pushed once more."""
    ongoing_state = table.state_of_ongoing(ongoing_status)
    if order.status_id is not None and table.is_cancelled_in_starweb(order.status_id):
        if binding.state == OrderState.CANCELLED:
            return Unchanged("already cancelled on both sides")
        if ongoing_state is OrderState.CANCELLED:
            return RecordCancelled()
        if table.work_started(ongoing_status):
            if binding.refused_hash == CANCEL_MARKER:
                return Unchanged("cancellation already flagged: the warehouse had started")
            return RefuseCancel(f"cancelled in Starweb, but the warehouse has started work (Ongoing status "
                                f"{ongoing_status}); it cannot be cancelled there any more")
        return CancelInOngoing()
    if isinstance(mapped, MappingError):
        return CannotMap(mapped)
    new_hash = payload_hash(mapped)
    if new_hash == binding.pushed_hash:
        return Unchanged("no change since the last push", in_sync=True)
    if ongoing_state is OrderState.CANCELLED:
        return Unchanged("cancelled in the warehouse; edits are not sent")
    if table.work_started(ongoing_status):
        if binding.refused_hash == new_hash:
            return Unchanged("edit already flagged: the warehouse had started")
        return RefuseUpdate(new_hash, f"edited in Starweb after the warehouse started work (Ongoing status "
                                      f"{ongoing_status}); the change was not sent")
    if binding.refused_hash == new_hash and not retry_due:
        return Unchanged("edit already flagged: the warehouse did not take it as sent")
    return PushUpdate(mapped, new_hash)


# --- Ongoing → Starweb -------------------------------------------------------------------------


@dataclass(frozen=True)
class SetStarwebStatus:
    state: OrderState
    status_id: int
    notify_customer: bool
    process_payment: bool


@dataclass(frozen=True)
class NewLine:
    row_number: str
    sku: str
    quantity: float
    name: str | None


@dataclass(frozen=True)
class CopyLineChanges:
    """Lines the warehouse added, adjusted or removed while the order was open."""

    added: list[NewLine] = field(default_factory=list)
    adjusted: list[tuple[int, float]] = field(default_factory=list)  # (Starweb itemId, new quantity)
    removed: list[int] = field(default_factory=list)  # Starweb itemIds


@dataclass(frozen=True)
class NoteShortPick:
    text: str
    marker: str


@dataclass(frozen=True)
class FlagWarehouseState:
    """The warehouse shows something the connector must not act on by itself: the order is held for a
    person, with a note on the Starweb order when the merchant should see it there."""

    reason: str
    comment: str | None = None


@dataclass(frozen=True)
class Skip:
    reason: str


WarehouseChange = SetStarwebStatus | CopyLineChanges | NoteShortPick | FlagWarehouseState | Skip


class WarehouseStateUnclear(PermanentError):
    """An order's state in Ongoing that neither the merchant's status map nor the order's figures explain."""


def _status(ongoing: OngoingOrder) -> tuple[int | None, str]:
    status = ongoing.order_info.order_status
    if status is None:
        return None, ""
    return status.number, f"{status.number} ({status.text})" if status.text else str(status.number)


def warehouse_flag(ongoing: OngoingOrder, binding: Binding, table: StatusTable, *,
                   merchant_file: str = "the merchant file") -> FlagWarehouseState | None:
    """Is the warehouse's view of the order one that only a person can sort out?"""
    number, label = _status(ongoing)
    if number is None:
        return None
    # Before its initial status the order may sit at the warehouse's own creation status (e.g. 200).
    if binding.initial_status_set and not table.places(number):
        return FlagWarehouseState(
            f"Ongoing status {label} is not in the status map of merchant file {merchant_file} (statuses: "
            f"{table.describe_ongoing_map()}); the order is left as it is until the map or the order is fixed")
    if table.sent_from <= number < table.cancelled_from and not _anything_left_the_shelf(ongoing):
        return FlagWarehouseState(
            f"Ongoing shows the order at status {label}, but no item of it was picked or packed; it is not "
            f"reported as sent until the warehouse's figures show what left",
            comment=f"Lagret har satt ordern till status {label} utan att någon vara är plockad eller packad. "
                    f"Ordern markeras inte som skickad förrän lagret visar vad som skickats; kontakta lagret.")
    return None


def _anything_left_the_shelf(ongoing: OngoingOrder) -> bool:
    return any(float(line.picked_number_of_items or 0) > 0 or float(line.packed_number_of_items or 0) > 0
               for line in ongoing.order_lines)


def plan_warehouse_changes(ongoing: OngoingOrder, starweb: StarwebOrder, binding: Binding, table: StatusTable,
                           *, picked_status: int, merchant_file: str = "the merchant file") -> list[WarehouseChange]:
    """What to bring back to Starweb from the warehouse's view of the order."""
    number, _ = _status(ongoing)
    if number is None:
        return [Skip("Ongoing gave no status")]
    flag = warehouse_flag(ongoing, binding, table, merchant_file=merchant_file)
    if flag is not None:
        return [flag]
    state = table.state_of_ongoing(number)
    actions: list[WarehouseChange] = []
    status_change = _status_change(state, starweb, table)
    if status_change is not None:
        actions.append(status_change)
    if state in OPEN_STATES:
        lines = _line_changes(ongoing, starweb, binding)
        if lines is not None:
            actions.append(lines)
    if picked_status <= number < table.cancelled_from:
        note = _short_pick_note(ongoing, binding)
        if note is not None:
            actions.append(note)
    return actions


def needs_attention(ongoing: OngoingOrder, binding: Binding, table: StatusTable, *, picked_status: int) -> bool:
    """Could the warehouse's view of this order lead to any change in Starweb? (Saves reading the order.)"""
    number, _ = _status(ongoing)
    if number is None:
        return False
    if warehouse_flag(ongoing, binding, table) is not None:
        return True
    state = table.state_of_ongoing(number)
    if state in (OrderState.PICKING, OrderState.CANCELLED) and binding.state != state.value:
        return True
    if state in OPEN_STATES:
        agreed = {(line.row_number, float(line.quantity)) for line in _live(binding.lines)}
        now = {(row, float(line.ordered_number_of_items or 0)) for row, line in _live_in_warehouse(ongoing).items()}
        if agreed != now:
            return True
    return picked_status <= number < table.cancelled_from and _short_pick_note(ongoing, binding) is not None


def _live(lines: Sequence[AgreedLine]) -> list[AgreedLine]:
    """Agreed lines that hold units: a row kept at 0 units (the warehouse keeps rows an edit left out)
    is gone for every purpose."""
    return [line for line in lines if float(line.quantity) > 0]


def _live_in_warehouse(ongoing: OngoingOrder) -> dict[str, OngoingLine]:
    return {line.row_number: line for line in ongoing.order_lines
            if line.row_number and float(line.ordered_number_of_items or 0) > 0}


def _status_change(state: OrderState, starweb: StarwebOrder, table: StatusTable) -> SetStarwebStatus | None:
    # Sent, partly sent and returned are reported by their own flows (with the customer email rules).
    if state not in (OrderState.PICKING, OrderState.CANCELLED) or starweb.status_id is None:
        return None
    current = table.states_of_starweb(starweb.status_id)
    allowed_from = OPEN_STATES if state is OrderState.PICKING else OPEN_STATES | {OrderState.PICKING}
    if state in current or not current & allowed_from:
        return None
    rule = table.rule(state)
    return SetStarwebStatus(state, table.starweb_status_id(state), rule.notify_customer, rule.process_payment)


def _line_changes(ongoing: OngoingOrder, starweb: StarwebOrder, binding: Binding) -> CopyLineChanges | Skip | None:
    agreed = {line.row_number: line for line in _live(binding.lines)}
    in_warehouse = _live_in_warehouse(ongoing)
    added = [NewLine(row, (line.article.article_number if line.article else None) or "",
                     float(line.ordered_number_of_items or 0), line.article.article_name if line.article else None)
             for row, line in in_warehouse.items() if row not in agreed]
    adjusted = [(agreed[row].starweb_item_id, float(line.ordered_number_of_items or 0))
                for row, line in in_warehouse.items()
                if row in agreed and agreed[row].starweb_item_id is not None
                and float(line.ordered_number_of_items or 0) != float(agreed[row].quantity)]
    removed = [line.starweb_item_id for row, line in agreed.items()
               if row not in in_warehouse and line.starweb_item_id is not None]
    if not (added or adjusted or removed):
        return None
    # Keyed the way the mapper numbers rows: bundle parts are "bundleItemId-partItemId".
    shop_now = {str(item.item_id) if part is item else f"{item.item_id}-{part.item_id}": float(part.quantity or 0)
                for item in starweb.items or [] for part in (item.bundled_items or [item])}
    shop_agreed = {str(line.starweb_item_id) if line.starweb_item_id is not None else line.row_number:
                   float(line.quantity) for line in agreed.values()}
    if shop_now != shop_agreed:
        return Skip("lines changed in both Starweb and the warehouse; Starweb's version wins and is pushed")
    return CopyLineChanges(added=added, adjusted=[(i, q) for i, q in adjusted if i is not None], removed=removed)


def _short_pick_note(ongoing: OngoingOrder, binding: Binding) -> NoteShortPick | None:
    short = [(line.article.article_number if line.article else line.row_number or "?",
              float(line.picked_number_of_items or 0), float(line.ordered_number_of_items or 0))
             for line in ongoing.order_lines
             if float(line.picked_number_of_items or 0) < float(line.ordered_number_of_items or 0)]
    if not short:
        return None
    marker = payload_hash([list(s) for s in short])
    if marker == binding.short_pick_noted:
        return None
    parts = "; ".join(f"{sku}: {picked:g} av {ordered:g}" for sku, picked, ordered in short)
    return NoteShortPick(f"Lagret plockade färre än beställt ({parts}).", marker)
