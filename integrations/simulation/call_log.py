"""The call log: how many vendor calls a simulator answered, per endpoint, for tests and benchmarks that
count what the connector asks of a vendor (calls per order, per run).

An endpoint is the method, the route's path template (``GET /{warehouse}/api/v1/orders/{order_id}``) and
the names of the query members that filter (``?onlyOrdersWithOrderLinesToReport&orderStatusFrom``); the
members that only page or scope a call (page, id cursors, goods owner, include, sort order) are left out.
Every vendor call is counted, answered or failed by an injected fault; the ``/_sim`` surface never is.
Beside the count, the log keeps the seconds the simulator took to answer each endpoint's calls (from the
request reaching it to the last byte of its answer, any added latency included): what a strictly
sequential client would wait for those calls, the bound a benchmark compares a run with.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter
from starlette.types import ASGIApp, Receive, Scope, Send

PAGING_MEMBERS = frozenset({"page", "sortOrder", "include", "goodsOwnerId", "orderIdFrom", "maxOrdersToGet",
                            "articleSystemIdFrom", "maxArticlesToGet", "purchaseOrderIdFrom",
                            "maxPurchaseOrdersToGet"})


class CallLog:
    """Vendor calls per endpoint since the simulator started or the log was last cleared."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[str] = Counter()
        self._seconds: dict[str, float] = {}

    def record(self, endpoint: str, seconds: float = 0.0) -> None:
        with self._lock:
            self._calls[endpoint] += 1
            self._seconds[endpoint] = self._seconds.get(endpoint, 0.0) + seconds

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._calls.items()))

    def seconds(self) -> dict[str, float]:
        """Seconds spent answering, per endpoint."""
        with self._lock:
            return {endpoint: round(self._seconds[endpoint], 6) for endpoint in sorted(self._seconds)}

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()
            self._seconds.clear()


def endpoint_name(method: str, template: str, query_string: str) -> str:
    filters = sorted({name for name, _ in parse_qsl(query_string, keep_blank_values=True)} - PAGING_MEMBERS)
    return f"{method} {template}" + (f"?{'&'.join(filters)}" if filters else "")


class CallLogMiddleware:
    """Counts each vendor call under its route's template once the app has routed it."""

    def __init__(self, app: ASGIApp, log: CallLog) -> None:
        self.app, self.log = app, log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_sim"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            route = scope.get("route")  # set by the router; absent when a fault answered before routing
            template = getattr(route, "path", None) or scope["path"]
            self.log.record(endpoint_name(scope["method"], template, scope.get("query_string", b"").decode()),
                            time.perf_counter() - started)


def call_log_router(log: CallLog) -> APIRouter:
    router = APIRouter(prefix="/_sim", tags=["simulator admin"])

    @router.get("/calls")
    def get_calls() -> dict[str, Any]:
        counts = log.counts()
        return {"calls": counts, "total": sum(counts.values()), "seconds": log.seconds()}

    @router.delete("/calls")
    def clear_calls() -> dict[str, Any]:
        log.clear()
        return {"calls": {}, "total": 0, "seconds": {}}

    return router
