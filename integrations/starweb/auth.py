"""Starweb's OAuth2 client-credentials login, as an ``httpx.Auth`` that keeps one bearer token.

``POST {base}/token`` with a form body answers ``{access_token, scope, expires_in}``; there is no
refresh token, so a new token is fetched shortly before the old one expires, and once more when
Starweb answers 401 ``invalid_token``. Bad credentials are a 400 ``invalid_client`` and an unknown
shop a 404; both become ``AuthenticationFailed``. Neither the secret nor the token is ever logged.

The token belongs to the process, not to one client: every client of the same shop and API client
(``process_token``) uses one ``SharedToken``, so a flow run whose tasks each open a client logs in once
(tokens last an hour). The token value is shared across threads; each event loop fetches under its own
lock, and a fetch first looks whether another loop has just renewed it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from dataclasses import dataclass
from weakref import WeakKeyDictionary

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from integrations.errors import AuthenticationFailed, NotFound, RefusedByVendor, UnexpectedResponse
from integrations.http import VendorHttp, unreadable_answer
from integrations.starweb.pagination import not_json

log = logging.getLogger(__name__)

TOKEN_PATH = "/token"
TOKEN_ENDPOINT = "POST /token"
DEFAULT_RENEW_MARGIN = 60.0  # seconds before expiry at which a token is replaced


class AccessToken(BaseModel):
    """Starweb's TokenModel. ``expires_in`` defaults to the hour Starweb's own SDK assumes."""

    model_config = ConfigDict(extra="ignore")

    access_token: SecretStr
    scope: str | None = None
    expires_in: int = 3600


async def request_token(http: VendorHttp, client_id: str, client_secret: SecretStr) -> AccessToken:
    """Ask Starweb for a new token through the shared HTTP policy (without a bearer of course)."""
    form = {"grant_type": "client_credentials", "client_id": client_id,
            "client_secret": client_secret.get_secret_value()}
    try:
        # A refused login counts towards the breaker: retrying bad credentials in a loop helps no one.
        response = await http.request("POST", TOKEN_PATH, endpoint=TOKEN_ENDPOINT, data=form, auth=httpx.Auth(),
                                      refusal_trips_breaker=True)
    except NotFound as exc:
        raise AuthenticationFailed(f"Starweb has no token endpoint at {http.base_url}{TOKEN_PATH}: "
                                   "the shop's API base URL is wrong", status=exc.status,
                                   vendor_message=exc.vendor_message, vendor=http.vendor,
                                   endpoint=TOKEN_ENDPOINT) from None
    except RefusedByVendor as exc:  # 400 invalid_client, unsupported_grant_type, …
        raise AuthenticationFailed(f"Starweb refused the client credentials of client id {client_id!r}",
                                   status=exc.status, vendor_message=exc.vendor_message, vendor=http.vendor,
                                   endpoint=TOKEN_ENDPOINT) from None
    try:
        return AccessToken.model_validate_json(response.content)
    except ValidationError as exc:
        if not_json(exc):
            raise unreadable_answer(response, http.vendor, TOKEN_ENDPOINT) from None
        # The body may hold a token; say only that it was unusable.
        raise UnexpectedResponse("Starweb's token answer has no usable access_token", status=response.status_code,
                                 vendor=http.vendor, endpoint=TOKEN_ENDPOINT) from None


@dataclass(frozen=True)
class _HeldToken:
    value: str
    renew_at: float


def _says_invalid_token(response: httpx.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("error") == "invalid_token"


class SharedToken:
    """The bearer token of one shop and API client, held for every client in the process.

    ``clock`` (monotonic seconds) is injectable so tests can move time; ``renew_margin`` is how long
    before expiry a token is replaced.
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic,
                 renew_margin: float = DEFAULT_RENEW_MARGIN) -> None:
        self._clock = clock
        self._renew_margin = renew_margin
        self._held: _HeldToken | None = None
        self._guard = threading.Lock()
        self._fetch_locks: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = WeakKeyDictionary()

    def forget(self) -> None:
        """Drop the held token so the next request fetches a new one."""
        with self._guard:
            self._held = None

    async def get(self, fetch_token: Callable[[], Awaitable[AccessToken]], *, rejected: str | None = None) -> str:
        """The valid token, fetched with ``fetch_token`` when there is none, it is about to expire, or
        Starweb just ``rejected`` it."""
        held = self._usable(rejected)
        if held is not None:
            return held
        async with self._fetch_lock():
            # Another request may already have replaced the token while we waited.
            held = self._usable(rejected)
            if held is not None:
                return held
            fetched = await fetch_token()
            lifetime = max(0.0, fetched.expires_in - self._renew_margin)
            value = fetched.access_token.get_secret_value()
            with self._guard:
                self._held = _HeldToken(value, self._clock() + lifetime)
            log.debug("fetched a Starweb access token valid for %d s", fetched.expires_in)
            return value

    def _usable(self, rejected: str | None) -> str | None:
        with self._guard:
            held = self._held
        if held is not None and held.value != rejected and self._clock() < held.renew_at:
            return held.value
        return None

    def _fetch_lock(self) -> asyncio.Lock:
        with self._guard:
            return self._fetch_locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())


_process_tokens: dict[tuple[str, str, str], SharedToken] = {}
_process_tokens_guard = threading.Lock()


def process_token(base_url: str, client_id: str, client_secret: SecretStr) -> SharedToken:
    """This process's token for one shop and API client (a changed secret gets a token of its own)."""
    secret = hashlib.sha256(client_secret.get_secret_value().encode()).hexdigest()
    key = (base_url.rstrip("/"), client_id, secret)
    with _process_tokens_guard:
        return _process_tokens.setdefault(key, SharedToken())


def forget_process_tokens() -> None:
    """Drop every token this process holds (tests use this)."""
    with _process_tokens_guard:
        _process_tokens.clear()


class StarwebTokenAuth(httpx.Auth):
    """Adds ``Authorization: Bearer …`` to every request, fetching the token at most once at a time.

    ``fetch_token`` asks Starweb for a new token; ``token`` is where it is kept (a private one unless
    given, e.g. the process's ``process_token``), ``clock`` and ``renew_margin`` configure a private
    one. On a 401 ``invalid_token`` the token is renewed once and the request resent once; a second
    refusal is answered to the caller as it is.
    """

    def __init__(self, fetch_token: Callable[[], Awaitable[AccessToken]], *, token: SharedToken | None = None,
                 clock: Callable[[], float] = time.monotonic, renew_margin: float = DEFAULT_RENEW_MARGIN) -> None:
        self._fetch_token = fetch_token
        self.token = token or SharedToken(clock=clock, renew_margin=renew_margin)

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("StarwebTokenAuth works with httpx.AsyncClient only")
        yield request  # pragma: no cover - makes this a generator, as httpx expects

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.token.get(self._fetch_token)
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        await response.aread()  # the 401 body says whether the token is the problem
        if _says_invalid_token(response):
            log.info("Starweb refused the access token as invalid; fetching a new one and resending once")
            token = await self.token.get(self._fetch_token, rejected=token)
            request.headers["Authorization"] = f"Bearer {token}"
            yield request

    def forget(self) -> None:
        """Drop the held token so the next request fetches a new one."""
        self.token.forget()
