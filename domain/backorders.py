"""Backorders that stock now covers: when an order exported as "open, backordered" may become "open, in
stock", so the release (and the warehouse) treat it as ready to pick.

Ongoing's sellable figure already nets out every open order, the backordered ones included, so the units
free for backorders are the sellable units plus what the backorders themselves book. They are handed out
as at export: oldest order first, each order taking its units whether or not it is covered, so a younger
order never jumps the queue. Ongoing may report a negative sellable figure or stop at zero (unknown);
at zero or below the figure is checked against physical − locked − booked and the lower one is used.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from domain.release import ReleaseCandidate
from domain.statuses import OrderState
from domain.stock import SellableStock
from integrations.ongoing.models import Article
from integrations.ongoing.models import Order as OngoingOrder


@dataclass(frozen=True)
class Backorder:
    """An exported order that Ongoing shows as backordered, with the units per SKU it still books."""

    starweb_order_id: int
    order_number: str
    ongoing_order_id: int
    created_at: datetime | None
    booked: dict[str, float]


@dataclass(frozen=True)
class BackorderCandidate:
    """What the ledger knows of an order exported as backordered."""

    starweb_order_id: int
    order_number: str
    created_at: datetime | None


def backorders_in_warehouse(candidates: Iterable[BackorderCandidate], warehouse: Mapping[str, OngoingOrder], *,
                            backordered_status: int) -> list[Backorder]:
    """The candidates Ongoing still shows in the backordered status (the TPL may have moved others on)."""
    found: list[Backorder] = []
    for candidate in candidates:
        order = warehouse.get(candidate.order_number)
        if order is None or order.status_number != backordered_status:
            continue
        booked: dict[str, float] = defaultdict(float)
        for line in order.order_lines:
            if line.article is not None and line.article.article_number:
                booked[line.article.article_number] += max(
                    0.0, float(line.ordered_number_of_items or 0) - float(line.picked_number_of_items or 0))
        found.append(Backorder(candidate.starweb_order_id, candidate.order_number, order.order_info.order_id,
                               candidate.created_at, dict(booked)))
    return found


def sellable_now(article: Article) -> float:
    """Ongoing's sellable figure; at zero or below, no higher than physical − locked − booked (in case
    Ongoing stops the figure at zero)."""
    info = article.inventory_info
    if info is None:
        return 0.0
    sellable = float(info.sellable_number_of_items or 0)
    if sellable > 0:
        return sellable
    parts = (float(info.number_of_items or 0) - float(info.locked_for_sale_number_of_items or 0)
             - float(info.number_of_booked_items or 0))
    return min(sellable, parts)


def covered_backorders(backorders: Sequence[Backorder], articles: Mapping[str, Article]) -> list[Backorder]:
    """The backorders stock covers now, judged oldest first against the units free for backorders."""
    free: dict[str, float] = defaultdict(float)
    for sku, article in articles.items():
        free[sku] = sellable_now(article)
    for backorder in backorders:
        for sku, units in backorder.booked.items():
            if sku in articles:  # their own booking is part of what the sellable figure netted out
                free[sku] += units
    stock = SellableStock(free)
    oldest_first = sorted(backorders, key=lambda b: (b.created_at is None, b.created_at, b.starweb_order_id))
    return [b for b in oldest_first
            if stock.judge(b.booked.items()) is OrderState.OPEN_IN_STOCK and b.booked]


def as_in_stock(candidates: Iterable[ReleaseCandidate], promoted: Iterable[int]) -> list[ReleaseCandidate]:
    """Release candidates with the orders just found covered shown as in stock (a dry run writes nothing)."""
    moved = set(promoted)
    return [replace(c, state=OrderState.OPEN_IN_STOCK.value) if c.starweb_order_id in moved else c
            for c in candidates]
