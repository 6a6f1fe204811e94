"""Stock bookkeeping in the ledger: the variant index behind the article bindings, and Starweb's figure
as the connector last wrote or saw it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect

from ledger import bindings
from ledger import stock as stock_ledger
from ledger.db import Ledger
from ledger.stock import VariantPlace

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def bind(book: Ledger, sku: str, product_id: int | None, variant_id: int | None) -> None:
    with book.session() as s:
        bindings.mark_article_pushed(s, "demo", sku=sku, article_system_id=500, pushed_hash="h",
                                     starweb_product_id=product_id, starweb_variant_id=variant_id, is_active=True)


def test_the_migration_creates_the_stock_levels_table(ledger: Ledger) -> None:
    columns = {c["name"] for c in inspect(ledger.engine).get_columns("stock_levels")}
    assert {"sku", "written_quantity", "written_at", "seen_quantity", "seen_from", "seen_until"} <= columns


def test_the_index_holds_skus_bound_to_a_starweb_variant(ledger: Ledger) -> None:
    bind(ledger, "TENT", 7, 701)
    bind(ledger, "NO-VARIANT", None, None)
    with ledger.session() as s:
        bindings.mark_article_removed(bindings.articles_by_sku(s, "demo")["TENT"])
    bind(ledger, "SOCK", 8, 801)
    with ledger.session() as s:
        assert stock_ledger.variant_index(s, "demo") == {"SOCK": VariantPlace(8, 801)}
        assert stock_ledger.variant_index(s, "other") == {}


def test_a_variant_found_elsewhere_updates_the_index(ledger: Ledger) -> None:
    bind(ledger, "TENT", 7, 701)
    bind(ledger, "SOCK", 8, 801)
    with ledger.session() as s:
        changed = stock_ledger.index_variants(s, "demo", {"TENT": VariantPlace(9, 901), "SOCK": VariantPlace(8, 801)},
                                              article_ids={})
    assert changed == 1
    with ledger.session() as s:
        assert stock_ledger.variant_index(s, "demo") == {"TENT": VariantPlace(9, 901), "SOCK": VariantPlace(8, 801)}
        assert bindings.articles_by_sku(s, "demo")["TENT"].pushed_hash == "h", "the product sync's record is kept"


def test_an_unbound_sku_is_bound_only_when_the_warehouse_has_its_article(ledger: Ledger) -> None:
    with ledger.session() as s:
        found = {"NEW": VariantPlace(3, 301), "SHOP-ONLY": VariantPlace(4, 401)}
        changed = stock_ledger.index_variants(s, "demo", found, article_ids={"NEW": 9001})
    assert changed == 1
    with ledger.session() as s:
        known = bindings.articles_by_sku(s, "demo")
        assert set(known) == {"NEW"}
        assert (known["NEW"].article_system_id, known["NEW"].is_active, known["NEW"].pushed_hash) == (9001, True, None)


def test_a_write_is_remembered_with_its_window_and_a_later_read_moves_the_baseline(ledger: Ledger) -> None:
    with ledger.session() as s:
        stock_ledger.record_written(s, "demo", "TENT", 6, sent_at=NOW, answered_at=NOW + timedelta(seconds=1))
    with ledger.session() as s:
        level = stock_ledger.stock_levels(s, "demo")["TENT"]
        assert (level.written_quantity, level.written_at) == (6, NOW + timedelta(seconds=1))
        assert (level.seen_quantity, level.seen_from, level.seen_until) == (6, NOW, NOW + timedelta(seconds=1))

    later = NOW + timedelta(hours=1)
    with ledger.session() as s:
        stock_ledger.record_seen(s, "demo", {"TENT": 4, "SOCK": 120}, seen_from=later,
                                 seen_until=later + timedelta(seconds=5))
    with ledger.session() as s:
        levels = stock_ledger.stock_levels(s, "demo")
        assert (levels["TENT"].seen_quantity, levels["TENT"].seen_from) == (4, later)
        assert levels["TENT"].written_quantity == 6, "what the connector wrote stays on record"
        assert levels["SOCK"].written_quantity is None
        assert set(stock_ledger.stock_levels(s, "demo", ["SOCK"])) == {"SOCK"}
        assert stock_ledger.stock_levels(s, "other") == {}


def test_catalogue_sized_sku_lists_are_read_in_chunks_and_nothing_is_left_out(
        ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    # A whole catalogue in one IN list would pass PostgreSQL's bound-parameter limit, and held as ORM rows at
    # once it took hundreds of MiB; chunks of 3 and 4 stand in.
    monkeypatch.setattr(stock_ledger, "SKUS_PER_QUERY", 3)
    monkeypatch.setattr(stock_ledger, "ROWS_PER_FLUSH", 4)
    skus = [f"SKU-{n}" for n in range(10)]
    with ledger.session() as s:
        stock_ledger.record_seen(s, "demo", {sku: n for n, sku in enumerate(skus)}, seen_from=NOW, seen_until=NOW)
        changed = stock_ledger.index_variants(s, "demo", {sku: VariantPlace(n, 100 + n) for n, sku in enumerate(skus)},
                                              article_ids={sku: 9000 + n for n, sku in enumerate(skus)})
        assert len(s.identity_map) == 0  # each written chunk was let go
    assert changed == 10
    with ledger.session() as s:
        levels = stock_ledger.stock_levels(s, "demo", [*skus, *skus[:4], "UNKNOWN"])
        assert {sku: level.seen_quantity for sku, level in levels.items()} == {sku: n for n, sku in enumerate(skus)}
        assert set(stock_ledger.variant_index(s, "demo")) == set(skus)
