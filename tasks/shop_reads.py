"""Prefect tasks that read from the merchant's Starweb shop (one vendor conversation each)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from domain.config import MerchantConfig
from domain.statuses import ShopStatus, StatusTable
from integrations.errors import MappingError, NotFound, RefusedByVendor, UnexpectedResponse
from integrations.starweb.client import ORDER_INCLUDES, PRODUCT_INCLUDES, StarwebClient
from integrations.starweb.models import Order, Product, Variant
from integrations.starweb.pagination import UnreadableRecord
from ledger.models import OrderBinding
from ledger.types import utcnow
from settings import get_settings
from tasks.registers import keep_register, recent_register
from tasks.runtime import retry_only_transient, starweb_client

# What ``GET /orders/{id}`` includes by default, asked of a listing that stands in for it.
ORDER_READ_INCLUDES = (*ORDER_INCLUDES, "status")
# Starweb's ordersCreatedAfter/Before are exclusive and its stamps whole seconds: widen the span by a second.
STARWEB_STAMP_SLACK = timedelta(seconds=1)
SHOP_STATUSES = "starweb-order-statuses"
# Spread into @task(...): Prefect's overloads need the options typed as Any to accept them.
_DELAYS = get_settings().read_retry_delays_seconds
READ_RETRIES: dict[str, Any] = {"retries": len(_DELAYS), "retry_delay_seconds": _DELAYS,
                                "retry_condition_fn": retry_only_transient, "cache_policy": NO_CACHE}


async def fetch_status_table(merchant: MerchantConfig) -> tuple[StatusTable, list[ShopStatus]]:
    """The merchant's state map resolved against the shop's own order statuses (read at most every few
    minutes for all of the merchant's runs: ``tasks.registers``). A run the kept snapshot answers makes one
    ledger query and no task run: a task run for the query alone would cost more CPU (its bookkeeping in
    the run and on the Prefect server) than the query, on every run. Reading Starweb is a task."""
    return kept_status_table(merchant) or await read_status_table(merchant)


def kept_status_table(merchant: MerchantConfig) -> tuple[StatusTable, list[ShopStatus]] | None:
    """The status table from the kept snapshot of the shop's statuses; None when they must be read: none
    kept lately, or the kept ones no longer resolve the merchant's map (a status made in the shop since)."""
    kept = recent_register(merchant.merchant_id, SHOP_STATUSES)
    if kept is None:
        return None
    statuses = [ShopStatus(**status) for status in kept]
    try:
        return StatusTable(merchant.state_rules(), statuses), statuses
    except MappingError:
        return None


@task(name="fetch-shop-statuses", **READ_RETRIES)
async def read_status_table(merchant: MerchantConfig) -> tuple[StatusTable, list[ShopStatus]]:
    """The shop's order statuses read from Starweb (and kept for the merchant's runs of the next minutes),
    and the merchant's state map resolved against them."""
    read_at = utcnow()
    async with await starweb_client(merchant) as shop:
        statuses = [ShopStatus(s.status_id, s.id_code, s.should_send_email)
                    for s in await shop.list_order_statuses()]
    keep_register(merchant.merchant_id, SHOP_STATUSES, [asdict(status) for status in statuses], read_at=read_at)
    return StatusTable(merchant.state_rules(), statuses), statuses


@dataclass(frozen=True)
class OrdersRead:
    """Orders read from Starweb; the ids it no longer has; and the orders whose answer does not match
    Starweb's model (id → which fields and why), which are left out rather than stop the rest."""

    orders: list[Order]
    gone: list[int] = field(default_factory=list)
    unreadable: dict[int, str] = field(default_factory=dict)


def unreadable_warnings(unreadable: dict[int, str], of_interest: Collection[int]) -> list[str]:
    """A run's warning for each order of interest that Starweb answered in a shape that breaks its model."""
    return [f"order {order_id}: Starweb's answer for it does not match Starweb's model ({problem}); left out"
            for order_id, problem in sorted(unreadable.items()) if order_id in of_interest]


@task(name="fetch-orders-modified-since", **READ_RETRIES)
async def fetch_orders_modified_since(merchant: MerchantConfig, since: datetime) -> OrdersRead:
    """Orders changed since ``since``. Starweb has no updatedSince for orders, so page through them
    newest-modified first and stop at the first one older than ``since``."""
    read = OrdersRead([])

    def note(record: UnreadableRecord) -> None:
        if record.record_id is not None:
            read.unreadable[record.record_id] = record.problem
        else:
            get_run_logger().warning("an order without a readable orderId left out: %s", record.problem)

    async with await starweb_client(merchant) as shop:
        async for order in shop.iter_orders(sort_by="modifiedAt", sort_order="DESC", on_unreadable=note):
            if order.modified_at is not None and order.modified_at < since:
                break
            read.orders.append(order)
    return read


@task(name="fetch-orders-by-id", **READ_RETRIES)
async def fetch_orders_by_id(merchant: MerchantConfig, order_ids: list[int],
                             created_at: Mapping[int, datetime] | None = None) -> OrdersRead:
    """The orders with these ids (items and addresses included), the ids Starweb no longer has, and the
    ones whose answer does not match Starweb's model.

    Starweb lists orders by page but cannot filter them by id. Where the ledger knows when orders were
    created (``created_at``, Starweb's own stamps), the orders created in that span are listed page by page
    for as long as a page costs no more than reading the orders still missing one by one; the rest are read
    with one ``GET /orders/{id}`` each."""
    found: dict[int, Order] = {}
    read = OrdersRead([])
    async with await starweb_client(merchant) as shop:
        listed = {order_id: created_at[order_id] for order_id in order_ids if created_at and order_id in created_at}
        if len(listed) > 1:
            found |= await _list_created_between(shop, set(listed), min(listed.values()), max(listed.values()),
                                                 read)
        for order_id in order_ids:
            if order_id in found or order_id in read.unreadable:
                continue
            try:
                found[order_id] = await shop.get_order(order_id)
            except NotFound:
                read.gone.append(order_id)
            except UnexpectedResponse as error:
                read.unreadable[order_id] = error.vendor_message or str(error)
    read.orders.extend(found[order_id] for order_id in order_ids if order_id in found)
    return read


def created_in_starweb(bound: Iterable[OrderBinding | None]) -> dict[int, datetime]:
    """When Starweb created each of these bound orders, as the ledger knows it (for ``fetch_orders_by_id``)."""
    return {b.starweb_order_id: b.starweb_created_at for b in bound if b is not None and b.starweb_created_at}


async def _list_created_between(shop: StarwebClient, wanted: set[int], first: datetime, last: datetime,
                                read: OrdersRead) -> dict[int, Order]:
    """The wanted orders among those created from ``first`` to ``last``, oldest first, while listing is
    cheaper than one read per order still missing. A wanted order that breaks the model goes to
    ``read.unreadable`` (read alone, it would too)."""
    found: dict[int, Order] = {}
    number = 1
    while True:
        page = await shop.list_orders_page(number, created_after=first - STARWEB_STAMP_SLACK,
                                           created_before=last + STARWEB_STAMP_SLACK, sort_by="orderId",
                                           sort_order="ASC", include=ORDER_READ_INCLUDES)
        found |= {order.order_id: order for order in page.items if order.order_id in wanted}
        read.unreadable.update({r.record_id: r.problem for r in page.unreadable if r.record_id in wanted})
        left = len(wanted) - len(found) - len(read.unreadable)
        pages_left = (page.total_pages or number) - number
        if page.is_last or left <= 0 or pages_left > left:
            return found
        number += 1


@task(name="fetch-products-changed-since", **READ_RETRIES)
async def fetch_products_changed_since(merchant: MerchantConfig,
                                       since: datetime | None) -> list[tuple[Product, list[Variant]]]:
    """Products updated since ``since`` (all when None), each with every one of its variants."""
    found: list[tuple[Product, list[Variant]]] = []
    async with await starweb_client(merchant) as shop:
        async for product in shop.iter_products(updated_since=since):
            found.append((product, await _variants_of(shop, product)))
    return found


@task(name="fetch-products-with-skus", **READ_RETRIES)
async def fetch_products_with_skus(merchant: MerchantConfig,
                                   skus: Collection[str]) -> list[tuple[Product, list[Variant]]]:
    """The products selling any of these SKUs, each with every one of its variants (one search per SKU;
    a SKU the shop does not sell simply finds nothing)."""
    found: dict[int, tuple[Product, list[Variant]]] = {}
    async with await starweb_client(merchant) as shop:
        for sku in sorted(set(skus)):
            try:
                async for product in shop.iter_products(filter_sku=sku):
                    if product.product_id in found:
                        continue
                    found[product.product_id] = (product, await _variants_of(shop, product))
            except RefusedByVendor:
                continue  # Starweb refuses characters a SKU of its own cannot have: the shop does not sell it
    return list(found.values())


async def iter_catalogue(merchant: MerchantConfig, *, include: Sequence[str] = PRODUCT_INCLUDES
                         ) -> AsyncIterator[tuple[Product, list[Variant]]]:
    """Every product with every one of its variants, one at a time, so a caller that keeps only a few
    figures per variant never holds the whole catalogue's models at once."""
    async with await starweb_client(merchant) as shop:
        async for product in shop.iter_products(include=include):
            yield product, await _variants_of(shop, product)


async def _variants_of(shop: StarwebClient, product: Product) -> list[Variant]:
    if product.has_several_variants:
        return [v async for v in shop.iter_variants(product.product_id)]
    return [product.primary_variant] if product.primary_variant else []


@task(name="fetch-products-by-id", **READ_RETRIES)
async def fetch_products_by_id(merchant: MerchantConfig,
                               product_ids: list[int]) -> tuple[list[tuple[Product, list[Variant]]], list[int]]:
    """These products, each with every one of its variants, and the ids Starweb no longer has."""
    found: list[tuple[Product, list[Variant]]] = []
    missing: list[int] = []
    async with await starweb_client(merchant) as shop:
        for product_id in product_ids:
            try:
                product = await shop.get_product(product_id)
            except NotFound:
                missing.append(product_id)
                continue
            found.append((product, await _variants_of(shop, product)))
    return found, missing


@task(name="fetch-order-statuses", **READ_RETRIES)
async def fetch_order_statuses(merchant: MerchantConfig, status_ids: list[int]) -> dict[int, int]:
    """Order id → status id for every order in these statuses (one light listing per status)."""
    found: dict[int, int] = {}
    async with await starweb_client(merchant) as shop:
        for status_id in status_ids:
            async for order in shop.iter_orders(status_id=status_id, include=()):
                found[order.order_id] = status_id
    return found
