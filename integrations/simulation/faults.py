"""Fault injection for the simulators: the failures real vendors show, on demand and reproducibly.

Random faults are drawn per request from a seeded generator at the configured rate of each kind, so the
same seed and the same sequence of requests give the same faults. The kinds: 429 with Retry-After, 500,
a hang past the client's timeout, a dropped connection, an answer lost after the write landed, a slow
answer that arrives after the client gave up (the write landed too), an HTML error page instead of JSON,
a 2xx whose JSON is cut off, and 401 ``invalid_token`` (the simulator really forgets the token, as an
expired one is gone). Scripted faults hit the next matching requests exactly, for tests that need a
failure at one precise step. On top, Ongoing's consecutive-failure lockout (``lockout``) can be played.

Only vendor paths are affected and counted; the ``/_sim`` admin surface never is, nor are requests
carrying ``X-Sim-Actor`` (a shopper's or merchant's own action in a test, not the integration's call).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from integrations.simulation.lockout import ConsecutiveFailureLockout, LockoutScope, endpoint_of

FaultKind = Literal["429", "500", "502", "503", "timeout", "drop", "lost_answer", "slow_answer", "html_error",
                    "truncated_json", "invalid_token"]

# Requests carrying this header are a test's actors (the shopper, the merchant), never faulted or counted.
ACTOR_HEADER = "x-sim-actor"

# The kinds a random draw can pick, in the order the draw walks them (part of what a seed reproduces).
RANDOM_KINDS: tuple[FaultKind, ...] = ("429", "500", "timeout", "drop", "lost_answer", "slow_answer", "html_error",
                                       "truncated_json", "invalid_token")


class ScriptedFault(BaseModel):
    """Fail the next ``times`` requests that match method, path fragment and query fragment."""

    fault: FaultKind
    method: str | None = None
    path_contains: str | None = None
    query_contains: str | None = Field(default=None, description="e.g. 'page=2': a token expiring mid-paging")
    times: int = Field(default=1, ge=1)


class FaultConfig(BaseModel):
    rate_429: float = Field(default=0.0, ge=0, le=1)
    rate_500: float = Field(default=0.0, ge=0, le=1)
    rate_timeout: float = Field(default=0.0, ge=0, le=1)
    rate_drop: float = Field(default=0.0, ge=0, le=1)
    rate_lost_answer: float = Field(default=0.0, ge=0, le=1)
    rate_slow_answer: float = Field(default=0.0, ge=0, le=1)
    rate_html_error: float = Field(default=0.0, ge=0, le=1)
    rate_truncated_json: float = Field(default=0.0, ge=0, le=1)
    rate_invalid_token: float = Field(default=0.0, ge=0, le=1, description="only requests with a bearer token")
    latency_ms: int = Field(default=0, ge=0)
    retry_after_seconds: float = Field(default=1.0, ge=0)
    timeout_seconds: float = Field(default=35.0, ge=0, description="how long a 'timeout' or 'slow_answer' hangs")
    html_error_status: int = Field(default=502, ge=400, le=599, description="the status of an 'html_error' page")
    seed: int | None = None
    scripted: list[ScriptedFault] = Field(default_factory=list)
    # Ongoing's consecutive-failure limiter; off unless lockout_after_failures is set.
    lockout_after_failures: int | None = Field(default=None, ge=1)
    lockout_window_seconds: float = Field(default=600.0, gt=0)
    lockout_seconds: float = Field(default=600.0, ge=0)
    lockout_scope: LockoutScope = "client"

    @classmethod
    def spread(cls, rate: float, *, kinds: tuple[FaultKind, ...] = RANDOM_KINDS, **settings: Any) -> FaultConfig:
        """``rate`` of all requests faulted, shared evenly by ``kinds``."""
        share = rate / len(kinds)
        return cls(**{f"rate_{kind}": share for kind in kinds}, **settings)

    def rates(self) -> list[tuple[FaultKind, float]]:
        return [(kind, getattr(self, f"rate_{kind}")) for kind in RANDOM_KINDS]


class FaultInjector:
    """Holds the current fault configuration and decides, per request, what goes wrong."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.configure(FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        with self._lock:
            self.config = config.model_copy(deep=True)
            self._rng = random.Random(config.seed)
            self.injected: list[dict[str, str]] = []
            self.calls = 0
            self.lockout = None if config.lockout_after_failures is None else ConsecutiveFailureLockout(
                config.lockout_after_failures, config.lockout_window_seconds, config.lockout_seconds,
                config.lockout_scope, clock=self._clock)

    def count_call(self) -> None:
        with self._lock:
            self.calls += 1

    def choose(self, method: str, path: str, query: str = "", *, bearer: bool = False) -> FaultKind | None:
        """The fault for this request, if any. ``bearer``: the request carries a bearer token (only those
        can have their token refused)."""
        with self._lock:
            for rule in self.config.scripted:
                if rule.times <= 0:
                    continue
                if rule.method and rule.method.upper() != method.upper():
                    continue
                if rule.path_contains and rule.path_contains not in path:
                    continue
                if rule.query_contains and rule.query_contains not in query:
                    continue
                rule.times -= 1
                return self._note(rule.fault, method, path)
            draw = self._rng.random()
            for kind, rate in self.config.rates():
                if draw < rate:
                    if kind == "invalid_token" and not bearer:
                        return None
                    return self._note(kind, method, path)
                draw -= rate
            return None

    def _note(self, kind: FaultKind, method: str, path: str) -> FaultKind:
        self.injected.append({"fault": kind, "method": method, "path": path})
        return kind

    def locked_out(self, client: str, endpoint: str) -> float | None:
        """Seconds this client is still locked out of this endpoint, or None."""
        with self._lock:
            return self.lockout.seconds_left(client, endpoint) if self.lockout else None

    def answered(self, client: str, endpoint: str, status: int) -> None:
        """Count an answer towards the lockout: 4xx and 5xx are failed calls, anything else a success."""
        with self._lock:
            if self.lockout is not None:
                self.lockout.record(client, endpoint, failed=status >= 400)

    def report(self, *, summary: bool = False) -> dict[str, Any]:
        """The configuration, every injected fault (or with ``summary`` their count per kind), the calls counted
        and every lockout."""
        with self._lock:
            lockouts = self.lockout.lockouts if self.lockout else []
            injected: Any = list(self.injected)
            if summary:
                injected = dict(Counter(fault["fault"] for fault in self.injected))
            return {"config": self.config.model_dump(), "injected": injected, "calls": self.calls,
                    "lockouts": [{"client": lo.client, "endpoint": lo.endpoint, "seconds": lo.seconds}
                                 for lo in lockouts]}


def fault_router(injector: FaultInjector) -> APIRouter:
    router = APIRouter(prefix="/_sim", tags=["simulator admin"])

    @router.post("/faults")
    def set_faults(config: FaultConfig) -> FaultConfig:
        injector.configure(config)
        return injector.config

    @router.get("/faults")
    def get_faults(summary: bool = False) -> dict[str, Any]:
        return injector.report(summary=summary)

    @router.delete("/faults")
    def clear_faults() -> FaultConfig:
        injector.configure(FaultConfig())
        return injector.config

    return router


async def _discard(message: Message) -> None:
    """An ASGI ``send`` that throws the answer away."""


class _Recorded:
    """An ASGI ``send`` that keeps the answer (status, headers, body) instead of sending it."""

    def __init__(self) -> None:
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")

    async def replay(self, send: Send, body: bytes | None = None) -> None:
        body = self.body if body is None else body
        headers = [(k, v) for k, v in self.headers if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _html_page(status: int) -> bytes:
    """What a proxy or IIS in front of the API shows instead of the API's JSON."""
    title = {500: "500 - Internal server error.", 502: "502 - Web server received an invalid response while "
             "acting as a gateway or proxy server.", 503: "Service Unavailable"}.get(status, f"HTTP Error {status}")
    return (f'<!DOCTYPE html>\r\n<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>'
            f"<title>{title}</title></head><body><div id=\"header\"><h1>Server Error</h1></div>"
            f'<div id="content"><fieldset><h2>{title}</h2></fieldset></div></body></html>').encode()


class FaultMiddleware:
    """ASGI middleware applying the injector's decisions to vendor paths.

    ``revoke_token`` (Starweb) forgets a bearer token when an ``invalid_token`` fault refuses it, so the
    client must really fetch a new one; ``error_body`` maps a status (or ``lockout``, ``default``) to the
    vendor's error body.
    """

    def __init__(self, app: ASGIApp, injector: FaultInjector, *, error_body: dict[str, Any],
                 revoke_token: Callable[[str], object] | None = None) -> None:
        self.app = app
        self.injector = injector
        self.error_body = error_body
        self.revoke_token = revoke_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_sim"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if ACTOR_HEADER in headers:
            await self.app(scope, receive, send)
            return
        self.injector.count_call()
        config = self.injector.config
        if config.latency_ms:
            await asyncio.sleep(config.latency_ms / 1000)
        authorization = headers.get("authorization", "")
        client = hashlib.sha256(authorization.encode()).hexdigest()[:12]
        endpoint = endpoint_of(scope["method"], scope["path"])
        left = self.injector.locked_out(client, endpoint)
        if left is not None:
            await self._send_error(send, 403, {}, key="lockout")
            return
        bearer = authorization[:7].lower() == "bearer "
        fault = self.injector.choose(scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1"),
                                     bearer=bearer)
        status = await self._answer(fault, scope, receive, send, authorization[7:].strip() if bearer else None,
                                    lambda answered: self.injector.answered(client, endpoint, answered))
        if status is not None:
            self.injector.answered(client, endpoint, status)

    async def _answer(self, fault: FaultKind | None, scope: Scope, receive: Receive, send: Send,
                      token: str | None, count: Callable[[int], None]) -> int | None:
        """Answer the request as ``fault`` says; the status the client was sent, for the caller to count (None:
        no answer, or one ``count`` has counted already)."""
        config = self.injector.config
        if fault is None:
            async def counted_first(message: Message) -> None:
                if message["type"] == "http.response.start":
                    # Counted before the client can read the answer: a client acting on it at once (the next
                    # call, a clock moved) finds the call counted at the moment it was answered.
                    count(message["status"])
                await send(message)

            await self.app(scope, receive, counted_first)
            return None
        if fault in ("drop", "lost_answer"):
            if fault == "lost_answer":
                await self.app(scope, receive, _discard)  # the write happens; its answer never leaves
            # Promise a body, send half of it, then break off: the client sees a dropped connection.
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")]})
            await send({"type": "http.response.body", "body": b'{"data": ', "more_body": True})
            raise ConnectionAbortedError("simulated dropped connection")
        if fault in ("slow_answer", "truncated_json"):
            recorded = _Recorded()
            await self.app(scope, receive, recorded)  # the request does its work either way
            if fault == "slow_answer":
                await asyncio.sleep(config.timeout_seconds)  # the client has given up by now
                try:
                    await recorded.replay(send)
                except Exception:  # the client is gone; nobody reads the answer
                    return None
            else:
                await recorded.replay(send, recorded.body[: len(recorded.body) // 2])
            return recorded.status
        if fault == "timeout":
            await asyncio.sleep(config.timeout_seconds)
            await self._send_error(send, 504, {})
            return 504
        if fault == "html_error":
            page = _html_page(config.html_error_status)
            await send({"type": "http.response.start", "status": config.html_error_status,
                        "headers": [(b"content-type", b"text/html; charset=utf-8"),
                                    (b"content-length", str(len(page)).encode())]})
            await send({"type": "http.response.body", "body": page})
            return config.html_error_status
        if fault == "invalid_token":
            if token and self.revoke_token is not None:
                self.revoke_token(token)
            await self._send_error(send, 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
            return 401
        headers = {"Retry-After": f"{config.retry_after_seconds:g}"} if fault == "429" else {}
        await self._send_error(send, int(fault), headers)
        return int(fault)

    async def _send_error(self, send: Send, status: int, headers: dict[str, str], *, key: str | None = None) -> None:
        bodies = self.error_body
        body = json.dumps(bodies.get(key or str(status), bodies.get(str(status), bodies.get("default", {})))).encode()
        raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        raw_headers += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": body})
