"""The simulators' document store keeps state in memory or in a SQLite file that survives restarts."""

from __future__ import annotations

from pathlib import Path

import pytest

from integrations.simulation.store import DocumentStore


def test_documents_round_trip_and_ids_grow_per_kind() -> None:
    store = DocumentStore()
    assert [store.next_id("order", start=1001) for _ in range(3)] == [1001, 1002, 1003]
    assert store.next_id("article") == 1
    store.put("order", 1001, {"orderId": 1001, "items": [{"sku": "A"}]})
    store.put("order", 1002, {"orderId": 1002})
    store.put("order", 1001, {"orderId": 1001, "items": []})
    assert store.get("order", "1001") == {"orderId": 1001, "items": []}
    assert [d["orderId"] for d in store.all("order")] == [1001, 1002]
    assert store.count("order") == 2
    assert store.delete("order", 1002) and not store.delete("order", 1002)
    assert store.get("order", 1002) is None


def test_a_failed_transaction_leaves_nothing_behind() -> None:
    store = DocumentStore()
    store.put("article", "A", {"n": 1})
    with pytest.raises(RuntimeError), store.transaction():
        store.put("article", "A", {"n": 2})
        store.put("article", "B", {"n": 3})
        raise RuntimeError("boom")
    assert store.get("article", "A") == {"n": 1}
    assert store.get("article", "B") is None


def test_file_backed_state_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "sim" / "state.db"
    first = DocumentStore(path)
    first.put("order", 1, {"orderId": 1})
    first.next_id("order")
    first.close()
    second = DocumentStore(path)
    assert second.get("order", 1) == {"orderId": 1}
    assert second.next_id("order") == 2
    second.clear()
    assert second.all("order") == []


def test_an_index_finds_ranges_and_pages_by_position_and_follows_rollbacks() -> None:
    store = DocumentStore()
    store.add_index("order", "status", lambda doc: doc["status"])
    for order_id in range(1, 8):
        store.put("order", order_id, {"id": order_id, "status": 200 if order_id % 2 else 300})
    assert [d["id"] for d in store.find("order", "status", 300)] == [2, 4, 6]
    assert store.keys_at("order", "status", 0, 2) == ["1", "3"]
    assert store.keys_at("order", "status", 0, 2, reverse=True) == ["6", "4"]
    assert store.keys_at("order", "status", 6, 10) == ["6"]
    assert store.count_in("order", "status", low=300, high=300) == 3

    with pytest.raises(RuntimeError), store.transaction():
        store.put("order", 2, {"id": 2, "status": 200})
        store.delete("order", 4)
        assert store.count_in("order", "status", low=300, high=300) == 1
        raise RuntimeError("boom")
    assert [d["id"] for d in store.find("order", "status", 300)] == [2, 4, 6], "the index follows the rollback"
