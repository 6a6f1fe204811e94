"""The stock sync binds the SKUs it found on both sides; another run of the merchant may bind the same SKU
between this run's read and its write (a shipment report's stock sync beside a scheduled one). On
PostgreSQL, where the two runs' transactions overlap, the later write then breaks the unique binding."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from ledger import bindings
from ledger import stock as stock_ledger
from ledger.db import Ledger
from ledger.stock import VariantPlace
from tasks import stock

PLACES = {"SOCK-MER-46": VariantPlace(product_id=2, variant_id=5)}
ARTICLES = cast(Any, {"SOCK-MER-46": SimpleNamespace(article_system_id=18005)})


def test_a_binding_another_run_adds_meanwhile_is_kept_and_not_added_twice(postgres_url: str,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    book = Ledger(postgres_url)
    monkeypatch.setattr(stock, "ledger", lambda: book)
    raced: list[str] = []

    @event.listens_for(Session, "before_flush")
    def other_run_commits_first(session: Session, *_: Any) -> None:
        if raced or not session.new:
            return
        raced.append("other run")  # this run has read (nothing bound); the other binds the SKU and commits
        with book.session() as other:
            stock_ledger.index_variants(other, "demo", PLACES, {"SOCK-MER-46": 18005})

    try:
        stock.remember_variants.fn("demo", PLACES, ARTICLES, False)
    finally:
        event.remove(Session, "before_flush", other_run_commits_first)

    assert raced == ["other run"]
    with book.session() as session:
        bound = bindings.articles_by_sku(session, "demo")
    assert list(bound) == ["SOCK-MER-46"] and bound["SOCK-MER-46"].starweb_variant_id == 5
    book.dispose()
