"""Two processes bind SKUs to articles: the stock sync (the SKUs it found on both sides) and the product
push (each SKU it made an article). Another run of the merchant may bind the same SKU between one run's
read and its write: a shipment report's stock sync beside a scheduled one, or a stock sync during a first
product push. On PostgreSQL, where the two runs' transactions overlap, the later write then broke the
unique binding and that run failed after its vendor write had landed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any, cast

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from ledger import bindings
from ledger import stock as stock_ledger
from ledger.db import Ledger
from ledger.stock import VariantPlace
from tasks import products, stock

PLACES = {"SOCK-MER-46": VariantPlace(product_id=2, variant_id=5)}
ARTICLES = cast(Any, {"SOCK-MER-46": SimpleNamespace(article_system_id=18005)})


@contextmanager
def a_stock_sync_binds_the_sku_first(book: Ledger) -> Iterator[list[str]]:
    """Between this run's read and its first write, a stock sync binds the SKU and commits."""
    raced: list[str] = []

    @event.listens_for(Session, "before_flush")
    def stock_sync_commits_first(session: Session, *_: Any) -> None:
        if raced or not session.new:
            return
        raced.append("stock sync")  # this run has read (nothing bound); the other binds the SKU and commits
        with book.session() as other:
            stock_ledger.index_variants(other, "demo", PLACES, {"SOCK-MER-46": 18005})

    try:
        yield raced
    finally:
        event.remove(Session, "before_flush", stock_sync_commits_first)


def test_a_binding_another_stock_sync_adds_meanwhile_is_kept_and_not_added_twice(
        postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    book = Ledger(postgres_url)
    monkeypatch.setattr(stock, "ledger", lambda: book)

    with a_stock_sync_binds_the_sku_first(book) as raced:
        stock.remember_variants.fn("demo", PLACES, ARTICLES, False)

    assert raced == ["stock sync"]
    with book.session() as session:
        bound = bindings.articles_by_sku(session, "demo")
    assert list(bound) == ["SOCK-MER-46"] and bound["SOCK-MER-46"].starweb_variant_id == 5
    book.dispose()


def test_a_pushed_article_a_stock_sync_bound_meanwhile_is_updated_not_added_twice(
        postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    book = Ledger(postgres_url)
    monkeypatch.setattr(products, "ledger", lambda: book)

    with a_stock_sync_binds_the_sku_first(book) as raced:
        existed = products.record_pushed("demo", "SOCK-MER-46", article_system_id=18005, pushed_hash="h1",
                                         starweb_product_id=2, starweb_variant_id=5, is_active=True)

    assert raced == ["stock sync"] and existed  # the second reading found the stock sync's binding
    with book.session() as session:
        bound = bindings.articles_by_sku(session, "demo")
    assert list(bound) == ["SOCK-MER-46"] and bound["SOCK-MER-46"].pushed_hash == "h1"
    book.dispose()
