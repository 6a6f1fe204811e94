"""Starweb statuses a person set by hand that the warehouse has to follow.

A merchant may move an order to picking ("Plockning") in Starweb's admin instead of waiting for the
release. Picking means something in the warehouse, so the connector carries it to Ongoing the way the
release does, under the same per-order claim (cancellations set by hand go the way of every Starweb
cancellation, ``order_sync.plan_starweb_edit``). A status the connector set or saw itself is told apart
by the ledger, which remembers the last Starweb status it knew and whether the release moved the order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.statuses import OPEN_STATES, OrderState, StatusTable


class ReleaseBinding(Protocol):
    """What the planner reads from the ledger's order binding (read only)."""

    @property
    def order_number(self) -> str: ...
    @property
    def starweb_status_id(self) -> int | None: ...
    @property
    def released_at(self) -> datetime | None: ...
    @property
    def on_hold(self) -> bool: ...
    @property
    def initial_status_set(self) -> bool | None: ...


@dataclass(frozen=True)
class MoveToPicking:
    """Move the order to picking in Ongoing, as the release would."""

    ongoing_status: int


@dataclass(frozen=True)
class RefuseHandRelease:
    reason: str
    comment: str


HandSetStatus = MoveToPicking | RefuseHandRelease


def plan_hand_set_status(starweb_status_id: int | None, binding: ReleaseBinding, ongoing_status: int,
                         table: StatusTable) -> HandSetStatus | None:
    """What Ongoing must do about a Starweb status set by a person; None when nothing."""
    if starweb_status_id is None or OrderState.PICKING not in table.states_of_starweb(starweb_status_id):
        return None
    if binding.released_at is not None or binding.starweb_status_id == starweb_status_id:
        return None  # the connector moved it (the release, or the warehouse's own picking brought back)
    if table.state_of_ongoing(ongoing_status) not in OPEN_STATES:
        return None  # the warehouse is already picking, or past it: nothing to carry
    if binding.initial_status_set and not table.places(ongoing_status):
        return RefuseHandRelease(
            f"set to picking in Starweb by hand, but Ongoing status {ongoing_status} is not in the status map, "
            f"so the connector does not move the order on", _PICKING_NOT_SENT.format(
                why=f"lagret visar en status som kopplingen inte känner till ({ongoing_status})"))
    if binding.on_hold:
        return RefuseHandRelease(
            f"set to picking in Starweb by hand, but order {binding.order_number} is on hold in the connector "
            f"(swo hold … --release lets it go)", _PICKING_NOT_SENT.format(why="ordern är pausad i kopplingen"))
    return MoveToPicking(table.ongoing_number(OrderState.PICKING))


_PICKING_NOT_SENT = "Plockning skickades inte till lagret: {why}. Kontakta den som sköter kopplingen."
