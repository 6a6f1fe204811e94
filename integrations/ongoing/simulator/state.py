"""The simulated warehouse's state: documents in a ``DocumentStore`` plus the per-goods-owner write lock.

Every change, from the vendor API or from the ``/_sim`` warehouse actions, runs inside ``write()``: one
writer at a time per goods owner (Ongoing processes writes sequentially and times out the ones that wait
too long), all in one store transaction, and stock figures are recomputed before it commits so that
``stockInfoChanged`` moves exactly when an article's numbers do. API writes are also counted per goods
owner, with every one that arrived while another was still in flight (``write_activity``): an integration
that serialises its writes, as Ongoing asks, shows no overlaps.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from integrations.ongoing.simulator.errors import AUTH_DENIED, INTERNAL_ERROR, OngoingError
from integrations.ongoing.simulator.settings import RUNTIME_SWITCHES, OngoingSimSettings
from integrations.ongoing.simulator.statuses import (
    PURCHASE_ORDER_STATUSES,
    RETURN_ORDER_STATUSES,
    STANDARD_ORDER_STATUSES,
    localised,
)
from integrations.ongoing.simulator.stock import (
    OrderLineQuantities,
    OrderQuantities,
    PurchaseLineQuantities,
    PurchaseOrderQuantities,
    compute_inventories,
)
from integrations.ongoing.simulator.timefmt import now_text
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
                with self.store.transaction():
                    yield
                    self.refresh_inventory()
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

    def _by_field(self, kind: str, field: str, value: Any) -> Doc | None:
        return next((doc for doc in self.store.all(kind) if doc.get(field) == value), None)

    def articles(self) -> list[Doc]:
        return self._sorted(ARTICLE, "articleSystemId")

    def article(self, article_system_id: int) -> Doc | None:
        return self.store.get(ARTICLE, article_system_id)

    def article_by_number(self, article_number: str) -> Doc | None:
        return self._by_field(ARTICLE, "articleNumber", article_number)

    def save_article(self, doc: Doc) -> None:
        self.store.put(ARTICLE, doc["articleSystemId"], doc)

    def orders(self) -> list[Doc]:
        return self._sorted(ORDER, "orderId")

    def order(self, order_id: int) -> Doc | None:
        return self.store.get(ORDER, order_id)

    def order_by_number(self, order_number: str) -> Doc | None:
        return self._by_field(ORDER, "orderNumber", order_number)

    def save_order(self, doc: Doc) -> None:
        previous, saved = self.store.get(ORDER, doc["orderId"]), copy.deepcopy(doc)
        self.store.put(ORDER, doc["orderId"], doc)
        self._announce(lambda listener: listener.order_saved(previous, saved))

    def purchase_orders(self) -> list[Doc]:
        return self._sorted(PURCHASE_ORDER, "purchaseOrderId")

    def purchase_order(self, purchase_order_id: int) -> Doc | None:
        return self.store.get(PURCHASE_ORDER, purchase_order_id)

    def purchase_order_by_number(self, number: str) -> Doc | None:
        return self._by_field(PURCHASE_ORDER, "purchaseOrderNumber", number)

    def save_purchase_order(self, doc: Doc) -> None:
        previous, saved = self.store.get(PURCHASE_ORDER, doc["purchaseOrderId"]), copy.deepcopy(doc)
        self.store.put(PURCHASE_ORDER, doc["purchaseOrderId"], doc)
        self._announce(lambda listener: listener.purchase_order_saved(previous, saved))

    def goods_returned(self, order: Doc, cause: dict[str, Any] | None) -> None:
        saved = copy.deepcopy(order)
        self._announce(lambda listener: listener.goods_returned(saved, cause))

    def return_orders(self) -> list[Doc]:
        return self._sorted(RETURN_ORDER, "returnOrderId")

    def return_order(self, return_order_id: int) -> Doc | None:
        return self.store.get(RETURN_ORDER, return_order_id)

    def return_order_by_number(self, number: str) -> Doc | None:
        return self._by_field(RETURN_ORDER, "returnOrderNumber", number)

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

    # -- stock ---------------------------------------------------------------------------------------------

    def refresh_inventory(self) -> None:
        """Recompute every article's figures; bump ``stockInfoChanged`` only where they changed."""
        articles = self.articles()
        physical = {a["articleSystemId"]: a["physical"] for a in articles}
        orders = [
            OrderQuantities(order["status"], tuple(
                OrderLineQuantities(line["articleSystemId"], line["ordered"], line["picked"], line["shipped"],
                                    line["returned"], line["reported"], line["reportedReturned"])
                for line in order["lines"]))
            for order in self.orders()
        ]
        purchase_orders = [
            PurchaseOrderQuantities(po["status"], tuple(
                PurchaseLineQuantities(line["articleSystemId"], line["advised"], line["received"], line["reported"])
                for line in po["lines"]))
            for po in self.purchase_orders()
        ]
        figures = compute_inventories(physical, orders, purchase_orders,
                                      sellable_floor_zero=self.settings.sellable_floor_zero)
        for article in articles:
            current = asdict(figures[article["articleSystemId"]])
            if current != article.get("inventory"):
                article["inventory"] = current
                article["stockInfoChanged"] = now_text()
                self.save_article(article)
