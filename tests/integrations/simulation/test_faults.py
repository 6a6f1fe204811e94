"""Fault injection: reproducible by seed, scriptable per request, never on the admin surface."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from integrations.simulation.faults import FaultConfig, FaultInjector, FaultMiddleware, ScriptedFault, fault_router
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


@pytest.fixture(scope="module")
def server():
    app = FastAPI()
    injector = FaultInjector()
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

    running = serve_in_thread(FaultMiddleware(app, injector, error_body={"default": {"Message": "injected"}}))
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
