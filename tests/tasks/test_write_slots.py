"""The name of a goods owner's Ongoing write limit: one per warehouse and goods owner, readable in the
Prefect UI, and valid as a Prefect name (no slash)."""

from __future__ import annotations

import pytest

from tasks.write_slots import write_limit_name


@pytest.mark.parametrize(("base_url", "goods_owner_id", "name"), [
    ("https://api.ongoingsystems.se/fjallbutiken/api/v1", 159,
     "ongoing-writes:api.ongoingsystems.se:fjallbutiken:goods-owner-159"),
    ("http://127.0.0.1:8802/demo/api/v1/", 1, "ongoing-writes:127.0.0.1:8802:demo:goods-owner-1"),
])
def test_one_limit_per_warehouse_and_goods_owner(base_url: str, goods_owner_id: int, name: str) -> None:
    assert write_limit_name(base_url, goods_owner_id) == name
    assert "/" not in name


def test_goods_owners_and_warehouses_do_not_share_a_limit() -> None:
    names = {write_limit_name("https://api.ongoingsystems.se/a/api/v1", 1),
             write_limit_name("https://api.ongoingsystems.se/a/api/v1", 2),
             write_limit_name("https://api.ongoingsystems.se/b/api/v1", 1)}
    assert len(names) == 3
