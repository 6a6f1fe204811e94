"""The Ongoing simulator's access rules, error shape, write serialisation and persistence, over HTTP."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from integrations.ongoing.simulator import OngoingSimSettings

if TYPE_CHECKING:
    from tests.integrations.ongoing.sim_fixtures import OngoingSim

pytest_plugins = ["tests.integrations.ongoing.sim_fixtures"]

DENIED = {"Message": "Authorization has been denied for this request."}


@pytest.mark.parametrize("auth", [None, ("demo-api", "wrong"), ("someone", "demo-password")])
def test_missing_or_wrong_credentials_are_denied_with_ongoings_message(sim: OngoingSim, auth) -> None:
    response = httpx.get(f"{sim.api_url}/articles", params={"goodsOwnerId": sim.goods_owner_id}, auth=auth)
    assert response.status_code == 401
    assert response.json() == DENIED


def test_a_malformed_authorization_header_is_denied(sim: OngoingSim) -> None:
    response = httpx.get(f"{sim.api_url}/orders/statuses", headers={"Authorization": "Basic not-base64!"})
    assert response.status_code == 401
    assert response.json() == DENIED


def test_another_warehouse_name_in_the_url_finds_nothing(sim: OngoingSim) -> None:
    response = sim.api.get(f"{sim.server.root_url}/otherwarehouse/api/v1/orders/statuses")
    assert response.status_code == 404
    assert "No HTTP resource was found" in response.json()["Message"]


def test_another_goods_owner_is_denied_on_reads_and_writes(sim: OngoingSim) -> None:
    read = sim.api.get("/articles", params={"goodsOwnerId": 99})
    write = sim.api.put("/orders", json=sim.order_body("FJ-1", [("TENT-FJ2", 1)]) | {"goodsOwnerId": 99})
    assert (read.status_code, read.json()) == (401, DENIED)
    assert (write.status_code, write.json()) == (401, DENIED)
    assert sim.api.get("/orders", params={"goodsOwnerId": sim.goods_owner_id}).json() == []


def test_a_missing_goods_owner_parameter_is_refused_naming_it(sim: OngoingSim) -> None:
    response = sim.api.get("/orders")
    assert response.status_code == 400
    assert "goodsOwnerId is required" in response.json()["Message"]


def test_missing_required_body_members_are_refused_naming_them(sim: OngoingSim) -> None:
    payload = sim.order_body("FJ-1", [("TENT-FJ2", 1)])
    del payload["orderLines"][0]["articleNumber"]
    del payload["deliveryDate"]
    response = sim.api.put("/orders", json=payload)
    assert response.status_code == 400
    message = response.json()["Message"]
    assert "orderLines[0].articleNumber is required" in message
    assert "deliveryDate is required" in message


def test_injected_faults_answer_in_ongoings_error_shape_but_spare_the_admin_surface(sim: OngoingSim) -> None:
    sim.admin.post("/_sim/faults", json={"retry_after_seconds": 2, "scripted": [
        {"fault": "429", "path_contains": "/orders"}, {"fault": "500", "path_contains": "/orders"}]})
    limited = sim.api.get("/orders/statuses")
    failed = sim.api.get("/orders/statuses")
    assert (limited.status_code, limited.headers["Retry-After"], limited.json()["Message"]) == (
        429, "2", "Too many requests. Please slow down.")
    assert (failed.status_code, failed.json()) == (500, {"Message": "An error has occurred."})
    assert sim.api.get("/orders/statuses").status_code == 200


def _put_orders_concurrently(simulator: OngoingSim, count: int) -> list[tuple[float, httpx.Response]]:
    auth = (simulator.settings.username, simulator.settings.password.get_secret_value())

    def put(index: int) -> tuple[float, httpx.Response]:
        response = httpx.put(f"{simulator.api_url}/orders", auth=auth, timeout=30,
                             json=simulator.order_body(f"PAR-{index}", [("THERMOS-1L", 1)]))
        return time.monotonic(), response

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(put, range(count)))


def test_overlapping_writes_are_processed_one_after_another_while_reads_go_through(start_ongoing_sim) -> None:
    settings = OngoingSimSettings(write_processing_seconds=0.3)
    with start_ongoing_sim(settings) as simulator:
        simulator.reset()
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=1) as reader:
            time.sleep(0.05)
            read = reader.submit(lambda: (simulator.api.get("/orders/statuses"), time.monotonic()))
            results = _put_orders_concurrently(simulator, 3)
            read_response, read_done = read.result()
        finished = sorted(done - started for done, _ in results)
        assert all(response.status_code == 201 for _, response in results)
        assert finished[0] >= 0.28 and finished[1] - finished[0] >= 0.25 and finished[2] - finished[1] >= 0.25
        assert read_response.status_code == 200 and read_done - started < 0.3
        assert len(simulator.api.get("/orders", params={"goodsOwnerId": simulator.goods_owner_id}).json()) == 3


def test_overlapping_api_writes_are_counted_per_goods_owner(start_ongoing_sim) -> None:
    settings = OngoingSimSettings(write_processing_seconds=0.2)
    with start_ongoing_sim(settings) as simulator:
        simulator.reset()
        simulator.warehouse("articles/TENT-FJ2/stock", {"delta": 1})  # warehouse staff: not an API write
        one_by_one = [simulator.put_order(f"FJ-{n}", [("TENT-FJ2", 1)]) for n in (1, 2)]
        assert [r.status_code for r in one_by_one] == [201, 201]
        assert simulator.admin.get("/_sim/writes").json() == {
            "goodsOwners": {"1": {"writes": 2, "overlaps": 0, "maxInFlight": 1, "inFlight": 0}}}

        _put_orders_concurrently(simulator, 3)
        parallel = simulator.admin.get("/_sim/writes").json()["goodsOwners"]["1"]
        assert (parallel["writes"], parallel["overlaps"], parallel["inFlight"]) == (5, 2, 0)
        assert parallel["maxInFlight"] == 3

        assert simulator.admin.delete("/_sim/writes").json()["goodsOwners"]["1"]["writes"] == 0
        simulator.admin.post("/_sim/reset").raise_for_status()
        assert simulator.admin.get("/_sim/writes").json()["goodsOwners"]["1"]["overlaps"] == 0


@pytest.mark.parametrize("status", [401, 403])
def test_the_answer_to_another_goods_owner_is_a_setting(start_ongoing_sim, status: int) -> None:
    with start_ongoing_sim(OngoingSimSettings(foreign_goods_owner_status=status)) as simulator:
        simulator.reset()
        read = simulator.api.get("/articles", params={"goodsOwnerId": 99})
        assert (read.status_code, read.json()) == (status, DENIED)
        assert simulator.api.get("/orders/statuses").status_code == 200, "requests without a goods owner pass"


def test_a_write_that_waits_too_long_for_its_turn_fails_like_ongoings_timeout(start_ongoing_sim) -> None:
    settings = OngoingSimSettings(write_processing_seconds=0.6, parallel_write_timeout_seconds=0.2)
    with start_ongoing_sim(settings) as simulator:
        simulator.reset()
        responses = sorted((response for _, response in _put_orders_concurrently(simulator, 2)),
                           key=lambda response: response.status_code)
        assert [response.status_code for response in responses] == [201, 500]
        assert responses[1].json() == {"Message": "An error has occurred."}
        assert len(simulator.api.get("/orders", params={"goodsOwnerId": simulator.goods_owner_id}).json()) == 1


def test_state_survives_a_restart_when_a_state_path_is_set(tmp_path: Path, start_ongoing_sim) -> None:
    settings = OngoingSimSettings(state_path=tmp_path / "ongoing.db")
    with start_ongoing_sim(settings) as first:
        first.reset()
        first_id = first.put_order("FJ-100", [("TENT-FJ2", 2)]).json()["orderId"]
    with start_ongoing_sim(settings) as second:
        kept = second.order(first_id)
        assert kept["orderInfo"]["orderNumber"] == "FJ-100"
        assert second.inventory("TENT-FJ2")["numberOfBookedItems"] == 2
        assert second.put_order("FJ-101", [("TENT-FJ2", 1)]).json()["orderId"] > first_id
