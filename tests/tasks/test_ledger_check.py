"""The start-of-run look for a lost ledger asks the warehouse (in a task) only when the ledger is empty."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.config import MERCHANTS_DIR, MerchantConfig, load_merchants
from ledger.cursors import advance_time_cursor
from ledger.db import Ledger
from ledger.types import utcnow
from tasks import ledger_check

DEMO = load_merchants(MERCHANTS_DIR)["demo"]


@pytest.fixture
def asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Ledger, list[str]]]:
    book = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    asked: list[str] = []

    async def ask(merchant: MerchantConfig) -> str | None:
        asked.append(merchant.merchant_id)
        return "warning"

    monkeypatch.setattr(ledger_check, "ledger", lambda: book)
    monkeypatch.setattr(ledger_check, "ask_the_warehouse_about_the_ledger", ask)
    yield book, asked
    book.dispose()


async def test_a_ledger_that_knows_the_merchant_settles_it_without_asking_the_warehouse(
        asked: tuple[Ledger, list[str]]) -> None:
    book, calls = asked
    with book.session() as session:
        advance_time_cursor(session, "demo", "starweb-orders-export", utcnow())
    assert await ledger_check.check_ledger_continuity(DEMO) is None
    assert calls == []


async def test_a_ledger_empty_for_the_merchant_asks_the_warehouse(asked: tuple[Ledger, list[str]]) -> None:
    assert await ledger_check.check_ledger_continuity(DEMO) == "warning"
    assert asked[1] == ["demo"]
