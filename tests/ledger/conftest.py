from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from sqlalchemy import text

from ledger.db import Ledger


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    book = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    yield book
    book.dispose()


def postgres_test_url(environ: Mapping[str, str]) -> str:
    """The PostgreSQL the ledger's tests may use. Without one they are skipped, except in CI (CI=true),
    where a missing PostgreSQL fails them: a green build must have run them."""
    url = environ.get("SWO_TEST_POSTGRES_URL")
    if url:
        return url
    if environ.get("CI") == "true":
        pytest.fail("CI=true but SWO_TEST_POSTGRES_URL is not set: PostgreSQL did not start (.ci/run starts it and "
                    "sets the variable)", pytrace=False)
    pytest.skip("SWO_TEST_POSTGRES_URL is not set (.ci/run starts PostgreSQL and sets it; with CI=true this fails)")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema-less database on the PostgreSQL that CI starts (SWO_TEST_POSTGRES_URL)."""
    url = postgres_test_url(os.environ)
    book = Ledger(url, migrate=False)
    with book.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    book.dispose()
    yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def book(request: pytest.FixtureRequest) -> Iterator[Ledger]:
    """A fresh ledger on each database the connector supports: statements written per dialect, and the
    way each one lets concurrent transactions through, are tried on both."""
    if request.param == "sqlite":
        yield request.getfixturevalue("ledger")
        return
    ledger = Ledger(request.getfixturevalue("postgres_url"))
    yield ledger
    ledger.dispose()
