"""Fixtures for the Ongoing client tests: a respx-mocked Ongoing API and a client pointed at it.

Nothing here is autouse, so the simulator tests in this folder are unaffected.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import pytest
import respx

from integrations.http import CircuitBreaker, RetryPolicy
from integrations.ongoing.client import OngoingClient, OngoingSettings
from tests.integrations.ongoing.payloads import GOODS_OWNER_ID

ONGOING_BASE_URL = "https://api.test/demo/api/v1"


@pytest.fixture
def ongoing_settings() -> OngoingSettings:
    return OngoingSettings(base_url=ONGOING_BASE_URL, username="WSI-fjallbutiken", password="s3cret-pass",
                           goods_owner_id=GOODS_OWNER_ID)


@pytest.fixture
def ongoing_api() -> Iterator[respx.MockRouter]:
    """The mocked Ongoing API; routes are relative to the base URL. Unrouted calls fail the test."""
    with respx.mock(base_url=ONGOING_BASE_URL, assert_all_called=False) as router:
        yield router


@pytest.fixture
async def make_ongoing_client(ongoing_settings: OngoingSettings) -> AsyncIterator[Callable[..., OngoingClient]]:
    """Builds clients that never sleep between retries and own a private breaker unless given one."""
    made: list[OngoingClient] = []

    def make(settings: OngoingSettings | None = None, *, breaker: CircuitBreaker | None = None,
             attempts: int = 4) -> OngoingClient:
        client = OngoingClient(settings or ongoing_settings, policy=RetryPolicy.no_wait(max_attempts=attempts),
                               breaker=breaker or CircuitBreaker(failure_threshold=4))
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


@pytest.fixture
def ongoing(make_ongoing_client: Callable[..., OngoingClient], ongoing_api: respx.MockRouter) -> OngoingClient:
    """A client for goods owner 159 talking to the mocked API."""
    return make_ongoing_client()
