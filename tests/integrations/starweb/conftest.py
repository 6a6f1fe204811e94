"""Fixtures for the Starweb client tests: a mocked shop (respx), a movable clock and the client."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx

from integrations.http import CircuitBreaker, RetryPolicy
from integrations.starweb.client import StarwebClient, StarwebSettings
from tests.integrations.starweb import payloads

BASE_URL = "https://shop.test/api/v2"
CLIENT_ID = "connector-test"
CLIENT_SECRET = "very-secret-value-0451"
SETTINGS = StarwebSettings(base_url=BASE_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)


class FakeClock:
    """Monotonic seconds that only move when a test says so."""

    def __init__(self) -> None:
        self.now = 10_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def sent_json(route: respx.Route, call: int = -1) -> Any:
    """The JSON body of one request a route received (the last by default)."""
    return json.loads(route.calls[call].request.content)


def make_client(router: respx.MockRouter, **options: Any) -> StarwebClient:
    options.setdefault("policy", RetryPolicy.no_wait())
    options.setdefault("breaker", CircuitBreaker(failure_threshold=50))
    return StarwebClient(SETTINGS, transport=httpx.MockTransport(router.async_handler), **options)


@pytest.fixture
def starweb() -> respx.MockRouter:
    """The mocked shop; every test gets a working token endpoint (named ``token``) to start with."""
    router = respx.MockRouter(base_url=BASE_URL, assert_all_called=False)
    router.post("/token", name="token").mock(return_value=httpx.Response(200, json=payloads.token()))
    return router


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def breaker(clock: FakeClock) -> CircuitBreaker:
    return CircuitBreaker(failure_threshold=8, reset_after=60, clock=clock)


@pytest.fixture
async def client(starweb: respx.MockRouter, clock: FakeClock, breaker: CircuitBreaker) -> AsyncIterator[StarwebClient]:
    async with make_client(starweb, clock=clock, breaker=breaker) as shop:
        yield shop


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every delay the retry policy asked for, without actually waiting it out."""
    real_sleep = asyncio.sleep
    delays: list[float] = []
    test_thread = threading.current_thread()

    async def record(delay: float, result: Any = None) -> Any:
        if threading.current_thread() is not test_thread:  # servers other tests left running tick on
            return await real_sleep(delay, result)
        delays.append(delay)
        return await real_sleep(0, result)

    monkeypatch.setattr(asyncio, "sleep", record)
    return delays
