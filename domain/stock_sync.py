"""Stock sync: the warehouse is the stock master, and Starweb shows what it may sell.

Each SKU's Starweb ``stockQuantity`` should be Ongoing's sellable units less the units Starweb orders
hold that Ongoing does not book yet (see ``domain.unbooked_stock``) less the merchant's safety buffer,
never below zero. The warehouse's figures and Starweb's current ones are merged as two tables on
SKU: rows whose figures differ are the writes, and a SKU found on one side only goes on a worklist for a
person. The one-stock-master check explains Starweb's figure from the last one the connector wrote or
saw, less the units Starweb's own orders took since; whatever is left unexplained was written by
someone else.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter
from typing import TYPE_CHECKING

from domain.stock import shop_stock
from integrations.ongoing.models import Article
from integrations.starweb.models import Order, Product, Variant

if TYPE_CHECKING:
    import pandas as pd

# Ongoing refuses a stockInfoChangedFrom older than 24 hours; keep a margin for slow runs and clocks.
CHANGE_FILTER_LIMIT = timedelta(hours=23, minutes=50)
OVERLAP = timedelta(minutes=2)
# Starweb stamps orders in whole seconds, so a stamp can be up to a second before the moment it stands for.
STARWEB_STAMP_PRECISION = timedelta(seconds=1)
WAREHOUSE_ONLY, SHOP_ONLY = "warehouse only", "shop only"
_TO_DO = {
    WAREHOUSE_ONLY: "Ongoing has the article but Starweb has no variant with this SKU: add it to the shop, "
                    "or deactivate the article in Ongoing",
    SHOP_ONLY: "Starweb sells this SKU but Ongoing has no article for it: run the product sync or correct the "
               "SKU; its Starweb stock is left as it is",
}


@dataclass(frozen=True)
class StockScope:
    """Which warehouse articles a run compares: all of them, or those whose stock changed since a time."""

    full: bool
    changed_since: datetime | None
    reason: str


def choose_scope(now: datetime, cursor: datetime | None, last_full: datetime | None, *,
                 full_resync_hours: float, forced: bool = False) -> StockScope:
    if forced:
        return StockScope(True, None, "full resync asked for")
    if last_full is None or cursor is None:
        return StockScope(True, None, "first run")
    if now - last_full >= timedelta(hours=full_resync_hours):
        return StockScope(True, None, f"last full resync is older than {full_resync_hours:g} h")
    since = cursor - OVERLAP
    if now - since > CHANGE_FILTER_LIMIT:
        return StockScope(True, None, "the last run is too long ago for Ongoing's 24-hour change filter")
    return StockScope(False, since, "stock changed since the last run")


@dataclass(frozen=True)
class WarehouseLevel:
    sku: str
    sellable: float
    syncable: bool = True  # False: an inactive or non-stock article, whose Starweb stock is left alone


@dataclass(frozen=True)
class ShopLevel:
    sku: str
    product_id: int
    variant_id: int
    quantity: int | None  # Starweb's stockQuantity now


@dataclass(frozen=True)
class StockWrite:
    sku: str
    product_id: int
    variant_id: int
    current: int | None
    target: int
    sellable: float
    unbooked: float = 0.0  # units held by Starweb orders the warehouse does not book yet


@dataclass(frozen=True)
class WorklistEntry:
    sku: str
    side: str
    to_do: str


@dataclass(frozen=True)
class StockPlan:
    writes: list[StockWrite]
    unchanged: list[StockWrite]
    ignored: list[str]  # in both systems, but the article is inactive or not a stock article
    worklist: list[WorklistEntry]


@dataclass(frozen=True, slots=True)
class StockArticle:
    """What the stock sync keeps of an Ongoing article: a few numbers, not the whole model (a 50 000-SKU
    catalogue of models took over 300 MiB)."""

    article_system_id: int
    sellable: float
    syncable: bool  # False: inactive or not a stock article, so its Starweb stock is left alone


def stock_article(article: Article) -> StockArticle:
    """Inactive and non-stock articles are marked, not dropped, so a SKU Starweb still sells but the
    warehouse retired does not look missing from the warehouse."""
    info = article.inventory_info
    return StockArticle(article.article_system_id, float(info.sellable_number_of_items or 0) if info else 0.0,
                        syncable=article.is_active is not False and article.is_stock_article is not False)


def stock_articles(articles: Mapping[str, Article]) -> dict[str, StockArticle]:
    return {sku: stock_article(article) for sku, article in articles.items()}


def warehouse_levels(articles: Mapping[str, StockArticle]) -> list[WarehouseLevel]:
    """Sellable units per article."""
    return [WarehouseLevel(sku, a.sellable, a.syncable) for sku, a in articles.items()]


def shop_levels(products: Iterable[tuple[Product, list[Variant]]]) -> list[ShopLevel]:
    """Every variant with a SKU in a catalogue read, with its current stock figure."""
    return [ShopLevel(v.sku, product.product_id, v.variant_id, v.stock_quantity)
            for product, variants in products for v in variants if v.sku]


def plan_stock_writes(warehouse: Iterable[WarehouseLevel], shop: Iterable[ShopLevel], *,
                      safety_buffer: int, unbooked: Mapping[str, float] | None = None) -> StockPlan:
    """Compare the two tables; only rows whose Starweb figure differs from the target are written. The
    target is the sellable units less the ``unbooked`` units per SKU less the buffer, never below zero."""
    left = _frame(warehouse, ["sku", "sellable", "syncable"])
    right = _frame(shop, ["sku", "product_id", "variant_id", "quantity"])
    table = left.merge(right, on="sku", how="outer", indicator="side").sort_values("sku")

    both = table[table["side"] == "both"]
    live = both[both["syncable"].astype(bool)].copy()
    live["unbooked"] = live["sku"].map(dict(unbooked or {})).astype(float).fillna(0.0)
    live["target"] = [shop_stock(units - held, safety_buffer)
                      for units, held in zip(live["sellable"].tolist(), live["unbooked"].tolist(), strict=True)]
    differs = live["quantity"].isna() | (live["quantity"] != live["target"])

    warehouse_only = table[(table["side"] == "left_only") & table["syncable"].astype(bool)]
    shop_only = table[table["side"] == "right_only"]
    worklist = [WorklistEntry(sku, side, _TO_DO[side])
                for frame, side in ((warehouse_only, WAREHOUSE_ONLY), (shop_only, SHOP_ONLY))
                for sku in frame["sku"]]
    return StockPlan(writes=_writes(live[differs]), unchanged=_writes(live[~differs]),
                     ignored=list(both[~both["syncable"].astype(bool)]["sku"]),
                     worklist=sorted(worklist, key=lambda entry: entry.sku))


def _frame(rows: Iterable[object], columns: list[str]) -> pd.DataFrame:
    """A table of the rows' attributes: built from tuples, not ``asdict`` (which deep-copies every row and
    cost seconds at 50 000 SKUs)."""
    # Imported here, not at the top: the shipment report imports this module, and a run started by a
    # shipment event should not pay for pandas in its process start before the tracking number is written.
    import pandas as pd

    pick = attrgetter(*columns)
    return pd.DataFrame.from_records([pick(row) for row in rows], columns=columns)


def _writes(frame: pd.DataFrame) -> list[StockWrite]:
    import pandas as pd

    # Whole columns converted at once, to Python ints and floats (Starweb's missing figure as None).
    ids = [frame[column].astype(int).tolist() for column in ("product_id", "variant_id", "target")]
    figures = [None if quantity is pd.NA else quantity for quantity in frame["quantity"].astype("Int64").tolist()]
    amounts = [frame[column].astype(float).tolist() for column in ("sellable", "unbooked")]
    return [StockWrite(sku, product_id, variant_id, current, target, sellable, held)
            for sku, product_id, variant_id, target, current, sellable, held
            in zip(frame["sku"].tolist(), *ids, figures, *amounts, strict=True)]


# --- one stock master -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StarwebBaseline:
    """Starweb showed ``quantity`` for the SKU at some moment between ``seen_from`` and ``seen_until``."""

    sku: str
    quantity: int
    seen_from: datetime
    seen_until: datetime


@dataclass(frozen=True)
class SaleLine:
    """Units of a SKU held by one Starweb order (Starweb takes them from stock when the order is placed)."""

    order_id: int
    sku: str
    quantity: float
    created_at: datetime
    modified_at: datetime
    cancelled: bool  # the order is cancelled now, so its units went back to stock


@dataclass(frozen=True)
class MasterConflict:
    sku: str
    baseline: int
    baseline_at: datetime
    sold: float
    restored: float
    expected_low: float
    expected_high: float
    observed: int

    @property
    def unexplained(self) -> float:
        """How far Starweb's figure is outside what its orders explain (positive: more stock than expected)."""
        return self.observed - (self.expected_high if self.observed > self.expected_high else self.expected_low)


def sale_lines(orders: Iterable[Order], cancelled_status_ids: Collection[int]) -> list[SaleLine]:
    """The order rows Starweb's stock moved on (top-level items, matched to variants by SKU)."""
    lines: list[SaleLine] = []
    for order in orders:
        created = order.created_at or order.modified_at
        if created is None:
            continue
        for item in order.items or []:
            if item.sku and item.quantity:
                lines.append(SaleLine(order.order_id, item.sku, float(item.quantity), created,
                                      order.modified_at or created, order.status_id in cancelled_status_ids))
    return lines


def master_conflicts(baselines: Iterable[StarwebBaseline], observed: Mapping[str, int | None],
                     sales: Iterable[SaleLine], *, observed_from: datetime, observed_until: datetime,
                     clock_slack: timedelta = STARWEB_STAMP_PRECISION, tolerance: float = 1e-6) -> list[MasterConflict]:
    """SKUs whose Starweb figure, read between ``observed_from`` and ``observed_until``, is not explained
    by the baseline less the units taken by orders placed since (plus units given back by cancelled ones).

    Every moment is only known within a window, so the explanation is a range: an order placed while the
    baseline or the current figure was being read may or may not be in either figure, and an order's stamp
    may be up to ``clock_slack`` earlier than the moment it took the stock. Item edits on orders placed
    before the baseline also give stock back, but the order list cannot show them."""
    import pandas as pd

    base = _frame(baselines, ["sku", "quantity", "seen_from", "seen_until"])
    base["observed"] = base["sku"].map(dict(observed))
    base = base[base["observed"].notna()].copy()
    lines = _frame(sales, ["order_id", "sku", "quantity", "created_at", "modified_at", "cancelled"])
    for frame, columns in ((base, ["seen_from", "seen_until"]), (lines, ["created_at", "modified_at"])):
        for column in columns:
            frame[column] = pd.to_datetime(frame[column], utc=True)
    moves = lines.merge(base[["sku", "seen_from", "seen_until"]], on="sku")
    live, created = ~moves["cancelled"].astype(bool), moves["created_at"]
    taken = moves["quantity"].astype(float)
    moves["surely_sold"] = taken.where(live & (created > moves["seen_until"])
                                       & (created + clock_slack <= observed_from), 0.0)
    moves["maybe_sold"] = taken.where(live & (created > moves["seen_from"] - clock_slack)
                                      & (created <= observed_until), 0.0)
    moves["restored"] = taken.where(~live & (created <= moves["seen_until"])
                                    & (moves["modified_at"] > moves["seen_from"] - clock_slack), 0.0)
    per_sku = moves.groupby("sku")[["surely_sold", "maybe_sold", "restored"]].sum()
    base = base.join(per_sku, on="sku")
    base[["surely_sold", "maybe_sold", "restored"]] = base[["surely_sold", "maybe_sold", "restored"]].fillna(0.0)
    base["low"] = base["quantity"] - base["maybe_sold"]
    base["high"] = base["quantity"] - base["surely_sold"] + base["restored"]
    outside = (base["observed"] < base["low"] - tolerance) | (base["observed"] > base["high"] + tolerance)
    return [MasterConflict(sku=row["sku"], baseline=int(row["quantity"]),
                           baseline_at=row["seen_until"].to_pydatetime(), sold=float(row["maybe_sold"]),
                           restored=float(row["restored"]), expected_low=float(row["low"]),
                           expected_high=float(row["high"]), observed=int(row["observed"]))
            for row in base[outside].sort_values("sku").to_dict("records")]
