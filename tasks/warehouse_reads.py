"""Prefect tasks that read from the merchant's Ongoing goods owner (one vendor conversation each)."""

from __future__ import annotations

from collections.abc import Collection

from prefect import task

from domain.config import MerchantConfig
from integrations.ongoing.models import Article
from integrations.ongoing.models import Order as OngoingOrder
from tasks.runtime import ongoing_client
from tasks.shop_reads import READ_RETRIES

# Ongoing answers long repeated-key queries slowly; ask for article numbers in chunks.
_CHUNK = 100


def _chunks(values: Collection[str]) -> list[list[str]]:
    ordered = sorted(set(values))
    return [ordered[i:i + _CHUNK] for i in range(0, len(ordered), _CHUNK)]


@task(name="fetch-articles", **READ_RETRIES)
async def fetch_articles(merchant: MerchantConfig, skus: Collection[str]) -> dict[str, Article]:
    """The Ongoing articles for these SKUs (article number = SKU); unknown SKUs are simply absent."""
    found: dict[str, Article] = {}
    async with await ongoing_client(merchant) as warehouse:
        for chunk in _chunks(skus):
            async for article in warehouse.iter_articles(article_numbers=chunk):
                found[article.article_number] = article
    return found


def sellable(articles: dict[str, Article]) -> dict[str, float]:
    """Sellable units per SKU as Ongoing reports them."""
    return {sku: float(a.inventory_info.sellable_number_of_items or 0) if a.inventory_info else 0.0
            for sku, a in articles.items()}


@task(name="fetch-warehouse-orders", **READ_RETRIES)
async def fetch_warehouse_orders(merchant: MerchantConfig, order_numbers: Collection[str]) -> dict[str, OngoingOrder]:
    """Ongoing's view of these orders, by order number."""
    found: dict[str, OngoingOrder] = {}
    async with await ongoing_client(merchant) as warehouse:
        for chunk in _chunks(order_numbers):
            async for order in warehouse.iter_orders(order_numbers=chunk):
                found[order.order_info.order_number] = order
    return found


@task(name="fetch-sent-orders-to-report", **READ_RETRIES)
async def fetch_sent_orders_to_report(merchant: MerchantConfig, sent_from: int, below: int) -> list[OngoingOrder]:
    """Sent orders with lines whose shipped units are not yet acknowledged (Ongoing's own bookkeeping)."""
    async with await ongoing_client(merchant) as warehouse:
        return [order async for order in warehouse.iter_orders(only_orders_with_order_lines_to_report=True,
                                                               order_status_from=sent_from,
                                                               order_status_to=below - 1)]
