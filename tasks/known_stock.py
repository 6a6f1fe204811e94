"""Reading what Starweb's stock figures are now without reading each variant: the ledger's last written or
seen figure per SKU and one listing of the orders Starweb changed since (``domain.known_stock``).

The listing goes back page by page, newest change first, only as far as it pays: while more SKUs wait for
an older page than pages were read. SKUs it does not reach, or whose figure stays in doubt, are read one
by one by the caller. Orders whose payment is not complete are listed too: Starweb takes stock for them.
Starweb's clock is asked first (one ``GET /shop`` per run): when it does not agree with the connector's,
no figure is known and every one is read.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from prefect import get_run_logger

from domain.config import MerchantConfig
from domain.known_stock import clock_agrees, known_figures, worth_another_page
from domain.statuses import OrderState
from domain.stock_sync import STARWEB_STAMP_PRECISION, StarwebBaseline, sale_lines
from integrations.starweb.client import StarwebClient
from integrations.starweb.models import Order
from ledger.stock import VariantPlace
from ledger.types import utcnow
from tasks.shop_reads import kept_status_table, read_status_table


@dataclass(frozen=True)
class KnownFigures:
    figures: dict[str, int]  # SKU → Starweb's stockQuantity at ``as_of``
    as_of: datetime


async def known_shop_figures(merchant: MerchantConfig, shop: StarwebClient, baselines: list[StarwebBaseline],
                             index: Mapping[str, VariantPlace], skus: Collection[str]) -> KnownFigures:
    """Starweb's figure for those of ``skus`` that the baselines and Starweb's recent orders tell exactly."""
    as_of = utcnow()
    wanted = [b for b in baselines if b.sku in skus and b.sku in index]
    if not wanted:
        return KnownFigures({}, as_of)
    starweb_date = await shop.server_time()
    if not clock_agrees(starweb_date, as_of, utcnow()):
        get_run_logger().warning("Starweb's clock (%s) is not the connector's: its stock figures are read, not "
                                 "worked out from its orders' stamps", starweb_date)
        return KnownFigures({}, as_of)
    table, statuses = kept_status_table(merchant) or await read_status_table.fn(merchant)
    cancelled = {s.status_id for s in statuses if s.id_code == "canceled"}
    cancelled.add(table.starweb_status_id(OrderState.CANCELLED))
    orders, listed_back_to = await _orders_changed_lately(shop, wanted, as_of)
    figures = known_figures(wanted, sale_lines(orders, cancelled), as_of=as_of, listed_back_to=listed_back_to)
    return KnownFigures(figures, as_of)


async def _orders_changed_lately(shop: StarwebClient, baselines: list[StarwebBaseline],
                                 as_of: datetime) -> tuple[list[Order], datetime]:
    """Orders newest change first, for as many pages as pay; and back to when the listing is complete."""
    orders: dict[int, Order] = {}
    listed_back_to, number = as_of, 1
    while True:
        page = await shop.list_orders_page(number, sort_by="modifiedAt", sort_order="DESC", include=("items",),
                                           include_non_complete_payments=True)
        orders |= {order.order_id: order for order in page.items}
        if page.is_last:
            return list(orders.values()), datetime.min.replace(tzinfo=as_of.tzinfo)
        stamps = [order.modified_at for order in page.items if order.modified_at is not None]
        if stamps:
            # Orders stamped in the same second as the page's last one may continue on the next page.
            listed_back_to = min(listed_back_to, min(stamps) + STARWEB_STAMP_PRECISION)
        if not worth_another_page(baselines, listed_back_to, number):
            return list(orders.values()), listed_back_to
        number += 1
