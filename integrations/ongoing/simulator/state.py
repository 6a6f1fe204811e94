"""The simulated warehouse's state: documents in a ``DocumentStore`` plus the per-goods-owner write lock.

Every change, from the vendor API or from the ``/_sim`` warehouse actions, runs inside ``write()``: one
writer at a time per goods owner (Ongoing processes writes sequentially and times out the ones that wait
too long), all in one store transaction, and the stock figures of the articles it touched are worked out
again before it commits (``inventory``), so that ``stockInfoChanged`` moves exactly when an article's
numbers do. Documents are found through the store's indexes (``INDEXES``): by number, id and the times
and flags the list filters ask for, never by reading them all. API writes are also counted per goods
owner, with every one that arrived while another was still in flight (``write_activity``): an integration
that serialises its writes, as Ongoing asks, shows no overlaps.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from integrations.ongoing.simulator.errors import AUTH_DENIED, INTERNAL_ERROR, OngoingError
from integrations.ongoing.simulator.inventory import InventoryBook
from integrations.ongoing.simulator.settings import RUNTIME_SWITCHES, OngoingSimSettings
from integrations.ongoing.simulator.statuses import (
    PURCHASE_ORDER_STATUSES,
    RETURN_ORDER_STATUSES,
    STANDARD_ORDER_STATUSES,
    localised,
)
from integrations.ongoing.simulator.timefmt import parse_time
from integrations.simulation.store import DocumentStore

Doc = dict[str, Any]

ARTICLE = "article"
ORDER = "order"
PURCHASE_ORDER = "purchase_order"
RETURN_ORDER = "return_order"
ORDER_STATUS = "order_status"
TRANSPORTER_CONTRACT = "transporter_contract"
RETURN_CAUSE = "return_cause"
CUSTOMER = "customer"

# First ids per kind, in the ranges Ongoing's examples show, so ids look like a real database's.
_FIRST_IDS = {
    ARTICLE: 18001, ORDER: 50001, "order_line": 48001, "article_item": 59001, "parcel": 201,
    PURCHASE_ORDER: 241, "purchase_order_line": 1201, RETURN_ORDER: 301, "return_order_line": 901,
    CUSTOMER: 21601, RETURN_CAUSE: 11,
}


def _time(field: str) -> Callable[[Doc], Any]:
    return lambda doc: parse_time(doc.get(field))


def _flag(test: Callable[[Doc], bool]) -> Callable[[Doc], bool | None]:
    # Only documents with the flag are filed: the index is the (short) list of those.
    return lambda doc: True if test(doc) else None


# (kind, index name, value, many values): what the vendor routes and warehouse actions look documents up by.
INDEXES: tuple[tuple[str, str, Callable[[Doc], Any], bool], ...] = (
    (ARTICLE, "id", lambda a: a["articleSystemId"], False),
    (ARTICLE, "number", lambda a: a["articleNumber"], False),
    (ARTICLE, "stock_changed", _time("stockInfoChanged"), False),
    (ARTICLE, "data_updated", _time("articleDataLastUpdated"), False),
    (ORDER, "id", lambda o: o["orderId"], False),
    (ORDER, "number", lambda o: o["orderNumber"], False),
    (ORDER, "reference", lambda o: o["header"].get("referenceNumber"), False),
    (ORDER, "article", lambda o: [line["articleSystemId"] for line in o["lines"]], True),
    (ORDER, "status_changed", _time("statusChangedTime"), False),
    (ORDER, "updated", _time("updatedTime"), False),
    (ORDER, "created", _time("createdDate"), False),
    (ORDER, "shipped", _time("shippedTime"), False),
    (ORDER, "last_returned", _time("lastReturnedTime"), False),
    (ORDER, "last_picking", _time("lastPickingTime"), False),
    (ORDER, "to_report", _flag(lambda o: any((line["reported"] or 0) < line["picked"] for line in o["lines"])),
     False),
    (ORDER, "returned_to_report", _flag(lambda o: any((line["reportedReturned"] or 0) < line["returned"]
                                                      for line in o["lines"])), False),
    (PURCHASE_ORDER, "id", lambda po: po["purchaseOrderId"], False),
    (PURCHASE_ORDER, "number", lambda po: po["purchaseOrderNumber"], False),
    (PURCHASE_ORDER, "article", lambda po: [line["articleSystemId"] for line in po["lines"]], True),
    (PURCHASE_ORDER, "status_changed", _time("statusChangedTime"), False),
    (PURCHASE_ORDER, "last_receive", _time("lastReceiveTime"), False),
    (PURCHASE_ORDER, "to_report", _flag(lambda po: any((line["reported"] or 0) != line["received"]
                                                       for line in po["lines"])), False),
    (RETURN_ORDER, "id", lambda r: r["returnOrderId"], False),
    (RETURN_ORDER, "number", lambda r: r["returnOrderNumber"], False),
    (RETURN_ORDER, "order", lambda r: r["orderId"], False),
    (RETURN_ORDER, "arrival", _time("arrivalTime"), False),
)


@dataclass
class WriteActivity:
    """API writes of one goods owner: how many, how many arrived while another was in flight, and the
    most that were in flight at once."""

    writes: int = 0
    overlaps: int = 0
    max_in_flight: int = 0
    in_flight: int = 0

    def as_json(self) -> dict[str, int]:
        return {"writes": self.writes, "overlaps": self.overlaps, "maxInFlight": self.max_in_flight,
                "inFlight": self.in_flight}


class ChangeListener(Protocol):
    """Told about changes once they are committed (the warehouse's webhooks)."""

    def order_saved(self, previous: Doc | None, order: Doc) -> None: ...

    def purchase_order_saved(self, previous: Doc | None, po: Doc) -> None: ...

    def goods_returned(self, order: Doc, cause: dict[str, Any] | None) -> None: ...


class SimState:
    def __init__(self, store: DocumentStore, settings: OngoingSimSettings) -> None:
        self.store = store
        self.settings = settings
        self._startup_settings = settings
        self._write_locks: dict[int, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._activity: dict[int, WriteActivity] = {}
        for kind, name, extract, many in INDEXES:
            store.add_index(kind, name, extract, many=many)
        self.inventory = InventoryBook(store)
        with self.store.transaction():  # a state file from before (or an older simulator) is recounted once
            article_ids = [a["articleSystemId"] for a in self.articles()]
            self.inventory.rebuild(self.orders(), self.purchase_orders(), article_ids)
            self.inventory.settle(sellable_floor_zero=settings.sellable_floor_zero)
        self.listener: ChangeListener | None = None
        self._after_commit: list[Callable[[], None]] = []  # guarded by the write lock

    @contextmanager
    def write(self, *, from_api: bool = True) -> Iterator[None]:
        """One change to the warehouse; API writes wait at most ``parallel_write_timeout_seconds``."""
        owner = self.settings.goods_owner_id
        with self._locks_guard:
            lock = self._write_locks.setdefault(owner, threading.Lock())
        if from_api:
            self._write_arrived(owner)
        try:
            timeout = self.settings.parallel_write_timeout_seconds if from_api else -1
            if not lock.acquire(timeout=timeout):
                raise OngoingError(500, INTERNAL_ERROR)
            try:
                if from_api and self.settings.write_processing_seconds:
                    time.sleep(self.settings.write_processing_seconds)
                self._after_commit.clear()
                try:
                    with self.store.transaction():
                        yield
                        self.inventory.settle(sellable_floor_zero=self.settings.sellable_floor_zero)
                finally:
                    self.inventory.forget()
                announcements, self._after_commit = self._after_commit, []
                for announce in announcements:
                    announce()
            finally:
                self._after_commit.clear()
                lock.release()
        finally:
            if from_api:
                with self._locks_guard:
                    self._activity[owner].in_flight -= 1

    def _write_arrived(self, owner: int) -> None:
        with self._locks_guard:
            activity = self._activity.setdefault(owner, WriteActivity())
            activity.writes += 1
            activity.in_flight += 1
            activity.overlaps += activity.in_flight > 1
            activity.max_in_flight = max(activity.max_in_flight, activity.in_flight)

    def write_activity(self) -> dict[int, WriteActivity]:
        with self._locks_guard:
            return {owner: WriteActivity(**asdict(a)) for owner, a in self._activity.items()}

    def forget_write_activity(self) -> None:
        """Start counting afresh (writes in flight stay counted as in flight)."""
        with self._locks_guard:
            self._activity = {owner: WriteActivity(in_flight=a.in_flight, max_in_flight=a.in_flight)
                              for owner, a in self._activity.items()}

    def switch_behaviour(self, **values: Any) -> None:
        """Change undocumented behaviours on the running simulator (``PATCH /_sim/settings``)."""
        unknown = set(values) - set(RUNTIME_SWITCHES)
        if unknown:
            raise ValueError(f"not switchable at run time: {', '.join(sorted(unknown))}")
        self.settings = self.settings.model_copy(update=values)

    def restore_settings(self) -> None:
        """Back to the settings the simulator was started with (``/_sim/reset``)."""
        self.settings = self._startup_settings

    def _announce(self, announce: Callable[[ChangeListener], None]) -> None:
        """Tell the listener, once the write in progress has committed."""
        listener = self.listener
        if listener is not None:
            self._after_commit.append(lambda: announce(listener))

    def check_goods_owner(self, goods_owner_id: int) -> None:
        """The API user only has access to its own goods owner; Ongoing's authorisation refuses others,
        with the status the settings choose (Ongoing's real answer is not documented)."""
        if goods_owner_id != self.settings.goods_owner_id:
            raise OngoingError(self.settings.foreign_goods_owner_status, AUTH_DENIED)

    @property
    def goods_owner(self) -> dict[str, Any]:
        return {"id": self.settings.goods_owner_id, "name": self.settings.goods_owner_name}

    def new_id(self, kind: str) -> int:
        return self.store.next_id(kind, start=_FIRST_IDS.get(kind, 1))

    # -- documents ---------------------------------------------------------------------------------------

    def _sorted(self, kind: str, id_field: str) -> list[Doc]:
        return sorted(self.store.all(kind), key=lambda doc: doc[id_field])

    def articles(self) -> list[Doc]:
        """Every article (for a recount; requests look articles up by index)."""
        return self._sorted(ARTICLE, "articleSystemId")

    def article(self, article_system_id: int) -> Doc | None:
        return self.store.get(ARTICLE, article_system_id)

    def articles_by_id(self, article_system_ids: Iterable[int]) -> dict[int, Doc]:
        """These articles by id (to render the article members of orders and lines)."""
        return {a["articleSystemId"]: a for a in self.store.get_many(ARTICLE, sorted(set(article_system_ids)))}

    def article_by_number(self, article_number: str) -> Doc | None:
        return self.store.find_one(ARTICLE, "number", article_number)

    def save_article(self, doc: Doc) -> None:
        self.store.put(ARTICLE, doc["articleSystemId"], doc)
        self.inventory.article_saved(doc["articleSystemId"])

    def orders(self) -> list[Doc]:
        """Every order (for a recount; requests look orders up by index)."""
        return self._sorted(ORDER, "orderId")

    def order(self, order_id: int) -> Doc | None:
        return self.store.get(ORDER, order_id)

    def order_by_number(self, order_number: str) -> Doc | None:
        return self.store.find_one(ORDER, "number", order_number)

    def save_order(self, doc: Doc) -> None:
        previous, saved = self.store.get(ORDER, doc["orderId"]), copy.deepcopy(doc)
        self.store.put(ORDER, doc["orderId"], doc)
        self.inventory.order_saved(previous, doc)
        self._announce(lambda listener: listener.order_saved(previous, saved))

    def purchase_orders(self) -> list[Doc]:
        return self._sorted(PURCHASE_ORDER, "purchaseOrderId")

    def purchase_order(self, purchase_order_id: int) -> Doc | None:
        return self.store.get(PURCHASE_ORDER, purchase_order_id)

    def purchase_order_by_number(self, number: str) -> Doc | None:
        return self.store.find_one(PURCHASE_ORDER, "number", number)

    def save_purchase_order(self, doc: Doc) -> None:
        previous, saved = self.store.get(PURCHASE_ORDER, doc["purchaseOrderId"]), copy.deepcopy(doc)
        self.store.put(PURCHASE_ORDER, doc["purchaseOrderId"], doc)
        self.inventory.purchase_order_saved(previous, doc)
        self._announce(lambda listener: listener.purchase_order_saved(previous, saved))

    def goods_returned(self, order: Doc, cause: dict[str, Any] | None) -> None:
        saved = copy.deepcopy(order)
        self._announce(lambda listener: listener.goods_returned(saved, cause))

    def return_orders(self) -> list[Doc]:
        return self._sorted(RETURN_ORDER, "returnOrderId")

    def return_order(self, return_order_id: int) -> Doc | None:
        return self.store.get(RETURN_ORDER, return_order_id)

    def return_order_by_number(self, number: str) -> Doc | None:
        return self.store.find_one(RETURN_ORDER, "number", number)

    def return_orders_of(self, order_id: int) -> list[Doc]:
        """The return orders announced against one order, oldest first."""
        return self.store.find(RETURN_ORDER, "order", order_id)

    def save_return_order(self, doc: Doc) -> None:
        self.store.put(RETURN_ORDER, doc["returnOrderId"], doc)

    def upsert_customer(self, customer_number: str) -> tuple[int, bool]:
        """Ongoing keeps a customer register keyed by the consignee's customer number."""
        existing = self.store.get(CUSTOMER, customer_number)
        if existing:
            return existing["id"], False
        customer_id = self.new_id(CUSTOMER)
        self.store.put(CUSTOMER, customer_number, {"id": customer_id, "customerNumber": customer_number})
        return customer_id, True

    # -- registers -----------------------------------------------------------------------------------------

    def order_statuses(self) -> dict[int, str]:
        """The warehouse's order-status table: the seeded one, else Ongoing's standard list."""
        stored = self.store.all(ORDER_STATUS)
        if stored:
            return {doc["number"]: doc["text"] for doc in stored}
        return localised(STANDARD_ORDER_STATUSES, self.settings.language)

    def purchase_order_statuses(self) -> dict[int, str]:
        return localised(PURCHASE_ORDER_STATUSES, self.settings.language)

    def return_order_statuses(self) -> dict[int, str]:
        return localised(RETURN_ORDER_STATUSES, self.settings.language)

    def transporter_contracts(self) -> list[Doc]:
        return self.store.all(TRANSPORTER_CONTRACT)

    def return_causes(self) -> list[Doc]:
        return self._sorted(RETURN_CAUSE, "id")

    def return_cause(self, code: str) -> Doc | None:
        return self.store.get(RETURN_CAUSE, code)
