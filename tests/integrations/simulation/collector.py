"""A stand-in webhook subscriber on a real port: it keeps every call (path, headers, JSON body).

Test modules import ``collector_fixture`` and ``collector_server_fixture``; pytest knows them as
``collector`` (emptied for each test) and ``collector_server`` (one per module)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI, Request

from integrations.simulation.server import RunningServer, serve_in_thread


@dataclass
class Collector:
    server: RunningServer
    calls: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200

    def url(self, path: str = "/hook") -> str:
        return f"{self.server.root_url}{path}"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The calls, once at least ``count`` have come (or the timeout passed)."""
        deadline = time.monotonic() + timeout
        while len(self.calls) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.calls)


@pytest.fixture(scope="module", name="collector_server")
def collector_server_fixture() -> Iterator[Collector]:
    app = FastAPI()
    collector = Collector(server=None)  # type: ignore[arg-type]

    @app.post("/{path:path}")
    async def collect(path: str, request: Request) -> Any:
        from fastapi.responses import JSONResponse

        collector.calls.append({"path": f"/{path}", "query": dict(request.query_params),
                                "headers": dict(request.headers), "body": await request.json()})
        return JSONResponse({}, status_code=collector.status)

    collector.server = serve_in_thread(app)
    yield collector
    collector.server.stop()


@pytest.fixture(name="collector")
def collector_fixture(collector_server: Collector) -> Collector:
    collector_server.calls.clear()
    collector_server.status = 200
    return collector_server
