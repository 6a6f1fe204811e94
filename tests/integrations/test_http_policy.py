"""The shared HTTP policy: what is retried, what is not, how errors are classified, and the breaker."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from integrations.breaker import BreakerState, MemoryBreakerStore
from integrations.errors import (
    AuthenticationFailed,
    CircuitOpen,
    ConnectionLost,
    NotFound,
    RateLimited,
    RefusedByVendor,
    VendorTimeout,
    VendorUnavailable,
)
from integrations.http import (
    CircuitBreaker,
    RetryPolicy,
    Throttle,
    VendorHttp,
    json_message,
    one_certificate_bundle,
    parse_retry_after,
    tls_context,
)

Handler = Callable[[httpx.Request], httpx.Response]


def scripted(*outcomes: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    """A transport handler that plays the outcomes in order and records every request it saw."""
    seen: list[httpx.Request] = []
    queue = list(outcomes)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        outcome = queue.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return handle, seen


def vendor_http(handler: Handler, *, breaker: CircuitBreaker | None = None, attempts: int = 4,
                throttle: Throttle | None = None) -> VendorHttp:
    return VendorHttp(
        "ongoing",
        "https://api.test/demo/api/v1",
        message_of=json_message("Message"),
        transport=httpx.MockTransport(handler),
        policy=RetryPolicy.no_wait(max_attempts=attempts),
        breaker=breaker or CircuitBreaker(failure_threshold=50),
        throttle=throttle,
    )


def fail(status: int, message: str = "nope", headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"Message": message}, headers=headers)


OK = httpx.Response(200, json={"ok": True})


@pytest.mark.parametrize("status", [429, 502, 503, 504])
async def test_transient_statuses_are_retried_until_success(status: int) -> None:
    handler, seen = scripted(fail(status, headers={"Retry-After": "0"}), fail(status), OK)
    response = await vendor_http(handler).request("GET", "/orders")
    assert response.json() == {"ok": True}
    assert len(seen) == 3


async def test_exhausted_retries_raise_the_last_error_with_vendor_details() -> None:
    handler, seen = scripted(*[fail(503, "Service busy")] * 4)
    with pytest.raises(VendorUnavailable) as caught:
        await vendor_http(handler).request("GET", "/orders", endpoint="GET /orders")
    assert len(seen) == 4
    error = caught.value
    assert (error.vendor, error.status, error.endpoint, error.vendor_message) == (
        "ongoing", 503, "GET /orders", "Service busy")
    assert error.retryable


@pytest.mark.parametrize(
    ("status", "error_class"),
    [(400, RefusedByVendor), (401, AuthenticationFailed), (403, AuthenticationFailed), (404, NotFound),
     (409, RefusedByVendor), (422, RefusedByVendor), (500, VendorUnavailable)],
)
async def test_refusals_and_plain_500_are_not_retried(status: int, error_class: type[Exception]) -> None:
    handler, seen = scripted(fail(status, "Order is locked"), OK)
    with pytest.raises(error_class) as caught:
        await vendor_http(handler).request("PUT", "/orders", json={})
    assert len(seen) == 1
    assert "Order is locked" in str(caught.value)


async def test_retry_after_longer_than_the_policy_allows_is_handed_to_the_caller() -> None:
    handler, seen = scripted(fail(429, headers={"Retry-After": "3600"}), OK)
    with pytest.raises(RateLimited) as caught:
        await vendor_http(handler).request("GET", "/articles")
    assert len(seen) == 1
    assert caught.value.retry_after == 3600


async def test_timeouts_and_dropped_connections_are_retried_for_idempotent_calls() -> None:
    handler, seen = scripted(httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("peer closed"), OK)
    response = await vendor_http(handler).request("PUT", "/articles", json={"articleNumber": "A"})
    assert response.status_code == 200
    assert len(seen) == 3


async def test_post_is_not_resent_after_an_ambiguous_timeout() -> None:
    handler, seen = scripted(httpx.ReadTimeout("slow"), OK)
    with pytest.raises(VendorTimeout):
        await vendor_http(handler).request("POST", "/orders/1/comments", json={"text": "hi"})
    assert len(seen) == 1


async def test_post_is_resent_when_the_request_never_left() -> None:
    handler, seen = scripted(httpx.ConnectError("refused"), OK)
    response = await vendor_http(handler).request("POST", "/orders/1/comments", json={"text": "hi"})
    assert response.status_code == 200
    assert len(seen) == 2


async def test_dropped_connection_on_every_attempt_becomes_connection_lost() -> None:
    handler, _ = scripted(*[httpx.RemoteProtocolError("peer closed")] * 4)
    with pytest.raises(ConnectionLost) as caught:
        await vendor_http(handler).request("GET", "/orders")
    assert caught.value.retryable


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_breaker_opens_after_consecutive_failures_and_stops_calling() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=3, reset_after=60, clock=clock)
    handler, seen = scripted(*[fail(500)] * 3, OK)
    client = vendor_http(handler, breaker=breaker)
    for _ in range(3):
        with pytest.raises(VendorUnavailable):
            await client.request("PUT", "/orders", json={})
    with pytest.raises(CircuitOpen) as caught:
        await client.request("GET", "/orders")
    assert len(seen) == 3, "no request may reach the vendor while the circuit is open"
    assert caught.value.retry_after == pytest.approx(60)

    clock.now += 61
    response = await client.request("GET", "/orders")
    assert response.status_code == 200
    assert not breaker.is_open


async def test_breaker_reopens_when_the_trial_call_fails() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=2, reset_after=10, clock=clock)
    handler, seen = scripted(fail(500), fail(500), fail(500))
    client = vendor_http(handler, breaker=breaker)
    for _ in range(2):
        with pytest.raises(VendorUnavailable):
            await client.request("PUT", "/orders", json={})
    clock.now += 11
    with pytest.raises(VendorUnavailable):
        await client.request("PUT", "/orders", json={})
    with pytest.raises(CircuitOpen):
        await client.request("PUT", "/orders", json={})
    assert len(seen) == 3


async def test_transport_retries_count_towards_the_breaker() -> None:
    breaker = CircuitBreaker(failure_threshold=3, reset_after=60)
    handler, seen = scripted(*[fail(503)] * 5)
    with pytest.raises(CircuitOpen):
        await vendor_http(handler, breaker=breaker).request("GET", "/orders")
    assert len(seen) == 3


async def test_a_success_resets_the_failure_count() -> None:
    breaker = CircuitBreaker(failure_threshold=2, reset_after=60)
    handler, _ = scripted(fail(500), OK, fail(500), OK)
    client = vendor_http(handler, breaker=breaker)
    for expected in (VendorUnavailable, None, VendorUnavailable, None):
        if expected:
            with pytest.raises(expected):
                await client.request("PUT", "/orders", json={})
        else:
            await client.request("GET", "/orders")
    assert not breaker.is_open


@pytest.mark.parametrize("status", [400, 404, 409, 422])
async def test_a_refusal_of_one_record_never_counts_towards_the_breaker(status: int) -> None:
    breaker = CircuitBreaker(failure_threshold=2, reset_after=60)
    handler, seen = scripted(*[fail(status, "Order is locked")] * 5, OK)
    client = vendor_http(handler, breaker=breaker)
    for _ in range(5):
        with pytest.raises((RefusedByVendor, NotFound)):
            await client.request("PUT", "/orders/9", json={})
    assert breaker.consecutive_failures == 0 and not breaker.is_open
    assert (await client.request("GET", "/orders")).status_code == 200
    assert len(seen) == 6


@pytest.mark.parametrize("outcome", [fail(401), fail(403), fail(429, headers={"Retry-After": "3600"}), fail(500),
                                     httpx.ConnectError("[Errno 111] Connection refused"), httpx.ReadTimeout("slow")])
async def test_vendor_failures_and_refused_credentials_count_towards_the_breaker(
        outcome: httpx.Response | Exception) -> None:
    breaker = CircuitBreaker(failure_threshold=2, reset_after=60)
    handler, seen = scripted(outcome, outcome, OK)
    client = vendor_http(handler, breaker=breaker, attempts=1)
    for _ in range(2):
        with pytest.raises(Exception) as caught:
            await client.request("POST", "/orders/1/comments", json={})
        assert not isinstance(caught.value, CircuitOpen)
    with pytest.raises(CircuitOpen):
        await client.request("GET", "/orders")
    assert len(seen) == 2


async def test_the_paused_message_says_until_when_and_the_last_real_cause() -> None:
    clock = FakeClock()
    clock.now = datetime(2026, 12, 2, 7, 0, tzinfo=UTC).timestamp()
    breaker = CircuitBreaker(failure_threshold=3, reset_after=600, clock=clock)
    handler, _ = scripted(*[httpx.ConnectError("[Errno 111] Connection refused")] * 4)
    with pytest.raises(CircuitOpen) as caught:
        await vendor_http(handler, breaker=breaker).request("GET", "/orders")
    message = str(caught.value)
    assert message.startswith("Ongoing unavailable: calls paused until 2026-12-02 07:10:00 UTC after 3 consecutive "
                              "failed calls; last cause: could not connect to ongoing at api.test: "
                              "[Errno 111] Connection refused")
    assert "consecutive failed calls" in message and caught.value.retry_after == pytest.approx(600)


async def test_breakers_sharing_a_store_share_the_count_and_let_one_trial_through() -> None:
    clock = FakeClock()
    store = MemoryBreakerStore()
    first, second = (CircuitBreaker(failure_threshold=2, reset_after=60, key="ongoing|a", store=store, clock=clock)
                     for _ in range(2))
    first.record_failure("could not connect")
    second.record_failure("could not connect")
    assert first.is_open and second.is_open
    with pytest.raises(CircuitOpen, match="could not connect"):
        first.before_call("ongoing", "GET /orders")

    clock.now += 61
    second.before_call("ongoing", "GET /orders")  # the one trial call
    with pytest.raises(CircuitOpen):
        first.before_call("ongoing", "GET /orders")
    second.record_success()
    assert not first.is_open and first.consecutive_failures == 0
    first.before_call("ongoing", "GET /orders")


async def test_not_found_does_not_trip_the_breaker() -> None:
    breaker = CircuitBreaker(failure_threshold=2, reset_after=60)
    handler, _ = scripted(fail(404), fail(404), fail(404), OK)
    client = vendor_http(handler, breaker=breaker)
    for _ in range(3):
        with pytest.raises(NotFound):
            await client.request("GET", "/orders/9")
    assert (await client.request("GET", "/orders")).status_code == 200


class CountingThrottle:
    """A request budget that counts the slots taken, and can refuse them."""

    def __init__(self, refuse: bool = False) -> None:
        self.taken, self.refuse = 0, refuse

    async def __call__(self) -> None:
        if self.refuse:
            raise ConnectionLost("budget used up", vendor="ongoing")
        self.taken += 1


async def test_every_request_sent_takes_a_slot_of_the_budget_retries_included() -> None:
    budget = CountingThrottle()
    handler, seen = scripted(fail(503), fail(429), OK, OK)
    client = vendor_http(handler, throttle=budget)

    await client.request("GET", "/orders")
    await client.request("PUT", "/orders", json={})

    assert budget.taken == len(seen) == 4


async def test_no_slot_is_taken_while_the_breaker_pauses_calls() -> None:
    budget = CountingThrottle()
    handler, seen = scripted(fail(500), OK)
    client = vendor_http(handler, breaker=CircuitBreaker(failure_threshold=1, reset_after=60), throttle=budget)
    with pytest.raises(VendorUnavailable):
        await client.request("GET", "/orders")
    with pytest.raises(CircuitOpen):
        await client.request("GET", "/orders")
    assert budget.taken == len(seen) == 1


async def test_a_refused_slot_sends_nothing() -> None:
    handler, seen = scripted(OK)
    client = vendor_http(handler, attempts=1, throttle=CountingThrottle(refuse=True))
    with pytest.raises(ConnectionLost, match="budget used up"):
        await client.request("POST", "/orders", json={})
    assert seen == []


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    in_two_minutes = (now + timedelta(minutes=2)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_retry_after("7") == 7
    assert parse_retry_after(in_two_minutes, now=now) == 120
    assert parse_retry_after("garbage") is None
    assert parse_retry_after(None) is None


def test_vendor_message_is_read_from_json_or_text() -> None:
    starweb = json_message("error", "error_description")
    body = {"error": "invalid_client", "error_description": "invalid credentials"}
    assert starweb(httpx.Response(400, json=body)) == "invalid_client: invalid credentials"
    assert starweb(httpx.Response(502, text="Bad gateway")) == "Bad gateway"
    assert starweb(httpx.Response(500, json=[1, 2])) is None


def test_every_vendor_client_of_a_process_verifies_with_the_one_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    # Building a context loads the whole CA bundle: once per process, not once per client.
    given: list[object] = []
    real_client = httpx.AsyncClient

    def spy(**options: object) -> httpx.AsyncClient:
        given.append(options.get("verify"))
        return real_client(**options)  # type: ignore[arg-type]

    monkeypatch.setattr(httpx, "AsyncClient", spy)
    for vendor in ("starweb", "ongoing"):
        VendorHttp(vendor, "https://vendor.example/api", message_of=json_message("Message"))
    assert tls_context() is tls_context()
    assert given == [tls_context(), tls_context()]


def test_a_one_certificate_bundle_is_a_ca_file_of_exactly_one_certificate(tmp_path: Path) -> None:
    bundle = one_certificate_bundle(tmp_path)
    assert bundle.parent == tmp_path and bundle.read_text().count("BEGIN CERTIFICATE") == 1
    assert ssl.create_default_context(cafile=bundle).cert_store_stats()["x509_ca"] == 1


class CountingStore(MemoryBreakerStore):
    """A shared store that counts what the breaker asks of it (each is a ledger transaction in production)."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def read(self, key: str) -> BreakerState:
        self.asked.append("read")
        return super().read(key)

    def record_success(self, key: str) -> None:
        self.asked.append("record_success")
        super().record_success(key)


async def test_a_call_on_a_clean_breaker_asks_the_shared_store_once_and_a_success_after_failures_resets_it() -> None:
    store = CountingStore()
    breaker = CircuitBreaker(failure_threshold=3, reset_after=60, key="ongoing|a", store=store)
    handler, _ = scripted(OK, OK)
    client = vendor_http(handler, breaker=breaker)
    await client.request("GET", "/orders")
    await client.request("GET", "/orders")
    assert store.asked == ["read", "read"]

    # Another process counted two failures: the next success here forgets them for every process.
    CircuitBreaker(failure_threshold=3, reset_after=60, key="ongoing|a", store=store).record_failure("a timeout")
    CircuitBreaker(failure_threshold=3, reset_after=60, key="ongoing|a", store=store).record_failure("a timeout")
    store.asked.clear()
    handler, _ = scripted(OK)
    await vendor_http(handler, breaker=breaker).request("GET", "/orders")
    assert store.asked == ["read", "record_success"]
    assert MemoryBreakerStore.read(store, "ongoing|a") == BreakerState()
