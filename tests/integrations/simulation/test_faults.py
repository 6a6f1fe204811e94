"""Fault injection: reproducible by seed, scriptable per request, never on the admin surface."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI, HTTPException

from integrations.simulation.faults import (
    ACTOR_HEADER,
    RANDOM_KINDS,
    FaultConfig,
    FaultInjector,
    FaultMiddleware,
    ScriptedFault,
    fault_router,
)
from integrations.simulation.lockout import endpoint_of
from integrations.simulation.server import serve_in_thread


def draw(injector: FaultInjector, n: int) -> list[str | None]:
    return [injector.choose("GET", "/api/v2/orders") for _ in range(n)]


def test_the_same_seed_gives_the_same_fault_sequence() -> None:
    injector = FaultInjector()
    config = FaultConfig(rate_429=0.2, rate_500=0.2, rate_drop=0.1, seed=7)
    injector.configure(config)
    first = draw(injector, 200)
    injector.configure(config)
    assert draw(injector, 200) == first
    counts = {kind: first.count(kind) for kind in ("429", "500", "drop")}
    assert 20 <= counts["429"] <= 60 and 20 <= counts["500"] <= 60 and 5 <= counts["drop"] <= 40


def test_scripted_faults_hit_only_matching_requests_and_only_as_often_as_asked() -> None:
    injector = FaultInjector()
    injector.configure(FaultConfig(scripted=[ScriptedFault(fault="500", method="PATCH", path_contains="orderStatus",
                                                           times=2)]))
    assert injector.choose("GET", "/demo/api/v1/orders/5") is None
    assert injector.choose("PATCH", "/demo/api/v1/orders/5/orderStatus") == "500"
    assert injector.choose("PATCH", "/demo/api/v1/orders/6/orderStatus") == "500"
    assert injector.choose("PATCH", "/demo/api/v1/orders/7/orderStatus") is None


def test_every_kind_is_drawn_at_its_rate_and_reproduced_by_its_seed() -> None:
    injector = FaultInjector()
    config = FaultConfig.spread(0.9, seed=11)
    injector.configure(config)
    first = [injector.choose("PUT", "/demo/api/v1/orders", bearer=True) for _ in range(3000)]
    injector.configure(config)
    assert [injector.choose("PUT", "/demo/api/v1/orders", bearer=True) for _ in range(3000)] == first
    for kind in RANDOM_KINDS:
        assert 200 <= first.count(kind) <= 400, kind  # 10 % each of 3000
    injector.configure(FaultConfig.spread(0.5, seed=12))
    assert [injector.choose("GET", "/api/v2/orders", bearer=True) for _ in range(500)] != first[:500]


def test_a_token_can_only_be_refused_on_requests_that_carry_one() -> None:
    injector = FaultInjector()
    injector.configure(FaultConfig(rate_invalid_token=1.0, seed=1))
    assert injector.choose("GET", "/demo/api/v1/orders") is None, "Basic auth has no token to expire"
    assert injector.choose("GET", "/api/v2/orders", "page=2", bearer=True) == "invalid_token"


def test_scripted_faults_can_aim_at_one_page_of_a_list() -> None:
    injector = FaultInjector()
    injector.configure(FaultConfig(scripted=[ScriptedFault(fault="invalid_token", query_contains="page=2")]))
    assert injector.choose("GET", "/api/v2/orders", "page=1&sortBy=modifiedAt", bearer=True) is None
    assert injector.choose("GET", "/api/v2/orders", "page=2&sortBy=modifiedAt", bearer=True) == "invalid_token"
    assert injector.choose("GET", "/api/v2/orders", "page=2&sortBy=modifiedAt", bearer=True) is None


def test_an_api_method_is_named_without_the_ids_in_its_path() -> None:
    assert endpoint_of("patch", "/demo/api/v1/orders/17/orderStatus") == "PATCH /demo/api/v1/orders/{id}/orderStatus"
    assert endpoint_of("GET", "/api/v2/orders/1042") == "GET /api/v2/orders/{id}"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def server(clock: FakeClock):
    app = FastAPI()
    injector = FaultInjector(clock=clock)
    revoked: list[str] = []
    app.state.revoked = revoked
    app.include_router(fault_router(injector))
    things: list[str] = []

    @app.get("/api/thing")
    def thing() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/api/things")
    def add_thing() -> dict[str, int]:
        things.append("thing")
        return {"count": len(things)}

    @app.get("/api/things")
    def count_things() -> dict[str, int]:
        return {"count": len(things)}

    @app.get("/api/refused")
    def refused() -> None:
        raise HTTPException(400, "refused")

    bodies = {"default": {"Message": "injected"}, "401": {"error": "invalid_token"}, "lockout": {"Message": "locked"}}
    running = serve_in_thread(FaultMiddleware(app, injector, error_body=bodies, revoke_token=revoked.append))
    running.revoked = revoked  # type: ignore[attr-defined]
    yield running
    running.stop()


def test_faults_reach_vendor_paths_over_http_but_not_the_admin_surface(server) -> None:
    with httpx.Client(base_url=server.root_url, timeout=5) as http:
        http.post("/_sim/faults", json={"scripted": [{"fault": "429", "times": 1}]}).raise_for_status()
        limited = http.get("/api/thing")
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "1"
        assert limited.json() == {"Message": "injected"}
        assert http.get("/api/thing").json() == {"ok": True}

        http.post("/_sim/faults", json={"rate_500": 1.0}).raise_for_status()
        assert http.get("/api/thing").status_code == 500
        assert http.get("/_sim/faults").status_code == 200, "admin routes are never faulted"
        http.delete("/_sim/faults").raise_for_status()


def test_a_dropped_connection_is_seen_by_the_client_as_a_protocol_error(server) -> None:
    with httpx.Client(base_url=server.root_url, timeout=5) as http:
        http.post("/_sim/faults", json={"scripted": [{"fault": "drop"}]}).raise_for_status()
        with pytest.raises(httpx.RemoteProtocolError):
            http.get("/api/thing")
        assert http.get("/api/thing").status_code == 200


def test_a_timeout_fault_outlasts_the_client(server) -> None:
    with httpx.Client(base_url=server.root_url, timeout=0.3) as http:
        http.post("/_sim/faults", json={"timeout_seconds": 1.0, "scripted": [{"fault": "timeout"}]}).raise_for_status()
        with pytest.raises(httpx.ReadTimeout):
            http.get("/api/thing")
        http.delete("/_sim/faults").raise_for_status()


def test_a_lost_answer_drops_the_connection_after_the_write_landed(server) -> None:
    with httpx.Client(base_url=server.root_url, timeout=5) as http:
        before = http.get("/api/things").json()["count"]
        http.post("/_sim/faults", json={"scripted": [{"fault": "lost_answer", "method": "POST"}]}).raise_for_status()
        with pytest.raises(httpx.RemoteProtocolError):
            http.post("/api/things")
        assert http.get("/api/things").json()["count"] == before + 1, "the write landed"
        assert http.post("/api/things").json()["count"] == before + 2


def test_a_slow_answer_arrives_after_the_client_gave_up_and_the_write_landed(server) -> None:
    with httpx.Client(base_url=server.root_url, timeout=0.3) as http:
        before = http.get("/api/things").json()["count"]
        http.post("/_sim/faults", json={"timeout_seconds": 1.0, "scripted": [{"fault": "slow_answer"}]}
                  ).raise_for_status()
        with pytest.raises(httpx.ReadTimeout):
            http.post("/api/things")
        assert http.get("/api/things").json()["count"] == before + 1, "the write landed"
        http.delete("/_sim/faults").raise_for_status()


def test_truncated_json_is_a_complete_http_answer_whose_body_is_cut_off(server) -> None:
    with httpx.Client(base_url=server.root_url, timeout=5) as http:
        before = http.get("/api/things").json()["count"]
        http.post("/_sim/faults", json={"scripted": [{"fault": "truncated_json", "method": "POST"}]}
                  ).raise_for_status()
        answer = http.post("/api/things")
        assert answer.status_code == 200
        assert int(answer.headers["content-length"]) == len(answer.content) > 0
        with pytest.raises(ValueError):
            answer.json()
        assert http.get("/api/things").json()["count"] == before + 1, "the write landed"


def test_an_html_error_page_comes_instead_of_json(server) -> None:
    with httpx.Client(base_url=server.root_url, timeout=5) as http:
        http.post("/_sim/faults", json={"html_error_status": 503, "scripted": [{"fault": "html_error"}]}
                  ).raise_for_status()
        answer = http.get("/api/thing")
        assert answer.status_code == 503
        assert answer.headers["content-type"].startswith("text/html")
        assert answer.text.startswith("<!DOCTYPE html>") and "<title>Service Unavailable</title>" in answer.text


def test_an_invalid_token_fault_refuses_the_bearer_and_revokes_it(server) -> None:
    with httpx.Client(base_url=server.root_url, timeout=5) as http:
        http.post("/_sim/faults", json={"scripted": [{"fault": "invalid_token", "query_contains": "page=2"}]}
                  ).raise_for_status()
        bearer = {"Authorization": "Bearer tok-123"}
        assert http.get("/api/thing", params={"page": 1}, headers=bearer).status_code == 200
        refused = http.get("/api/thing", params={"page": 2}, headers=bearer)
        assert (refused.status_code, refused.json()) == (401, {"error": "invalid_token"})
        assert refused.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
        assert server.revoked == ["tok-123"]


def test_actors_are_never_faulted_nor_counted(server) -> None:
    with httpx.Client(base_url=server.root_url, timeout=5) as http:
        http.post("/_sim/faults", json={"rate_500": 1.0}).raise_for_status()
        assert http.get("/api/thing", headers={ACTOR_HEADER: "shopper"}).status_code == 200
        assert http.get("/api/thing").status_code == 500
        assert http.get("/_sim/faults").json()["calls"] == 1
        http.delete("/_sim/faults").raise_for_status()


def test_consecutive_failed_calls_lock_the_client_out_for_a_while(server, clock: FakeClock) -> None:
    with httpx.Client(base_url=server.root_url, timeout=5, auth=("api-user", "secret")) as http:
        http.post("/_sim/faults", json={"lockout_after_failures": 3, "lockout_window_seconds": 600,
                                        "lockout_seconds": 300}).raise_for_status()
        for _ in range(2):
            assert http.get("/api/refused").status_code == 400
        assert http.get("/api/thing").status_code == 200, "a success starts the count again"
        for _ in range(2):
            assert http.get("/api/refused").status_code == 400
        clock.now += 601  # failures older than the window no longer count
        for _ in range(2):
            assert http.get("/api/refused").status_code == 400
        assert http.get("/api/thing").status_code == 200
        for _ in range(3):
            assert http.get("/api/refused").status_code == 400
        locked = http.get("/api/thing")
        assert (locked.status_code, locked.json()) == (403, {"Message": "locked"}), "every method, scope 'client'"
        other = httpx.get(f"{server.root_url}/api/thing", auth=("another-user", "secret"))
        assert other.status_code == 200, "only the failing client is locked out"
        report = http.get("/_sim/faults").json()
        assert [(lo["endpoint"], lo["seconds"]) for lo in report["lockouts"]] == [(None, 300)]
        clock.now += 301
        assert http.get("/api/thing").status_code == 200
        http.delete("/_sim/faults").raise_for_status()


def test_a_lockout_per_method_leaves_the_other_methods_open(server, clock: FakeClock) -> None:
    with httpx.Client(base_url=server.root_url, timeout=5, auth=("api-user", "secret")) as http:
        http.post("/_sim/faults", json={"lockout_after_failures": 2, "lockout_scope": "method",
                                        "scripted": [{"fault": "500", "method": "POST", "times": 2}]}
                  ).raise_for_status()
        assert [http.post("/api/things").status_code for _ in range(3)] == [500, 500, 403]
        assert http.get("/api/thing").status_code == 200
        assert http.get("/_sim/faults").json()["lockouts"][0]["endpoint"] == "POST /api/things"
        clock.now += 601
        http.delete("/_sim/faults").raise_for_status()
