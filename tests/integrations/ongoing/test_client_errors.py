"""How the Ongoing client surfaces Ongoing's failures: error classes, retries and the circuit breaker."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
import respx

from integrations.errors import (
    AuthenticationFailed,
    CircuitOpen,
    ConnectionLost,
    GoodsOwnerNotAccessible,
    NotFound,
    RateLimited,
    RefusedByVendor,
    UnexpectedResponse,
    UnreadableAnswer,
    VendorTimeout,
    VendorUnavailable,
)
from integrations.http import CircuitBreaker, RetryPolicy, reset_shared_breakers
from integrations.ongoing.client import OngoingClient, OngoingSettings
from integrations.ongoing.models import ArticleWrite
from tests.integrations.ongoing.payloads import order_json


def ongoing_error(status: int, message: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"Message": message}, headers=headers)


async def test_400_is_refused_by_vendor_with_ongoings_message_and_not_retried(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    route = ongoing_api.get("/articles").mock(return_value=ongoing_error(
        400, "stockInfoChangedFrom must be within 24 hours of the current time."))

    with pytest.raises(RefusedByVendor) as caught:
        [a async for a in ongoing.iter_articles()]

    assert route.call_count == 1
    error = caught.value
    assert (error.status, error.endpoint) == (400, "GET /articles")
    assert error.vendor_message == "stockInfoChangedFrom must be within 24 hours of the current time."


async def test_400_validation_details_from_model_state_are_kept(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    ongoing_api.patch("/orders/50163/orderStatus").respond(400, json={
        "Message": "The request is invalid.",
        "ModelState": {"model.OrderStatusNumber": ["Order status 999 does not exist."]}})

    with pytest.raises(RefusedByVendor) as caught:
        await ongoing.patch_order_status(50163, 999)

    assert caught.value.vendor_message == "The request is invalid. Order status 999 does not exist."


DENIED = "Authorization has been denied for this request."


async def test_401_is_an_authentication_failure_and_not_retried(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    route = ongoing_api.get("/orders/1").mock(return_value=ongoing_error(401, DENIED))
    probe = ongoing_api.get("/orders/statuses").mock(return_value=ongoing_error(401, DENIED))
    with pytest.raises(AuthenticationFailed) as caught:
        await ongoing.get_order(1)
    assert route.call_count == 1
    assert not isinstance(caught.value, GoodsOwnerNotAccessible)
    assert "refused the credentials of API user 'WSI-fjallbutiken'" in str(caught.value)
    assert caught.value.vendor_message == DENIED
    assert probe.call_count == 1


@pytest.mark.parametrize("status", [401, 403])
async def test_a_goods_owner_the_user_cannot_reach_is_told_apart_from_bad_credentials(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter, status: int
) -> None:
    ongoing_api.get("/orders").mock(return_value=ongoing_error(status, DENIED))
    probe = ongoing_api.get("/orders/statuses").respond(json={"orderStatuses": []})
    for _ in range(4):
        with pytest.raises(GoodsOwnerNotAccessible) as caught:
            await ongoing.find_order_by_number("SW-1")
        message = str(caught.value)
        assert "refuses goods owner 159" in message and "wrong or not open to this API user" in message
        assert "credentials" not in message
        assert caught.value.status == status
    assert probe.call_count == 1, "the diagnosis is made once per client"
    with pytest.raises(CircuitOpen) as paused:
        await ongoing.find_order_by_number("SW-1")
    assert "last cause: Ongoing accepts API user 'WSI-fjallbutiken' but refuses goods owner 159" in str(paused.value)


async def test_404_is_not_found(ongoing: OngoingClient, ongoing_api: respx.MockRouter) -> None:
    ongoing_api.get("/orders/404").mock(return_value=ongoing_error(404, "No order with ID 404."))
    with pytest.raises(NotFound) as caught:
        await ongoing.get_order(404)
    assert caught.value.endpoint == "GET /orders/{orderId}"


async def test_429_is_retried_after_the_wait_ongoing_asks_for(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    route = ongoing_api.get("/orders/50163").mock(side_effect=[
        ongoing_error(429, "Too many requests.", headers={"Retry-After": "0"}),
        httpx.Response(200, json=order_json(50163, "SW-100234")),
    ])
    assert (await ongoing.get_order(50163)).order_id == 50163
    assert route.call_count == 2


async def test_429_asking_for_a_long_wait_is_handed_to_the_caller(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    route = ongoing_api.get("/orders/50163").mock(
        return_value=ongoing_error(429, "Too many requests.", headers={"Retry-After": "3600"}))
    with pytest.raises(RateLimited) as caught:
        await ongoing.get_order(50163)
    assert (route.call_count, caught.value.retry_after, caught.value.retryable) == (1, 3600.0, True)


async def test_500_is_not_retried_by_the_transport(ongoing: OngoingClient, ongoing_api: respx.MockRouter) -> None:
    route = ongoing_api.put("/articles").mock(return_value=ongoing_error(500, "An error has occurred."))
    with pytest.raises(VendorUnavailable) as caught:
        await ongoing.put_article(ArticleWrite(article_number="SOCK-MER-38"))

    assert route.call_count == 1
    assert caught.value.retryable and caught.value.vendor_message == "An error has occurred."


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_gateway_errors_are_retried_then_reported_unavailable(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter, status: int
) -> None:
    route = ongoing_api.get("/orders/statuses").mock(return_value=ongoing_error(status, "Service Unavailable"))
    with pytest.raises(VendorUnavailable) as caught:
        await ongoing.list_order_statuses()
    assert route.call_count == 4
    assert caught.value.status == status


async def test_timeouts_are_retried_then_reported(ongoing: OngoingClient, ongoing_api: respx.MockRouter) -> None:
    route = ongoing_api.get("/orders/50163").mock(side_effect=httpx.ReadTimeout("timed out"))
    with pytest.raises(VendorTimeout):
        await ongoing.get_order(50163)
    assert route.call_count == 4


async def test_a_dropped_connection_is_retried(ongoing: OngoingClient, ongoing_api: respx.MockRouter) -> None:
    route = ongoing_api.get("/orders/50163").mock(side_effect=[
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.Response(200, json=order_json(50163, "SW-100234")),
    ])
    assert (await ongoing.get_order(50163)).order_number == "SW-100234"
    assert route.call_count == 2


async def test_a_connection_that_keeps_dropping_is_connection_lost(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    ongoing_api.get("/transporterContracts").mock(side_effect=httpx.RemoteProtocolError("peer closed connection"))
    with pytest.raises(ConnectionLost):
        await ongoing.list_transporter_contracts()


async def test_a_2xx_body_that_breaks_the_model_is_unexpected_and_hides_customer_data(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    broken = order_json(50163, "SW-100234")
    broken["orderLines"][0]["id"] = "not-a-number"
    ongoing_api.get("/orders/50163").respond(200, json=broken)

    with pytest.raises(UnexpectedResponse) as caught:
        await ongoing.get_order(50163)

    text = str(caught.value)
    assert "GET /orders/{orderId}" in text and "orderLines.0.id" in text
    assert "Storgatan" not in text and "Anna" not in text
    assert not caught.value.retryable


async def test_a_collection_answer_that_is_not_a_json_list_is_unexpected(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    ongoing_api.get("/orders").respond(200, json={"Message": "not a list"})
    with pytest.raises(UnexpectedResponse, match="GET /orders"):
        await ongoing.find_order_by_number("SW-1")


@pytest.mark.parametrize(("answer", "looks"), [
    (httpx.Response(200, text="<html><title>Service temporarily unavailable</title></html>",
                    headers={"content-type": "text/html"}),
     "an HTML page instead of JSON (Service temporarily unavailable)"),
    (httpx.Response(200, content=b'[{"orderInfo": {"orderId": 5, "orderNum',
                    headers={"content-type": "application/json"}),
     "a body that is not JSON (39 bytes, application/json; cut off on the way?)"),
])
async def test_a_2xx_answer_that_is_not_json_at_all_is_unreadable_and_retryable(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter, answer: httpx.Response, looks: str
) -> None:
    ongoing_api.get("/orders").mock(return_value=answer)
    with pytest.raises(UnreadableAnswer) as caught:
        await ongoing.find_order_by_number("SW-1")
    assert caught.value.retryable and caught.value.endpoint == "GET /orders"
    assert looks in str(caught.value)
    assert "orderNum" not in str(caught.value), "what the body held is never repeated"


async def test_a_write_whose_answer_is_cut_off_is_retryable_not_a_missing_id(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    ongoing_api.put("/articles").respond(200, content=b'{"articleSystemId": 12',
                                         headers={"content-type": "application/json"})
    with pytest.raises(UnreadableAnswer, match="PUT /articles"):
        await ongoing.put_article(ArticleWrite(article_number="SOCK-MER-42", article_name="Sock"))


async def test_an_html_error_page_is_named_by_its_title_not_dumped(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    page = ("<!DOCTYPE html><html><head><title>502 - Web server received an invalid response while acting as a "
            "gateway or proxy server.</title></head><body>" + "x" * 2000 + "</body></html>")
    ongoing_api.get("/transporterContracts").respond(502, text=page, headers={"content-type": "text/html"})
    with pytest.raises(VendorUnavailable) as caught:
        await ongoing.list_transporter_contracts()
    assert caught.value.vendor_message == ("an HTML page instead of JSON (502 - Web server received an invalid "
                                           "response while acting as a gateway or proxy server.)")
    assert "<body>" not in str(caught.value)


async def test_breaker_opens_after_four_consecutive_failures_and_recovers(
    make_ongoing_client: Callable[..., OngoingClient], ongoing_api: respx.MockRouter
) -> None:
    now = [1000.0]
    breaker = CircuitBreaker(failure_threshold=4, reset_after=60.0, clock=lambda: now[0])
    client = make_ongoing_client(breaker=breaker, attempts=1)
    route = ongoing_api.get("/orders/50163").mock(return_value=ongoing_error(500, "An error has occurred."))

    for _ in range(4):
        with pytest.raises(VendorUnavailable):
            await client.get_order(50163)
    with pytest.raises(CircuitOpen) as caught:
        await client.get_order(50163)
    assert route.call_count == 4  # the open circuit made no request
    assert "last cause: ongoing failed with a server error: An error has occurred." in str(caught.value)

    now[0] += 61
    route.mock(return_value=httpx.Response(200, json=order_json(50163, "SW-100234")))
    assert (await client.get_order(50163)).order_id == 50163
    assert not breaker.is_open and breaker.consecutive_failures == 0


async def test_a_business_refusal_never_counts_towards_the_breaker(
    make_ongoing_client: Callable[..., OngoingClient], ongoing_api: respx.MockRouter
) -> None:
    breaker = CircuitBreaker(failure_threshold=2, reset_after=600.0)
    client = make_ongoing_client(breaker=breaker)
    refused = ongoing_api.put("/articles").mock(return_value=ongoing_error(
        400, "The field ArticleName must be a string with a maximum length of 100."))
    for _ in range(5):
        with pytest.raises(RefusedByVendor):
            await client.put_article(ArticleWrite(article_number="SOCK-MER-38"))
    assert refused.call_count == 5
    assert not breaker.is_open and breaker.consecutive_failures == 0


async def test_clients_of_one_api_user_share_a_breaker_by_default(
    ongoing_settings: OngoingSettings, ongoing_api: respx.MockRouter
) -> None:
    reset_shared_breakers()
    try:
        first = OngoingClient(ongoing_settings, policy=RetryPolicy.no_wait(max_attempts=1))
        second = OngoingClient(ongoing_settings, policy=RetryPolicy.no_wait(max_attempts=1))
        other_user = OngoingClient(ongoing_settings.model_copy(update={"username": "WSI-other"}))
        assert (first.breaker.failure_threshold, first.breaker.reset_after) == (3, 600.0)
        ongoing_api.get("/orders/1").mock(return_value=ongoing_error(503, "Service unavailable"))
        for _ in range(3):
            with pytest.raises(VendorUnavailable):
                await first.get_order(1)
        assert second.breaker.is_open, "the second client sees the failures of the first"
        with pytest.raises(CircuitOpen, match="Ongoing unavailable: calls paused until"):
            await second.get_order(1)
        assert not other_user.breaker.is_open
        for client in (first, second, other_user):
            await client.aclose()
    finally:
        reset_shared_breakers()
