"""Articles in the Ongoing simulator: upsert by number, id-cursor paging, filters, stock figures, seeding."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.integrations.ongoing.sim_fixtures import OngoingSim

pytest_plugins = ["tests.integrations.ongoing.sim_fixtures"]


def after_a_tick() -> str:
    """A time strictly after everything so far: the simulator compares times at millisecond precision."""
    time.sleep(0.005)
    return datetime.now(UTC).isoformat()

DEMO_SKUS = ["POLE-CF-120", "POLE-CF-135", "SOCK-MER-38", "SOCK-MER-42", "SOCK-MER-46", "THERMOS-1L",
             "HEADLAMP-400", "TENT-FJ2"]


def article_body(sim: OngoingSim, number: str, **members) -> dict:
    return {"goodsOwnerId": sim.goods_owner_id, "articleNumber": number, **members}


def articles(sim: OngoingSim, **params) -> list[dict]:
    response = sim.api.get("/articles", params={"goodsOwnerId": sim.goods_owner_id, **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_putting_the_same_article_number_twice_updates_one_article(sim: OngoingSim) -> None:
    first = sim.api.put("/articles", json=article_body(sim, "CAP-1", articleName="Mössa", weight="0.1",
                                                         barCodeInfo={"barCode": "7350001009999"}))
    second = sim.api.put("/articles", json=article_body(sim, "CAP-1", articleName="Mössa ull"))
    assert first.status_code == second.status_code == 200
    assert first.json()["articleSystemId"] == second.json()["articleSystemId"]
    assert "CAP-1" in second.json()["message"]
    (stored,) = articles(sim, articleNumber="CAP-1")
    assert stored["articleName"] == "Mössa ull"
    assert stored["weight"] == 0.1  # numbers sent as strings are accepted; unsent members are kept
    assert stored["barCodeInfo"]["barCode"] == "7350001009999"


def test_an_article_read_has_every_v57_member_with_nulls_for_absent_ones(sim: OngoingSim) -> None:
    (tent,) = articles(sim, articleNumber="TENT-FJ2")
    assert tent["goodsOwner"] == {"id": sim.goods_owner_id, "name": "Fjällbutiken"}
    assert tent["description"] is None and tent["articleGroup"] is None and tent["classes"] is None
    assert tent["inventoryInfo"]["numberOfItems"] == 6
    assert tent["inventoryInfo"]["sellableNumberOfItems"] == 6
    assert set(tent["inventoryInfo"]["reported"]) == {
        "pickedToBeReportedNumberOfItems", "returnedToBeReportedNumberOfItems", "receivedToBeReportedNumberOfItems"}
    assert sim.api.get(f"/articles/{tent['articleSystemId']}").json() == tent


def test_articles_page_by_system_id_cursor_in_ascending_order(sim: OngoingSim) -> None:
    seen, cursor = [], 0
    while True:
        page = articles(sim, articleSystemIdFrom=cursor, maxArticlesToGet=3)
        if not page:
            break
        ids = [a["articleSystemId"] for a in page]
        assert ids == sorted(ids) and ids[0] >= cursor
        seen += [a["articleNumber"] for a in page]
        cursor = ids[-1] + 1
        if len(page) < 3:
            break
    assert seen == DEMO_SKUS
    assert len(articles(sim)) == len(DEMO_SKUS)  # no max: everything at once


def test_article_numbers_are_repeated_keys_and_a_comma_joined_value_matches_nothing(sim: OngoingSim) -> None:
    found = articles(sim, articleNumbers=["THERMOS-1L", "TENT-FJ2"])
    assert {a["articleNumber"] for a in found} == {"THERMOS-1L", "TENT-FJ2"}
    assert articles(sim, articleNumbers="THERMOS-1L,TENT-FJ2") == []


def test_stock_info_changed_from_older_than_24_hours_is_refused(sim: OngoingSim) -> None:
    too_old = (datetime.now(UTC) - timedelta(hours=25)).isoformat()
    response = sim.api.get("/articles", params={"goodsOwnerId": sim.goods_owner_id, "stockInfoChangedFrom": too_old})
    assert response.status_code == 400
    assert "within 24 hours" in response.json()["Message"]


def test_stock_info_changed_from_returns_only_articles_whose_figures_moved(sim: OngoingSim) -> None:
    mark = after_a_tick()
    sim.put_order("FJ-1", [("THERMOS-1L", 2)])
    sim.warehouse("articles/TENT-FJ2/stock", {"delta": 4})
    sim.api.put("/articles", json=article_body(sim, "POLE-CF-120", articleName="Renamed"))  # master data only
    changed = {a["articleNumber"] for a in articles(sim, stockInfoChangedFrom=mark)}
    assert changed == {"THERMOS-1L", "TENT-FJ2"}
    updated = {a["articleNumber"] for a in articles(sim, articleDataLastUpdatedFrom=mark)}
    assert updated == {"POLE-CF-120"}


def test_only_articles_in_stock_leaves_out_empty_ones(sim: OngoingSim) -> None:
    in_stock = {a["articleNumber"] for a in articles(sim, onlyArticlesInStock="true")}
    assert "SOCK-MER-46" not in in_stock and "TENT-FJ2" in in_stock


def test_inventory_per_warehouse_reports_the_single_demo_warehouse(sim: OngoingSim) -> None:
    response = sim.api.get("/articles/inventoryPerWarehouse",
                           params={"goodsOwnerId": sim.goods_owner_id, "articleNumbers": ["HEADLAMP-400"]})
    (row,) = response.json()
    (per_warehouse,) = row["inventoryPerWarehouse"]
    assert row["articleNumber"] == "HEADLAMP-400"
    assert per_warehouse["numberOfItems"] == 3 and per_warehouse["sellableNumberOfItems"] == 3


def test_articles_cannot_be_deleted(sim: OngoingSim) -> None:
    (tent,) = articles(sim, articleNumber="TENT-FJ2")
    response = sim.api.delete(f"/articles/{tent['articleSystemId']}")
    assert response.status_code == 405
    assert "does not support http method 'DELETE'" in response.json()["Message"]


def test_put_by_system_id_updates_and_an_unknown_id_is_not_found(sim: OngoingSim) -> None:
    (tent,) = articles(sim, articleNumber="TENT-FJ2")
    updated = sim.api.put(f"/articles/{tent['articleSystemId']}", json=article_body(sim, "TENT-FJ2", isActive=False))
    assert updated.json()["articleSystemId"] == tent["articleSystemId"]
    assert articles(sim, articleNumber="TENT-FJ2")[0]["isActive"] is False
    assert sim.api.put("/articles/1", json=article_body(sim, "X")).status_code == 404
    assert sim.api.get("/articles/1").status_code == 404


def test_warehouse_stock_taking_sets_or_adjusts_physical_stock(sim: OngoingSim) -> None:
    assert sim.warehouse("articles/HEADLAMP-400/stock", {"numberOfItems": 10})["inventoryInfo"]["numberOfItems"] == 10
    assert sim.warehouse("articles/HEADLAMP-400/stock", {"delta": -4})["inventoryInfo"]["numberOfItems"] == 6
    assert sim.admin.post("/_sim/articles/NOPE/stock", json={"delta": 1}).status_code == 404
    assert sim.admin.post("/_sim/articles/HEADLAMP-400/stock", json={"delta": -7}).status_code == 400


def test_seeding_twice_changes_nothing(sim: OngoingSim) -> None:
    before = articles(sim)
    sim.warehouse("articles/TENT-FJ2/stock", {"numberOfItems": 1})
    answer = sim.warehouse("seed", {"articles": True})
    after = articles(sim)
    assert answer["articlesCreated"] == 0 and answer["articles"] == len(DEMO_SKUS)
    assert [a["articleSystemId"] for a in after] == [a["articleSystemId"] for a in before]
    assert next(a for a in after if a["articleNumber"] == "TENT-FJ2")["inventoryInfo"]["numberOfItems"] == 1
    contracts = sim.api.get("/transporterContracts", params={"goodsOwnerId": sim.goods_owner_id}).json()
    assert [c["transporterCode"] for c in contracts] == ["SBTL", "PLAB"]


def test_seeding_without_articles_installs_only_the_registers(sim: OngoingSim) -> None:
    sim.reset(articles=False)
    assert articles(sim) == []
    statuses = sim.api.get("/orders/statuses").json()["orderStatuses"]
    assert {"number": 211, "text": "Öppen-Restad"} in statuses
