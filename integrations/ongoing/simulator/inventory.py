"""The warehouse's stock figures, kept up to date one write at a time instead of recounted from everything.

Each article has a demand document: what all orders and purchase orders want of it (``stock.Demand``).
When a write saves an order or a purchase order, its old part of each article's demand is taken away and
its new part added, and the articles it touched are marked; when the write ends, only the marked articles'
figures are worked out again, and ``stockInfoChanged`` moves only where they changed. A write therefore
costs what it touches, however many articles and orders the warehouse holds. ``rebuild`` recounts
everything, once, when a store is opened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from integrations.ongoing.simulator.stock import (
    ArticleKey,
    Demand,
    OrderLineQuantities,
    OrderQuantities,
    PurchaseLineQuantities,
    PurchaseOrderQuantities,
    inventory,
    order_demand,
    purchase_order_demand,
)
from integrations.ongoing.simulator.timefmt import now_text
from integrations.simulation.store import DocumentStore

Doc = dict[str, Any]
ARTICLE = "article"
DEMAND = "article_demand"


def order_quantities(order: Doc) -> OrderQuantities:
    return OrderQuantities(order["status"], tuple(
        OrderLineQuantities(line["articleSystemId"], line["ordered"], line["picked"], line["shipped"],
                            line["returned"], line["reported"], line["reportedReturned"])
        for line in order["lines"]))


def purchase_order_quantities(po: Doc) -> PurchaseOrderQuantities:
    return PurchaseOrderQuantities(po["status"], tuple(
        PurchaseLineQuantities(line["articleSystemId"], line["advised"], line["received"], line["reported"])
        for line in po["lines"]))


class InventoryBook:
    """Demand per article in the store, and the articles whose figures the current write must redo."""

    def __init__(self, store: DocumentStore) -> None:
        self.store = store
        self._marked: set[ArticleKey] = set()

    def order_saved(self, before: Doc | None, after: Doc | None) -> None:
        self._move(order_demand(order_quantities(before)) if before else {},
                   order_demand(order_quantities(after)) if after else {})

    def purchase_order_saved(self, before: Doc | None, after: Doc | None) -> None:
        self._move(purchase_order_demand(purchase_order_quantities(before)) if before else {},
                   purchase_order_demand(purchase_order_quantities(after)) if after else {})

    def article_saved(self, article_system_id: ArticleKey) -> None:
        self._marked.add(article_system_id)

    def forget(self) -> None:
        """The write was rolled back: its marks mean nothing any more."""
        self._marked.clear()

    def settle(self, *, sellable_floor_zero: bool) -> None:
        """Work out the marked articles' figures again; save (and stamp) the ones that changed."""
        marked, self._marked = sorted(self._marked, key=str), set()
        for article in self.store.iter_docs(ARTICLE, marked):
            demand = self._demand(article["articleSystemId"])
            current = asdict(inventory(article["physical"], demand, sellable_floor_zero=sellable_floor_zero))
            if current != article.get("inventory"):
                article["inventory"] = current
                article["stockInfoChanged"] = now_text()
                self.store.put(ARTICLE, article["articleSystemId"], article)

    def rebuild(self, orders: Iterable[Doc], purchase_orders: Iterable[Doc], article_ids: Iterable[ArticleKey]) -> None:
        """Recount every article's demand from scratch and mark every article."""
        totals: dict[ArticleKey, Demand] = {}
        parts = [*(order_demand(order_quantities(o)) for o in orders),
                 *(purchase_order_demand(purchase_order_quantities(po)) for po in purchase_orders)]
        for part in parts:
            for article, demand in part.items():
                totals.setdefault(article, Demand()).add(demand)
        for stale in self.store.all(DEMAND):
            self.store.delete(DEMAND, stale["article"])
        for article, demand in totals.items():
            self.store.put(DEMAND, article, {"article": article, **asdict(demand)})
        self._marked.update(article_ids)

    def _demand(self, article: ArticleKey) -> Demand:
        stored = self.store.get(DEMAND, article)
        return Demand(**{k: v for k, v in stored.items() if k != "article"}) if stored else Demand()

    def _move(self, before: dict[ArticleKey, Demand], after: dict[ArticleKey, Demand]) -> None:
        for article in set(before) | set(after):
            change = Demand()
            change.add(after.get(article, Demand()))
            change.add(before.get(article, Demand()), -1.0)
            if change.is_zero():
                continue
            demand = self._demand(article)
            demand.add(change)
            self.store.put(DEMAND, article, {"article": article, **asdict(demand)})
            self._marked.add(article)
