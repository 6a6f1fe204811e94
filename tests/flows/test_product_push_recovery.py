"""End to end: an article whose binding the ledger could not take while the push went on is held, not lost,
and the next push settles it."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

import ledger.bindings
import tasks.runtime
from flows.product_sync import sync_products
from ledger import quarantine
from ledger.models import ArticleBinding
from tests.flows.actors import Warehouse, ledger_rows, quarantined
from tests.flows.conftest import World


async def test_an_article_the_ledger_could_not_bind_is_held_and_the_next_push_binds_it(
        world: World, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    real = ledger.bindings.mark_article_pushed
    refused: list[str] = []

    def locked_once(*args: Any, sku: str, **kwargs: Any) -> ArticleBinding:
        if not refused:
            refused.append(sku)
            raise OperationalError("INSERT INTO article_bindings", {}, sqlite3.OperationalError("database is locked"))
        return real(*args, sku=sku, **kwargs)

    monkeypatch.setattr(ledger.bindings, "mark_article_pushed", locked_once)
    first = await sync_products("demo")
    monkeypatch.setattr(ledger.bindings, "mark_article_pushed", real)

    (sku,) = refused
    pushed = len(ledger_rows(ArticleBinding))
    assert first["quarantined"] == 1 and first.get("created", 0) + first.get("updated", 0) == pushed, \
        "the rest of the catalogue went on"
    assert warehouse.article(sku) is not None, "the write itself landed"
    assert not ledger_rows(ArticleBinding, sku=sku)
    entry = quarantined("product")[sku]
    assert entry.retryable and "database is locked" in entry.reason

    with tasks.runtime.ledger().session() as session:
        due = quarantine.find_entry(session, "demo", "product", sku)
        assert due is not None
        quarantine.retry_now(session, due.id)
    await sync_products("demo")
    (bound,) = ledger_rows(ArticleBinding, sku=sku)
    article = warehouse.article(sku)
    assert article is not None and bound.article_system_id == article["articleSystemId"]
    assert sku not in quarantined("product")
