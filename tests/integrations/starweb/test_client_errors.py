"""How the Starweb client fails: each vendor answer becomes the right error, retried only when safe."""

from __future__ import annotations

import httpx
import pytest
import respx

from integrations.errors import (
    AuthenticationFailed,
    CircuitOpen,
    ConnectionLost,
    NotFound,
    RateLimited,
    RefusedByVendor,
    UnexpectedResponse,
    UnreadableAnswer,
    VendorTimeout,
    VendorUnavailable,
)
from integrations.http import reset_shared_breakers
from integrations.starweb.client import StarwebClient
from integrations.starweb.models import OrderCreate, OrderPatch
from tests.integrations.starweb import payloads
from tests.integrations.starweb.conftest import FakeClock, make_client

ORDER = httpx.Response(200, json=payloads.item(payloads.order(101)))


def failure(status: int, code: str = "error", description: str = "Something went wrong",
            headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=payloads.error(code, description), headers=headers)


async def test_a_bad_request_is_refused_with_starwebs_message(starweb: respx.MockRouter,
                                                              client: StarwebClient) -> None:
    route = starweb.patch("/orders/101").mock(return_value=failure(400, "invalid_request",
                                                                   "shippingTrackingNo is too long"))

    with pytest.raises(RefusedByVendor) as caught:
        await client.patch_order(101, OrderPatch(shipping_tracking_no="X" * 60))

    error = caught.value
    assert (error.status, error.endpoint) == (400, "PATCH /orders/{orderId}")
    assert error.vendor_message == "invalid_request: shippingTrackingNo is too long"
    assert not error.retryable
    assert route.call_count == 1


async def test_forbidden_is_a_refusal_not_a_login_problem(starweb: respx.MockRouter, client: StarwebClient) -> None:
    route = starweb.patch("/orders/101").mock(return_value=failure(403, "forbidden", "Not allowed"))

    with pytest.raises(RefusedByVendor) as caught:
        await client.patch_order(101, OrderPatch(status_id=1))

    assert (caught.value.status, caught.value.vendor_message) == (403, "forbidden: Not allowed")
    assert route.call_count == 1
    assert starweb.routes["token"].call_count == 1, "a 403 must not throw the token away"


async def test_a_forbidden_token_request_stays_an_authentication_failure(starweb: respx.MockRouter,
                                                                         client: StarwebClient) -> None:
    starweb.routes["token"].respond(403, json=payloads.error("access_denied", "API access not approved"))

    with pytest.raises(AuthenticationFailed) as caught:
        await client.patch_order(101, OrderPatch(status_id=1))

    assert (caught.value.status, caught.value.endpoint) == (403, "POST /token")


async def test_a_missing_order_is_not_found(starweb: respx.MockRouter, client: StarwebClient) -> None:
    starweb.get("/orders/999").mock(return_value=failure(404, "not_found", "Order not found"))

    with pytest.raises(NotFound) as caught:
        await client.get_order(999)

    assert caught.value.endpoint == "GET /orders/{orderId}"


async def test_rate_limit_is_retried_after_the_wait_starweb_asks_for(
        starweb: respx.MockRouter, client: StarwebClient, slept: list[float]) -> None:
    route = starweb.get("/orders/101").mock(side_effect=[failure(429, headers={"Retry-After": "7"}), ORDER])

    order = await client.get_order(101)

    assert order.order_id == 101
    assert route.call_count == 2
    assert slept == [7.0]


async def test_rate_limit_with_a_too_long_wait_is_handed_to_the_caller(starweb: respx.MockRouter,
                                                                       client: StarwebClient) -> None:
    route = starweb.get("/orders/101").mock(side_effect=[failure(429, headers={"Retry-After": "3600"}), ORDER])

    with pytest.raises(RateLimited) as caught:
        await client.get_order(101)

    assert caught.value.retry_after == 3600
    assert caught.value.retryable
    assert route.call_count == 1


async def test_a_plain_server_error_is_not_resent(starweb: respx.MockRouter, client: StarwebClient) -> None:
    route = starweb.get("/orders/101").mock(side_effect=[failure(500), ORDER])

    with pytest.raises(VendorUnavailable) as caught:
        await client.get_order(101)

    assert caught.value.status == 500
    assert route.call_count == 1


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_gateway_errors_are_retried_until_success(status: int, starweb: respx.MockRouter,
                                                        client: StarwebClient) -> None:
    route = starweb.get("/orders/101").mock(side_effect=[failure(status), failure(status), ORDER])

    order = await client.get_order(101)

    assert order.order_id == 101
    assert route.call_count == 3


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_gateway_errors_give_up_after_the_last_attempt(status: int, starweb: respx.MockRouter,
                                                             client: StarwebClient) -> None:
    route = starweb.get("/orders/101").mock(return_value=failure(status))

    with pytest.raises(VendorUnavailable) as caught:
        await client.get_order(101)

    assert caught.value.status == status
    assert route.call_count == 4


async def test_a_timeout_is_retried_and_then_reported(starweb: respx.MockRouter, client: StarwebClient) -> None:
    once = starweb.get("/orders/101").mock(side_effect=[httpx.ReadTimeout, ORDER])
    assert (await client.get_order(101)).order_id == 101
    assert once.call_count == 2

    always = starweb.get("/orders/102").mock(side_effect=httpx.ReadTimeout)
    with pytest.raises(VendorTimeout):
        await client.get_order(102)
    assert always.call_count == 4


async def test_a_dropped_connection_becomes_connection_lost(starweb: respx.MockRouter, client: StarwebClient) -> None:
    route = starweb.get("/orders/101").mock(side_effect=httpx.RemoteProtocolError)

    with pytest.raises(ConnectionLost) as caught:
        await client.get_order(101)

    assert caught.value.retryable
    assert route.call_count == 4


async def test_creating_an_order_is_not_resent_after_a_timeout(starweb: respx.MockRouter,
                                                               client: StarwebClient) -> None:
    route = starweb.post("/orders").mock(side_effect=[httpx.ReadTimeout, httpx.Response(
        201, json=payloads.item(payloads.order(1001)))])

    with pytest.raises(VendorTimeout):
        await client.create_order(OrderCreate(status_id=1))

    assert route.call_count == 1, "the first POST may have created the order"


async def test_patching_an_order_is_resent_after_a_timeout(starweb: respx.MockRouter, client: StarwebClient) -> None:
    route = starweb.patch("/orders/101").mock(side_effect=[httpx.ReadTimeout, ORDER])

    order = await client.patch_order(101, OrderPatch(status_id=3))

    assert order.order_id == 101
    assert route.call_count == 2


async def test_the_circuit_opens_after_eight_failures_and_closes_after_the_pause(
        starweb: respx.MockRouter, client: StarwebClient, clock: FakeClock) -> None:
    route = starweb.get("/orders/101").mock(side_effect=[*[failure(500)] * 8, ORDER])
    for _ in range(8):
        with pytest.raises(VendorUnavailable):
            await client.get_order(101)

    with pytest.raises(CircuitOpen) as caught:
        await client.get_order(101)
    assert route.call_count == 8, "no request may reach Starweb while the circuit is open"
    assert caught.value.retry_after == pytest.approx(60)

    clock.advance(61)
    assert (await client.get_order(101)).order_id == 101
    assert route.call_count == 9


async def test_clients_of_the_same_shop_account_share_one_circuit(starweb: respx.MockRouter) -> None:
    reset_shared_breakers()
    try:
        route = starweb.get("/orders/101").mock(return_value=failure(500))
        async with make_client(starweb, breaker=None) as first:
            for _ in range(8):
                with pytest.raises(VendorUnavailable):
                    await first.get_order(101)
        async with make_client(starweb, breaker=None) as second:
            with pytest.raises(CircuitOpen):
                await second.get_order(101)
        assert route.call_count == 8
    finally:
        reset_shared_breakers()


async def test_a_malformed_answer_names_the_endpoint_without_echoing_customer_data(
        starweb: respx.MockRouter, client: StarwebClient) -> None:
    broken = payloads.order(101, with_includes=True, orderId="not-a-number")
    starweb.get("/orders/101").respond(json=payloads.item(broken))

    with pytest.raises(UnexpectedResponse) as caught:
        await client.get_order(101)

    error = caught.value
    assert error.endpoint == "GET /orders/{orderId}"
    assert "data.orderId" in (error.vendor_message or "")
    assert "Hamngatan" not in str(error)
    assert error.__suppress_context__, "pydantic's own message repeats the input and must not be chained"


async def test_a_non_json_success_is_an_unreadable_answer_tried_again(starweb: respx.MockRouter,
                                                                       client: StarwebClient) -> None:
    starweb.get("/shop").respond(200, text="<html><title>Maintenance</title></html>",
                                 headers={"content-type": "text/html"})

    with pytest.raises(UnreadableAnswer) as caught:
        await client.get_shop()

    assert caught.value.endpoint == "GET /shop" and caught.value.retryable
    assert "an HTML page instead of JSON (Maintenance)" in str(caught.value)


async def test_a_list_page_cut_off_in_the_middle_is_an_unreadable_answer(starweb: respx.MockRouter,
                                                                          client: StarwebClient) -> None:
    starweb.get("/orders").respond(200, content=b'{"data": [{"orderId": 101, "items": {"data": [',
                                   headers={"content-type": "application/json"})

    with pytest.raises(UnreadableAnswer) as caught:
        await client.list_orders_page(page=1)

    assert caught.value.endpoint == "GET /orders" and caught.value.retryable
