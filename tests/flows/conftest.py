"""End-to-end flow tests: the session's simulators and Prefect test harness (tests/conftest.py), with a
fresh ledger and a demo merchant pointed at the simulators for every test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

import tasks.runtime
from integrations.http import reset_shared_breakers
from settings import PROJECT_ROOT, get_settings
from swo.simulators import Simulators
from tests.flows.actors import Shop, Warehouse

DEMO_CREDENTIALS = {
    "DEMO_STARWEB_CLIENT_ID": "demo-client",
    "DEMO_STARWEB_CLIENT_SECRET": "demo-secret",
    "DEMO_ONGOING_USERNAME": "demo-api",
    "DEMO_ONGOING_PASSWORD": "demo-password",
}


@dataclass
class World:
    """The demo merchant wired to the simulators, with admin clients for both."""

    sims: Simulators
    starweb: httpx.Client
    ongoing: httpx.Client
    merchants_dir: Path
    merchant_id: str = "demo"


# The demo's request budgets, 10 requests a second per vendor, would make the tests with hundreds of orders
# wait for them most of their time (the 300-shipment first activation: 113 s instead of 24 s). The budgets
# have their own tests (test_request_budgets.py); every other flow test runs with room to spare.
DEMO_RATE = "{per_second: 10, burst: 20}"
TEST_RATE = "{per_second: 1000, burst: 2000}"


@contextmanager
def world_in(simulators: Simulators, directory: Path, patch: pytest.MonkeyPatch) -> Iterator[World]:
    """Fresh simulators, a fresh ledger in ``directory`` and the demo merchant pointed at the simulators."""
    simulators.reset()
    simulators.seed_demo()
    reset_shared_breakers()
    merchants = directory / "merchants"
    merchants.mkdir()
    demo = (PROJECT_ROOT / "deployments" / "merchants" / "demo.yaml").read_text()
    demo = demo.replace("http://127.0.0.1:8801/api/v2", simulators.starweb_api)
    demo = demo.replace("http://127.0.0.1:8802/demo/api/v1", simulators.ongoing_api)
    assert demo.count(DEMO_RATE) == 2, "the demo merchant's request budgets changed: update DEMO_RATE"
    demo = demo.replace(DEMO_RATE, TEST_RATE)
    (merchants / "demo.yaml").write_text(demo)
    patch.setenv("SWO_MERCHANTS_DIR", str(merchants))
    patch.setenv("SWO_LEDGER_URL", f"sqlite:///{directory / 'ledger.db'}")
    for name, value in DEMO_CREDENTIALS.items():
        patch.setenv(name, value)
    get_settings.cache_clear()
    tasks.runtime._ledger_for.cache_clear()
    try:
        with simulators.admin("starweb") as starweb, simulators.admin("ongoing") as ongoing:
            yield World(simulators, starweb, ongoing, merchants)
    finally:
        get_settings.cache_clear()
        tasks.runtime._ledger_for.cache_clear()


@pytest.fixture
def world(prefect_harness: None, simulators: Simulators, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with world_in(simulators, tmp_path, monkeypatch) as fresh:
        yield fresh


@pytest.fixture
def shop(world: World) -> Shop:
    """The demo shop as a merchant's staff and customers use it (Starweb's API)."""
    return Shop(world.sims.starweb_api)


@pytest.fixture
def warehouse(world: World) -> Warehouse:
    """The demo warehouse as its staff and the API see it."""
    return Warehouse(world.ongoing, world.sims.ongoing_api)
