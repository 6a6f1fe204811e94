"""Reading returns from the merchant's Ongoing goods owner: the return-cause register, and the three places
returns show up (sales orders, return orders, return-type inbound deliveries), each from its own window.

Sales orders are read from Ongoing's own bookkeeping (lines whose returned units are not yet acknowledged)
narrowed by ``lastReturnedFrom``; return orders by ``goodsReturnedFromDate`` (Ongoing cannot page them);
inbound deliveries by ``lastReceiveTimeFrom``. Every sales order involved comes with all its return orders,
since the figures of both are cumulative and only make sense together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from prefect import task
from prefect.cache_policies import NO_CACHE

from domain.config import MerchantConfig
from integrations.ongoing.models import Order as OngoingOrder
from integrations.ongoing.models import PurchaseOrder, ReturnOrder
from ledger import quarantine
from ledger.cursors import read_time_cursor
from ledger.types import utcnow
from tasks.runtime import ledger, ongoing_client
from tasks.shop_reads import READ_RETRIES
from tasks.warehouse_reads import _chunks

SALES_ORDER_STREAM = "ongoing-returns-sales-orders"
RETURN_ORDER_STREAM = "ongoing-returns-return-orders"
INBOUND_STREAM = "ongoing-returns-inbound"
STREAMS = (SALES_ORDER_STREAM, RETURN_ORDER_STREAM, INBOUND_STREAM)
# An order whose return figures do not add up waits here for a person (key: Ongoing order number).
RETURN_CHECK_KIND = "return-check"


@dataclass(frozen=True)
class ReturnWindows:
    """Where each source is read from this run."""

    sales_orders: datetime | None  # None: every order with returned units not yet acknowledged
    return_orders: datetime
    inbound: datetime
    orders_to_retry: tuple[str, ...] = ()


@dataclass
class WarehouseReturns:
    orders: dict[int, OngoingOrder] = field(default_factory=dict)  # by orderId
    return_orders: dict[int, list[ReturnOrder]] = field(default_factory=dict)  # by the customer order's id
    inbounds: list[PurchaseOrder] = field(default_factory=list)

    def order_by_number(self) -> dict[str, OngoingOrder]:
        return {o.order_number: o for o in self.orders.values()}


@task(name="read-return-windows", cache_policy=NO_CACHE)
def read_return_windows(merchant: MerchantConfig) -> ReturnWindows:
    """Each source's cursor less the overlap; a source read for the first time looks back a fixed time."""
    settings = merchant.returns
    overlap = timedelta(minutes=settings.overlap_minutes)
    first = utcnow() - timedelta(days=settings.first_run_lookback_days)
    with ledger().session() as session:
        cursors = {stream: read_time_cursor(session, merchant.merchant_id, stream) for stream in STREAMS}
        retry = tuple(e.key for e in quarantine.due_for_retry(session, merchant.merchant_id, RETURN_CHECK_KIND))
    sales, returned, inbound = cursors[SALES_ORDER_STREAM], cursors[RETURN_ORDER_STREAM], cursors[INBOUND_STREAM]
    return ReturnWindows(
        sales_orders=sales - overlap if sales else None,
        return_orders=returned - overlap if returned else first,
        inbound=inbound - overlap if inbound else first,
        orders_to_retry=retry)


@task(name="fetch-return-causes", **READ_RETRIES)
async def fetch_return_causes(merchant: MerchantConfig) -> dict[str, bool]:
    """The goods owner's return causes: code → whether goods returned for it are discarded."""
    async with await ongoing_client(merchant) as warehouse:
        return {c.code: bool(c.is_remove_cause) for c in await warehouse.list_return_causes() if c.code}


@task(name="fetch-warehouse-returns", **READ_RETRIES)
async def fetch_warehouse_returns(merchant: MerchantConfig, windows: ReturnWindows) -> WarehouseReturns:
    found = WarehouseReturns()
    async with await ongoing_client(merchant) as warehouse:
        async for order in warehouse.iter_orders(only_orders_with_order_lines_to_report_returned=True,
                                                 last_returned_from=windows.sales_orders):
            found.orders[order.order_id] = order
        for chunk in _chunks(windows.orders_to_retry):
            async for order in warehouse.iter_orders(order_numbers=chunk):
                found.orders[order.order_id] = order
        arrived = await warehouse.list_return_orders(goods_returned_from_date=windows.return_orders)
        for order_id in sorted({r.customer_order_info.order_id for r in arrived if r.customer_order_info
                                and r.customer_order_info.order_id is not None} - found.orders.keys()):
            found.orders[order_id] = await warehouse.get_order(order_id)
        by_id = {r.return_order_id: r for r in arrived}
        for chunk in _chunks([o.order_number for o in found.orders.values()]):
            for return_order in await warehouse.list_return_orders(customer_order_numbers=chunk):
                by_id[return_order.return_order_id] = return_order
        for return_order in sorted(by_id.values(), key=lambda r: r.return_order_id):
            info = return_order.customer_order_info
            if info is not None and info.order_id in found.orders:
                found.return_orders.setdefault(info.order_id, []).append(return_order)
        async for purchase_order in warehouse.iter_purchase_orders(last_receive_time_from=windows.inbound):
            advanced = purchase_order.purchase_order_info.advanced
            if advanced is not None and advanced.purchase_order_is_return_type:
                found.inbounds.append(purchase_order)
    return found

