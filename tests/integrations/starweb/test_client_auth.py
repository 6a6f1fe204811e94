"""Logging in to Starweb: the token is fetched once, reused, renewed before expiry and after a refusal."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import parse_qs

import httpx
import pytest
import respx
from pydantic import SecretStr

from integrations.errors import AuthenticationFailed, UnexpectedResponse
from integrations.starweb.auth import SharedToken, process_token
from integrations.starweb.client import StarwebClient
from tests.integrations.starweb import payloads
from tests.integrations.starweb.conftest import CLIENT_ID, CLIENT_SECRET, FakeClock, make_client

INVALID_TOKEN = httpx.Response(401, json=payloads.error("invalid_token", "The access token has expired"))


def bearer(route: respx.Route, call: int = -1) -> str:
    return route.calls[call].request.headers["Authorization"]


async def test_token_is_fetched_once_with_client_credentials_and_reused(
        starweb: respx.MockRouter, client: StarwebClient) -> None:
    shop = starweb.get("/shop").respond(json=payloads.item(payloads.shop()))

    await client.get_shop()
    await client.get_shop()

    token = starweb.routes["token"]
    assert token.call_count == 1
    request = token.calls.last.request
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.content.decode()) == {
        "grant_type": ["client_credentials"], "client_id": [CLIENT_ID], "client_secret": [CLIENT_SECRET]}
    assert [bearer(shop, i) for i in range(2)] == ["Bearer tok-1", "Bearer tok-1"]


async def test_token_is_renewed_a_minute_before_it_expires(
        starweb: respx.MockRouter, client: StarwebClient, clock: FakeClock) -> None:
    starweb.routes["token"].side_effect = [httpx.Response(200, json=payloads.token("tok-1", 3600)),
                                           httpx.Response(200, json=payloads.token("tok-2", 3600))]
    shop = starweb.get("/shop").respond(json=payloads.item(payloads.shop()))

    await client.get_shop()
    clock.advance(3600 - 61)
    await client.get_shop()
    clock.advance(2)
    await client.get_shop()

    assert starweb.routes["token"].call_count == 2
    assert [bearer(shop, i) for i in range(3)] == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


async def test_invalid_token_answer_renews_the_token_once_and_resends(
        starweb: respx.MockRouter, client: StarwebClient) -> None:
    starweb.routes["token"].side_effect = [httpx.Response(200, json=payloads.token("tok-1")),
                                           httpx.Response(200, json=payloads.token("tok-2"))]
    answers = [INVALID_TOKEN, httpx.Response(200, json=payloads.item(payloads.shop()))]
    bearers: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        # Read the header now: the resent request is the same object with a new header.
        bearers.append(request.headers["Authorization"])
        return answers.pop(0)

    starweb.get("/shop").mock(side_effect=answer)

    found = await client.get_shop()

    assert found.id_code == "fjallbutiken"
    assert starweb.routes["token"].call_count == 2
    assert bearers == ["Bearer tok-1", "Bearer tok-2"]


async def test_a_second_invalid_token_answer_raises_authentication_failed(
        starweb: respx.MockRouter, client: StarwebClient) -> None:
    shop = starweb.get("/shop").mock(return_value=INVALID_TOKEN)

    with pytest.raises(AuthenticationFailed) as caught:
        await client.get_shop()

    assert starweb.routes["token"].call_count == 2
    assert shop.call_count == 2
    assert caught.value.status == 401
    assert "invalid_token" in (caught.value.vendor_message or "")


async def test_a_401_about_something_else_does_not_renew_the_token(
        starweb: respx.MockRouter, client: StarwebClient) -> None:
    shop = starweb.get("/shop").respond(401, json=payloads.error("insufficient_scope", "No access to shop"))

    with pytest.raises(AuthenticationFailed):
        await client.get_shop()

    assert starweb.routes["token"].call_count == 1
    assert shop.call_count == 1


async def test_bad_credentials_raise_authentication_failed_with_starwebs_description(
        starweb: respx.MockRouter, client: StarwebClient) -> None:
    starweb.routes["token"].respond(400, json=payloads.error("invalid_client", "invalid credentials"))
    shop = starweb.get("/shop").respond(json=payloads.item(payloads.shop()))

    with pytest.raises(AuthenticationFailed) as caught:
        await client.get_shop()

    error = caught.value
    assert (error.status, error.endpoint) == (400, "POST /token")
    assert error.vendor_message == "invalid_client: invalid credentials"
    assert not error.retryable
    assert shop.call_count == 0


async def test_unknown_shop_is_reported_as_a_wrong_base_url(starweb: respx.MockRouter, client: StarwebClient) -> None:
    starweb.routes["token"].respond(404, json=payloads.error("not_found", "Shop not found"))

    with pytest.raises(AuthenticationFailed) as caught:
        await client.get_shop()

    assert "base URL is wrong" in str(caught.value)
    assert "https://shop.test/api/v2/token" in str(caught.value)


async def test_a_token_answer_without_a_token_is_an_unexpected_response(
        starweb: respx.MockRouter, client: StarwebClient) -> None:
    starweb.routes["token"].respond(200, json={"scope": "", "expires_in": 3600})

    with pytest.raises(UnexpectedResponse) as caught:
        await client.get_shop()

    assert caught.value.endpoint == "POST /token"


async def test_concurrent_calls_wait_for_one_token_fetch(starweb: respx.MockRouter, client: StarwebClient) -> None:
    async def slow_token(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)
        return httpx.Response(200, json=payloads.token())

    starweb.routes["token"].side_effect = slow_token
    shop = starweb.get("/shop").respond(json=payloads.item(payloads.shop()))

    await asyncio.gather(*(client.get_shop() for _ in range(5)))

    assert starweb.routes["token"].call_count == 1
    assert shop.call_count == 5


async def test_neither_the_secret_nor_the_token_reaches_logs_or_errors(
        starweb: respx.MockRouter, client: StarwebClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    starweb.routes["token"].side_effect = [httpx.Response(200, json=payloads.token("tok-secret-1")),
                                           httpx.Response(200, json=payloads.token("tok-secret-2"))]
    starweb.get("/shop").mock(return_value=INVALID_TOKEN)

    with pytest.raises(AuthenticationFailed) as caught:
        await client.get_shop()

    seen = caplog.text + str(caught.value) + repr(client.settings)
    for secret in (CLIENT_SECRET, "tok-secret-1", "tok-secret-2"):
        assert secret not in seen


async def test_clients_of_one_api_client_share_the_process_token(starweb: respx.MockRouter) -> None:
    shop = starweb.get("/shop").respond(json=payloads.item(payloads.shop()))

    for _ in range(3):  # as the tasks of one flow run do: each opens its own client
        async with make_client(starweb) as each:
            await each.get_shop()
    async with make_client(starweb) as first, make_client(starweb) as second:
        await asyncio.gather(first.get_shop(), second.get_shop())

    assert starweb.routes["token"].call_count == 1
    assert {bearer(shop, i) for i in range(5)} == {"Bearer tok-1"}


async def test_a_shared_token_is_renewed_ahead_of_expiry_and_once_on_invalid_token_for_every_client(
        starweb: respx.MockRouter, clock: FakeClock) -> None:
    starweb.routes["token"].side_effect = [httpx.Response(200, json=payloads.token(f"tok-{n}", 3600))
                                           for n in (1, 2, 3)]
    answers = {"Bearer tok-1": [payloads.item(payloads.shop())] * 2,
               "Bearer tok-3": [payloads.item(payloads.shop())] * 2}

    bearers: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        bearers.append(request.headers["Authorization"])  # now: a resent request is the same object
        found = answers.get(bearers[-1])
        return httpx.Response(200, json=found.pop(0)) if found else INVALID_TOKEN

    starweb.get("/shop").mock(side_effect=answer)
    token = SharedToken(clock=clock)
    async with make_client(starweb, token=token) as first, make_client(starweb, token=token) as second:
        await first.get_shop()
        await second.get_shop()
        assert starweb.routes["token"].call_count == 1
        clock.advance(3600 - 59)  # inside the renewal margin: the next call fetches tok-2 first
        await second.get_shop()  # tok-2 is refused as invalid: renewed once (tok-3) and resent
        await first.get_shop()

    assert starweb.routes["token"].call_count == 3
    assert bearers == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2", "Bearer tok-3", "Bearer tok-3"]


def test_a_changed_secret_gets_a_token_of_its_own() -> None:
    same = process_token("https://shop.test/api/v2/", CLIENT_ID, SecretStr(CLIENT_SECRET))
    assert same is process_token("https://shop.test/api/v2", CLIENT_ID, SecretStr(CLIENT_SECRET))
    assert same is not process_token("https://shop.test/api/v2", CLIENT_ID, SecretStr("rotated"))
