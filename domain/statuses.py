"""Order states and the one table that maps them between Starweb and Ongoing.

An order's life is told in ``OrderState``s. Each merchant maps every state to a Starweb order status
(by ``idCode`` for the standard ones, by id for custom ones) and to an Ongoing status number. Derived
sets — which Ongoing numbers mean "work has started", which Starweb statuses mean "cancelled" — come
from that table and nowhere else. Starweb status ids differ per shop, so ``StatusTable`` is built at
run time from the shop's own ``GET /order-statuses``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from integrations.errors import MappingError


class OrderState(StrEnum):
    OPEN = "open"  # in Ongoing, initial status not yet chosen
    OPEN_IN_STOCK = "open_in_stock"
    OPEN_BACKORDERED = "open_backordered"
    PICKING = "picking"
    PARTIALLY_SENT = "partially_sent"
    SENT = "sent"
    RETURNED = "returned"
    CANCELLED = "cancelled"


OPEN_STATES = frozenset({OrderState.OPEN, OrderState.OPEN_IN_STOCK, OrderState.OPEN_BACKORDERED})
MAPPED_STATES = tuple(s for s in OrderState if s is not OrderState.OPEN)


@dataclass(frozen=True)
class StarwebStatusRef:
    """A Starweb order status named by idCode (standard statuses) or by id (custom statuses)."""

    id_code: str | None = None
    status_id: int | None = None

    @classmethod
    def parse(cls, value: str | int | StarwebStatusRef) -> StarwebStatusRef:
        if isinstance(value, StarwebStatusRef):
            return value
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            return cls(status_id=int(value))
        return cls(id_code=value)

    def __str__(self) -> str:
        return self.id_code if self.id_code else f"#{self.status_id}"


@dataclass(frozen=True)
class StateRule:
    """How one state looks on both sides, and what a connector-made status change may trigger."""

    state: OrderState
    starweb: StarwebStatusRef
    ongoing: int
    notify_customer: bool = False
    process_payment: bool = False
    alternate: StarwebStatusRef | None = None  # a second Starweb status with the same meaning


@dataclass(frozen=True)
class ShopStatus:
    """The part of a Starweb order status the table needs."""

    status_id: int
    id_code: str | None
    should_send_email: bool | None = None  # None: not known, taken as sending


class StatusTable:
    """The merchant's state map resolved against one shop's order statuses."""

    def __init__(self, rules: Iterable[StateRule], shop_statuses: Iterable[ShopStatus]) -> None:
        self.rules: dict[OrderState, StateRule] = {rule.state: rule for rule in rules}
        missing = [s.value for s in MAPPED_STATES if s not in self.rules]
        if missing:
            raise MappingError(f"the status map has no entry for: {', '.join(missing)}")
        by_code = {s.id_code: s.status_id for s in shop_statuses if s.id_code}
        known_ids = {s.status_id for s in shop_statuses}
        self._starweb_ids: dict[OrderState, int] = {}
        for state, rule in self.rules.items():
            self._starweb_ids[state] = self._resolve(rule.starweb, by_code, known_ids, state)
        self._starweb_ids[OrderState.OPEN] = self._starweb_ids[OrderState.OPEN_IN_STOCK]
        self._alternates: dict[OrderState, int] = {}
        for state, rule in self.rules.items():
            if rule.alternate is None:
                continue
            alternate = self._resolve(rule.alternate, by_code, known_ids, state)
            if alternate in self._starweb_ids.values():
                raise MappingError(f"status map for {state.value}: the alternate Starweb status {rule.alternate} is "
                                   "already mapped; give it a status of its own")
            self._alternates[state] = alternate
        self._mails = {s.status_id: s.should_send_email is not False for s in shop_statuses}
        self.picking_from = self.rules[OrderState.PICKING].ongoing
        self.sent_from = self.rules[OrderState.SENT].ongoing
        self.returned_from = self.rules[OrderState.RETURNED].ongoing
        self.cancelled_from = self.rules[OrderState.CANCELLED].ongoing
        problems = ongoing_number_order_problems({state: rule.ongoing for state, rule in self.rules.items()})
        if problems:
            raise MappingError("; ".join(problems))

    @staticmethod
    def _resolve(ref: StarwebStatusRef, by_code: Mapping[str, int], known_ids: set[int], state: OrderState) -> int:
        if ref.id_code is not None:
            if ref.id_code not in by_code:
                raise MappingError(f"status map for {state.value}: the shop has no order status with idCode "
                                   f"{ref.id_code!r}")
            return by_code[ref.id_code]
        assert ref.status_id is not None
        if ref.status_id not in known_ids:
            raise MappingError(f"status map for {state.value}: the shop has no order status with id {ref.status_id}")
        return ref.status_id

    def starweb_status_id(self, state: OrderState) -> int:
        return self._starweb_ids[state]

    def alternate_status_id(self, state: OrderState) -> int | None:
        """The second Starweb status the merchant mapped to this state, if any."""
        return self._alternates.get(state)

    def status_sends_email(self, status_id: int) -> bool:
        """Does Starweb email the customer when an order enters this status (``shouldSendEmail``)?"""
        return self._mails.get(status_id, True)

    def ongoing_number(self, state: OrderState) -> int:
        return self.rules[state].ongoing

    def rule(self, state: OrderState) -> StateRule:
        return self.rules[OrderState.OPEN_IN_STOCK if state is OrderState.OPEN else state]

    def state_of_ongoing(self, number: int) -> OrderState:
        """The state an Ongoing status number means; numbers between mapped ones fall in the range below."""
        for state in (OrderState.OPEN_IN_STOCK, OrderState.OPEN_BACKORDERED):
            if number == self.rules[state].ongoing:
                return state
        if number >= self.cancelled_from:
            return OrderState.CANCELLED
        if number >= self.returned_from and self.returned_from != self.sent_from:
            return OrderState.RETURNED
        if number >= self.sent_from:
            return OrderState.SENT
        if number >= self.picking_from:
            return OrderState.PICKING
        return OrderState.OPEN

    def places(self, number: int) -> bool:
        """Does the map say what this Ongoing number means? From picking upward every number falls in a
        range; below it only the open states' own numbers are known (the warehouse's creation status is
        known only until the connector gives the order its initial status)."""
        return number >= self.picking_from or number in {self.rules[s].ongoing for s in OPEN_STATES
                                                            if s in self.rules}

    def describe_ongoing_map(self) -> str:
        """The map's Ongoing side, for messages: ``open_in_stock 210, open_backordered 211, …``."""
        return ", ".join(f"{state.value} {rule.ongoing}" for state, rule in self.rules.items())

    def states_of_starweb(self, status_id: int) -> set[OrderState]:
        """Every state whose Starweb status (or alternate status) is this id (open in stock and backordered
        share one)."""
        return ({state for state, sid in self._starweb_ids.items() if sid == status_id}
                | {state for state, sid in self._alternates.items() if sid == status_id})

    def work_started(self, ongoing_number: int) -> bool:
        """Has the warehouse begun work (so Ongoing refuses edits and cancellation)?"""
        return self.picking_from <= ongoing_number < self.cancelled_from

    def is_cancelled_in_starweb(self, status_id: int) -> bool:
        return status_id == self._starweb_ids[OrderState.CANCELLED]


def ongoing_number_order_problems(numbers: Mapping[OrderState, int]) -> list[str]:
    """Why these Ongoing status numbers cannot tell the states apart (empty when they can).

    Ongoing numbers grow as an order moves on, and a number between two mapped ones counts as the lower
    state, so the map must keep that order: open < picking < sent <= returned < cancelled."""
    problems: list[str] = []
    picking, sent, returned, cancelled = (numbers.get(s) for s in (
        OrderState.PICKING, OrderState.SENT, OrderState.RETURNED, OrderState.CANCELLED))
    if (picking is not None and sent is not None and returned is not None and cancelled is not None
            and not picking < sent <= returned < cancelled):
        problems.append(f"Ongoing numbers must grow: picking ({picking}) < sent ({sent}) <= returned ({returned}) "
                        f"< cancelled ({cancelled})")
    for state in (OrderState.OPEN_IN_STOCK, OrderState.OPEN_BACKORDERED):
        number = numbers.get(state)
        if number is not None and picking is not None and number >= picking:
            problems.append(f"{state.value} ({number}) must be below picking ({picking}), or Ongoing's number "
                            "would read as work started")
    return problems


def resolve_status_refs(refs: Iterable[str | int], shop_statuses: Iterable[ShopStatus], *, what: str) -> set[int]:
    """Starweb status ids for a configured list of idCodes / ids; an unknown one is a config error."""
    statuses = list(shop_statuses)
    by_code = {s.id_code: s.status_id for s in statuses if s.id_code}
    known = {s.status_id for s in statuses}
    resolved: set[int] = set()
    for raw in refs:
        ref = StarwebStatusRef.parse(raw)
        if ref.id_code is not None:
            if ref.id_code not in by_code:
                raise MappingError(f"{what}: the shop has no order status with idCode {ref.id_code!r}")
            resolved.add(by_code[ref.id_code])
        else:
            assert ref.status_id is not None
            if ref.status_id not in known:
                raise MappingError(f"{what}: the shop has no order status with id {ref.status_id}")
            resolved.add(ref.status_id)
    return resolved
