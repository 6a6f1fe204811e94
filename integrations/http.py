"""The one HTTP policy both vendor clients use.

``VendorHttp`` wraps an ``httpx.AsyncClient`` with: timeouts; retries with exponential backoff
and jitter on 429/502/503/504, timeouts and dropped connections (``Retry-After`` honoured,
other 4xx never retried); a circuit breaker (``integrations.breaker``) that stops calling after N
consecutive failed calls, so Ongoing's consecutive-failure lockout is never reached; an optional
``throttle`` awaited before every request that reaches the vendor (the caller's request budget, e.g. one
shared by every process of a merchant); and translation of every failure into the error tree of
``integrations.errors`` exactly once, at this edge.

Usage::

    http = VendorHttp("ongoing", "https://api.ongoingsystems.se/demo/api/v1", message_of=ongoing_message)
    response = await http.request("GET", "/orders", params={"goodsOwnerId": 1}, endpoint="GET /orders")
"""

from __future__ import annotations

import email.utils
import functools
import html
import logging
import re
import ssl
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import certifi
import httpx
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from integrations.breaker import CircuitBreaker, reset_shared_breakers, shared_breaker
from integrations.errors import (
    AuthenticationFailed,
    CircuitOpen,
    ConnectionLost,
    ConnectorError,
    ErrorDetails,
    NotFound,
    RateLimited,
    RefusedByVendor,
    RetryableError,
    UnreadableAnswer,
    VendorTimeout,
    VendorUnavailable,
)

__all__ = ["CircuitBreaker", "RetryPolicy", "Throttle", "VendorHttp", "json_message", "reset_shared_breakers",
           "shared_breaker"]

log = logging.getLogger(__name__)

MessageExtractor = Callable[[httpx.Response], str | None]
# A client's chance to say more about an error than the status can (before the breaker records it).
Explainer = Callable[[ConnectorError], Awaitable[ConnectorError]]
# Waits until one more request may be sent (a rate limit); raises a RetryableError if it waits too long.
Throttle = Callable[[], Awaitable[None]]

_BEGIN, _END = "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"

# Methods the vendors treat as upserts or reads: safe to resend after an ambiguous failure.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a call is retried by the transport."""

    max_attempts: int = 4
    initial_delay: float = 0.5
    max_delay: float = 20.0
    jitter: float = 0.5
    retry_statuses: frozenset[int] = frozenset({429, 502, 503, 504})
    # A Retry-After longer than this is handed to the caller instead of slept through.
    max_retry_after: float = 60.0

    @classmethod
    def no_wait(cls, max_attempts: int = 4) -> RetryPolicy:
        """A policy for tests: same decisions, no sleeping."""
        return cls(max_attempts=max_attempts, initial_delay=0.0, max_delay=0.0, jitter=0.0)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def server_date(response: httpx.Response) -> datetime | None:
    """The time the vendor's server stamped on an answer (its ``Date`` header), or None without one."""
    value = response.headers.get("Date")
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def html_summary(response: httpx.Response) -> str | None:
    """One line for an HTML page where JSON was expected (a proxy's or web server's error page): its
    title, never the page."""
    content_type = response.headers.get("content-type", "")
    text = response.text.lstrip()
    if "html" not in content_type.lower() and not text[:15].lower().startswith(("<!doctype html", "<html")):
        return None
    title = _HTML_TITLE.search(text)
    said = " ".join(html.unescape(title.group(1)).split())[:200] if title else ""
    return f"an HTML page instead of JSON{f' ({said})' if said else ''}"


def unreadable_answer(response: httpx.Response, vendor: str, endpoint: str) -> UnreadableAnswer:
    """The error for a 2xx answer whose body is not JSON: what it looked like, never what it held."""
    looks = html_summary(response) or (
        f"a body that is not JSON ({len(response.content)} bytes, {response.headers.get('content-type') or 'no type'}"
        "; cut off on the way?)")
    return UnreadableAnswer(f"{vendor} answered {endpoint} with HTTP {response.status_code} and {looks}; the call "
                            "is tried again (a write may have landed, so it is looked up before it is resent)",
                            vendor=vendor, status=response.status_code, endpoint=endpoint)


def json_message(*keys: str) -> MessageExtractor:
    """An extractor that reads the first present key of a JSON error body, else a summary of an HTML page,
    else the raw text."""

    def extract(response: httpx.Response) -> str | None:
        try:
            body = response.json()
        except ValueError:
            page = html_summary(response)
            if page:
                return page
            text = response.text.strip()
            return text[:500] or None
        if isinstance(body, Mapping):
            found = [str(body[k]) for k in keys if body.get(k)]
            if found:
                return ": ".join(found)
        return None

    return extract


def error_for_response(response: httpx.Response, *, vendor: str, endpoint: str,
                       message_of: MessageExtractor) -> ConnectorError:
    """Translate a non-2xx response into the error tree."""
    status = response.status_code
    vendor_message = message_of(response)
    details: ErrorDetails = {"vendor": vendor, "status": status, "endpoint": endpoint,
                             "vendor_message": vendor_message}
    said = f": {vendor_message}" if vendor_message else ""
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimited(f"{vendor} rate limit reached{said}", retry_after=retry_after, **details)
    if status >= 500:
        return VendorUnavailable(f"{vendor} failed with a server error{said}", **details)
    if status in (401, 403):
        return AuthenticationFailed(f"{vendor} refused our credentials{said}", **details)
    if status == 404:
        return NotFound(f"{vendor} has no such resource{said}", **details)
    return RefusedByVendor(f"{vendor} refused the request{said}", **details)


def vendor_failure(status: int) -> bool:
    """Whether an answer says the vendor (or our access to it) is failing, as opposed to refusing one
    record: 5xx, 429 and refused credentials count towards the breaker; 400/404/409/422 never do."""
    return status >= 500 or status in (401, 403, 429)



@functools.cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process, shared by every client (contexts are safe to share).

    Building one loads the whole CA bundle, tens of milliseconds of CPU, and httpx builds a new one for
    every client it makes unless it is handed one; httpx's own rules choose the bundle.
    """
    return httpx.create_ssl_context()


def one_certificate_bundle(folder: Path) -> Path:
    """A CA file holding only the first certificate of certifi's bundle, written to ``folder``: for a client
    that must be given a CA file but speaks plain HTTP, loading it is nearly free (the whole bundle is not).
    It trusts less than the whole bundle, never more."""
    text = Path(certifi.where()).read_text(encoding="ascii")
    path = folder / "one-certificate.pem"
    path.write_text(text[text.index(_BEGIN):text.index(_END) + len(_END)] + "\n", encoding="ascii")
    return path


class VendorHttp:
    """Sends requests to one vendor base URL under the shared retry, breaker and error policy.

    ``trips_breaker`` decides which non-2xx answers count as failed calls (by default ``vendor_failure``);
    transport failures and timeouts always count, a 2xx closes the breaker, other answers leave it be.
    ``explain`` may replace an answer's error with a more specific one; the breaker keeps that as the cause.
    ``throttle`` is awaited before every request sent, retries and diagnostic probes included: each one
    counts against the vendor's limits.
    """

    def __init__(
        self,
        vendor: str,
        base_url: str,
        *,
        message_of: MessageExtractor,
        auth: httpx.Auth | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        policy: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
        headers: Mapping[str, str] | None = None,
        trips_breaker: Callable[[int], bool] = vendor_failure,
        explain: Explainer | None = None,
        throttle: Throttle | None = None,
    ) -> None:
        self.vendor = vendor
        self.base_url = base_url.rstrip("/")
        self.policy = policy or RetryPolicy()
        self.breaker = breaker or CircuitBreaker()
        self.timeout = timeout
        self._trips_breaker = trips_breaker
        self._explain = explain
        self._throttle = throttle
        self._message_of = message_of
        self._where = httpx.URL(self.base_url).netloc.decode() or self.base_url
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            auth=auth,
            transport=transport,
            verify=tls_context(),
            timeout=httpx.Timeout(timeout),
            headers={"Accept": "application/json", **(headers or {})},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        endpoint: str | None = None,
        params: Any = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
        refusal_trips_breaker: bool = False,
    ) -> httpx.Response:
        """Send one logical call (retried as the policy allows); return the 2xx response or raise.
        ``refusal_trips_breaker``: every non-2xx answer counts as a failed call (e.g. a refused login)."""
        method = method.upper()
        endpoint = endpoint or f"{method} {path}"
        idempotent = method in IDEMPOTENT_METHODS

        def should_retry(exc: BaseException) -> bool:
            if not isinstance(exc, RetryableError) or isinstance(exc, CircuitOpen):
                return False
            if isinstance(exc, RateLimited) and (exc.retry_after or 0) > self.policy.max_retry_after:
                return False
            if isinstance(exc, VendorUnavailable) and exc.status not in self.policy.retry_statuses:
                return False
            # A non-idempotent write may have landed before a timeout or a dropped connection.
            return idempotent or getattr(exc, "never_sent", False) or exc.status in (429, 503)

        def wait(retry_state: Any) -> float:
            exc = retry_state.outcome.exception() if retry_state.outcome else None
            if isinstance(exc, RateLimited) and exc.retry_after is not None:
                return exc.retry_after
            return backoff(retry_state)

        backoff = wait_exponential_jitter(
            initial=self.policy.initial_delay, max=self.policy.max_delay, jitter=self.policy.jitter
        )
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.policy.max_attempts),
            wait=wait,
            retry=retry_if_exception(should_retry),
            reraise=True,
            before_sleep=lambda rs: log.info(
                "%s %s: attempt %d failed (%s); retrying", self.vendor, endpoint, rs.attempt_number,
                type(rs.outcome.exception()).__name__ if rs.outcome else "?",
            ),
        )
        async for attempt in retrying:
            with attempt:
                return await self._send_once(method, path, endpoint, params=params, json=json, data=data,
                                             auth=auth, refusal_trips_breaker=refusal_trips_breaker)
        raise AssertionError("unreachable: tenacity either returns or re-raises")  # pragma: no cover

    async def probe(self, method: str, path: str, *, params: Any = None) -> int | None:
        """Send one diagnostic request outside the retry and breaker policy: its HTTP status, or None
        when no answer came. Used to explain a refusal, never to do business."""
        if self._throttle is not None:
            await self._throttle()
        try:
            response = await self._client.request(method.upper(), path, params=params)
        except httpx.HTTPError:
            return None
        return response.status_code

    async def _send_once(self, method: str, path: str, endpoint: str, *, params: Any, json: Any,
                         data: Mapping[str, str] | None, auth: httpx.Auth | None,
                         refusal_trips_breaker: bool) -> httpx.Response:
        seen = self.breaker.before_call(self.vendor, endpoint)
        if self._throttle is not None:
            await self._throttle()
        kwargs: dict[str, Any] = {"params": params, "json": json, "data": data}
        if auth is not None:
            kwargs["auth"] = auth
        try:
            response = await self._client.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            error: RetryableError = VendorTimeout(
                f"{self.vendor} at {self._where} did not answer within {self.timeout:g} s ({type(exc).__name__})",
                vendor=self.vendor, endpoint=endpoint)
            error.never_sent = isinstance(exc, httpx.ConnectTimeout)
            self.breaker.record_failure(str(error))
            raise error from exc
        except httpx.TransportError as exc:
            never_sent = isinstance(exc, httpx.ConnectError)
            what = "could not connect to" if never_sent else "lost the connection to"
            error = ConnectionLost(f"{what} {self.vendor} at {self._where}: {str(exc) or type(exc).__name__}",
                                   vendor=self.vendor, endpoint=endpoint)
            error.never_sent = never_sent
            self.breaker.record_failure(str(error))
            raise error from exc
        if response.is_success:
            self.breaker.record_success(seen)
            return response
        failure = error_for_response(response, vendor=self.vendor, endpoint=endpoint, message_of=self._message_of)
        if self._explain is not None:
            failure = await self._explain(failure)
        if refusal_trips_breaker or self._trips_breaker(response.status_code):
            self.breaker.record_failure(str(failure))
        raise failure
