from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from ledger.db import Ledger


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    book = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    yield book
    book.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema-less database on the PostgreSQL that CI starts (SWO_TEST_POSTGRES_URL)."""
    url = os.environ.get("SWO_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("SWO_TEST_POSTGRES_URL is not set (.ci/run starts PostgreSQL and sets it)")
    book = Ledger(url, migrate=False)
    with book.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    book.dispose()
    yield url
