"""Fault injection for the simulators: the failures real vendors show, on demand and reproducibly.

Random faults are drawn per request from a seeded generator at the configured rates (429 with
Retry-After, 500, a hang longer than the client's timeout, a dropped connection) plus added
latency. Scripted faults hit the next matching requests exactly, for tests that need a failure
at one precise step; one of them, ``lost_answer``, lets the request do its work and then drops the
connection before the answer, as when a write lands but its answer is lost on the way back. Only
vendor paths are affected; the ``/_sim`` admin surface never is.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FaultKind = Literal["429", "500", "502", "503", "timeout", "drop", "lost_answer"]


class ScriptedFault(BaseModel):
    """Fail the next ``times`` requests that match method and path fragment."""

    fault: FaultKind
    method: str | None = None
    path_contains: str | None = None
    times: int = Field(default=1, ge=1)


class FaultConfig(BaseModel):
    rate_429: float = Field(default=0.0, ge=0, le=1)
    rate_500: float = Field(default=0.0, ge=0, le=1)
    rate_timeout: float = Field(default=0.0, ge=0, le=1)
    rate_drop: float = Field(default=0.0, ge=0, le=1)
    latency_ms: int = Field(default=0, ge=0)
    retry_after_seconds: float = Field(default=1.0, ge=0)
    timeout_seconds: float = Field(default=35.0, ge=0, description="how long a 'timeout' fault hangs")
    seed: int | None = None
    scripted: list[ScriptedFault] = Field(default_factory=list)


class FaultInjector:
    """Holds the current fault configuration and decides, per request, what goes wrong."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.configure(FaultConfig())
        self.injected: list[dict[str, str]] = []

    def configure(self, config: FaultConfig) -> None:
        with self._lock:
            self.config = config.model_copy(deep=True)
            self._rng = random.Random(config.seed)
            self.injected = []

    def choose(self, method: str, path: str) -> FaultKind | None:
        with self._lock:
            for rule in self.config.scripted:
                if rule.times <= 0:
                    continue
                if rule.method and rule.method.upper() != method.upper():
                    continue
                if rule.path_contains and rule.path_contains not in path:
                    continue
                rule.times -= 1
                self.injected.append({"fault": rule.fault, "method": method, "path": path})
                return rule.fault
            c = self.config
            draw = self._rng.random()
            rates: tuple[tuple[FaultKind, float], ...] = (("429", c.rate_429), ("500", c.rate_500),
                                                          ("timeout", c.rate_timeout), ("drop", c.rate_drop))
            for kind, rate in rates:
                if draw < rate:
                    self.injected.append({"fault": kind, "method": method, "path": path})
                    return kind
                draw -= rate
            return None


def fault_router(injector: FaultInjector) -> APIRouter:
    router = APIRouter(prefix="/_sim", tags=["simulator admin"])

    @router.post("/faults")
    def set_faults(config: FaultConfig) -> FaultConfig:
        injector.configure(config)
        return injector.config

    @router.get("/faults")
    def get_faults() -> dict[str, Any]:
        return {"config": injector.config.model_dump(), "injected": injector.injected}

    @router.delete("/faults")
    def clear_faults() -> FaultConfig:
        injector.configure(FaultConfig())
        return injector.config

    return router


async def _discard(message: Message) -> None:
    """An ASGI ``send`` that throws the answer away."""


class FaultMiddleware:
    """ASGI middleware applying the injector's decisions to vendor paths."""

    def __init__(self, app: ASGIApp, injector: FaultInjector, *, error_body: dict[str, Any]) -> None:
        self.app = app
        self.injector = injector
        self.error_body = error_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_sim"):
            await self.app(scope, receive, send)
            return
        config = self.injector.config
        if config.latency_ms:
            await asyncio.sleep(config.latency_ms / 1000)
        fault = self.injector.choose(scope["method"], scope["path"])
        if fault is None:
            await self.app(scope, receive, send)
        elif fault == "timeout":
            await asyncio.sleep(config.timeout_seconds)
            await self._send_error(send, 504, {})
        elif fault in ("drop", "lost_answer"):
            if fault == "lost_answer":
                await self.app(scope, receive, _discard)  # the write happens; its answer never leaves
            # Promise a body, send half of it, then break off: the client sees a dropped connection.
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")]})
            await send({"type": "http.response.body", "body": b'{"data": ', "more_body": True})
            raise ConnectionAbortedError("simulated dropped connection")
        else:
            headers = {"Retry-After": f"{config.retry_after_seconds:g}"} if fault == "429" else {}
            await self._send_error(send, int(fault), headers)

    async def _send_error(self, send: Send, status: int, headers: dict[str, str]) -> None:
        body = json.dumps(self.error_body.get(str(status), self.error_body.get("default", {}))).encode()
        raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        raw_headers += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": body})
