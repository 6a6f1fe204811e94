"""Slots of Prefect global concurrency limits (request budgets, the goods owner's write slot) are taken
through a client that asks a busy Prefect server again after a tenth of a second instead of Prefect's two,
waits as long as a full limit says, and refuses to go on without the limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import certifi
import httpx
import pytest
import respx
from prefect.client.orchestration import PrefectClient
from prefect.concurrency.asyncio import AcquireConcurrencySlotTimeoutError, ConcurrencySlotAcquisitionError
from prefect.settings import (
    PREFECT_API_SSL_CERT_FILE,
    PREFECT_API_TLS_INSECURE_SKIP_VERIFY,
    PREFECT_API_URL,
    PREFECT_CLIENT_CSRF_SUPPORT_ENABLED,
    temporary_settings,
)

from tasks import prefect_slots
from tasks.prefect_slots import holding_slot, take_slots

API = "http://prefect.test/api"
NAME = "ongoing-requests:demo"
LIMIT = {"id": str(uuid4()), "name": NAME, "limit": 20}


@pytest.fixture
def prefect_api() -> Iterator[respx.MockRouter]:
    settings = {PREFECT_API_URL: API, PREFECT_CLIENT_CSRF_SUPPORT_ENABLED: False}
    with temporary_settings(settings), respx.mock(base_url=API, assert_all_called=False) as router:
        yield router


@pytest.fixture(autouse=True)
def no_real_sleeping(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(prefect_slots.asyncio, "sleep", sleep)
    return slept


def busy() -> httpx.Response:
    return httpx.Response(503, json={"exception_message": "Service Unavailable"})


async def test_a_busy_answer_is_asked_again_after_a_tenth_of_a_second() -> None:
    answer = busy()
    await prefect_slots._ask_again_soon_when_busy(answer)
    assert answer.headers["Retry-After"] == "0.1"

    denied = httpx.Response(423, headers={"Retry-After": "3"})
    await prefect_slots._ask_again_soon_when_busy(denied)
    assert denied.headers["Retry-After"] == "3", "a wait the server asked for is kept"


async def test_budget_slots_are_taken_after_busy_and_full_answers(prefect_api: respx.MockRouter,
                                                                   no_real_sleeping: list[float]) -> None:
    increments = prefect_api.post("/v2/concurrency_limits/increment").mock(side_effect=[
        *[busy()] * 6,  # more than Prefect's own client asks again
        httpx.Response(423, headers={"Retry-After": "0.4"}),
        httpx.Response(200, json=[LIMIT]),
    ])
    assert await take_slots(NAME, 5, mode="rate_limit", wait_seconds=60) is None
    assert increments.call_count == 8
    sent = increments.calls.last.request
    assert b'"slots":5' in sent.content.replace(b" ", b"") and b'"rate_limit"' in sent.content
    assert 0.4 in no_real_sleeping, "a full limit is asked again when the server says"


async def test_a_missing_limit_is_an_error_not_a_free_pass(prefect_api: respx.MockRouter) -> None:
    prefect_api.post("/v2/concurrency_limits/increment").mock(return_value=httpx.Response(200, json=[]))
    with pytest.raises(ConcurrencySlotAcquisitionError, match="must be created"):
        await take_slots("starweb-requests:nobody", 1, mode="rate_limit", wait_seconds=60)


async def test_a_limit_that_stays_full_times_out(prefect_api: respx.MockRouter) -> None:
    prefect_api.post("/v2/concurrency_limits/increment").mock(
        return_value=httpx.Response(423, headers={"Retry-After": "1"}))
    with pytest.raises(AcquireConcurrencySlotTimeoutError):
        await take_slots(NAME, 1, mode="rate_limit", wait_seconds=0)


async def test_other_errors_are_not_waited_out(prefect_api: respx.MockRouter) -> None:
    prefect_api.post("/v2/concurrency_limits/increment").mock(return_value=httpx.Response(422, json={}))
    with pytest.raises(httpx.HTTPStatusError):
        await take_slots(NAME, 50, mode="rate_limit", wait_seconds=60)


async def test_the_write_slot_is_leased_and_given_back(prefect_api: respx.MockRouter) -> None:
    lease_id = str(uuid4())
    taken = prefect_api.post("/v2/concurrency_limits/increment-with-lease").mock(side_effect=[
        busy(), httpx.Response(200, json={"lease_id": lease_id, "limits": [LIMIT]})])
    given_back = prefect_api.post("/v2/concurrency_limits/decrement-with-lease").mock(
        return_value=httpx.Response(204))
    async with holding_slot(NAME, lease_seconds=60, wait_seconds=60, holder=None):
        assert not given_back.called
    assert taken.call_count == 2
    assert given_back.call_count == 1 and lease_id.encode() in given_back.calls.last.request.content


async def test_slot_clients_share_one_tls_context_per_ca_file(prefect_api: respx.MockRouter,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # Every vendor request takes a slot through a client of its own; each would load the whole CA bundle.
    given: list[object] = []
    real_get_client = prefect_slots.get_client

    def spy(httpx_settings: dict[str, Any]) -> PrefectClient:
        given.append(httpx_settings["verify"])
        return real_get_client(httpx_settings=httpx_settings)

    monkeypatch.setattr(prefect_slots, "get_client", spy)
    async with prefect_slots.slot_client(), prefect_slots.slot_client():
        pass
    assert len(given) == 2 and given[0] is given[1] is prefect_slots.api_tls_settings()["verify"]


def test_the_slot_clients_verify_the_api_as_prefects_own_client_does(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text(Path(certifi.where()).read_text())
    with temporary_settings({PREFECT_API_SSL_CERT_FILE: str(bundle)}):
        assert prefect_slots.api_tls_settings()["verify"] is prefect_slots._verifying_context(str(bundle))
    with temporary_settings({PREFECT_API_TLS_INSECURE_SKIP_VERIFY: True}):
        assert prefect_slots.api_tls_settings() == {}  # Prefect builds its unverified context itself
