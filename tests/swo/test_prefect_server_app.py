"""The local Prefect server of ``swo run`` runs a request its database was too busy for again, inside the
server, before the client ever sees the 503 (Prefect's clients would wait 2 s); and it starts."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy.exc
from fastapi import FastAPI, Request
from prefect.server.api.server import custom_internal_exception_handler

from swo.prefect_server import ensure_prefect_server
from swo.prefect_server_app import TryAgainWhenBusy
from tests.swo.test_prefect_server import free_port


def locked() -> sqlalchemy.exc.OperationalError:
    return sqlalchemy.exc.OperationalError("UPDATE concurrency_limit_v2 ...", {},
                                           sqlite3.OperationalError("database is locked"))


def app_like_prefects(busy_for: int, attempts: int) -> tuple[FastAPI, list[Any]]:
    """An API app mounted under the root app as ``create_app`` builds it, failing through Prefect's own
    exception handler while the database is "locked" (the first ``busy_for`` calls)."""
    api, calls = FastAPI(), []
    api.add_exception_handler(Exception, custom_internal_exception_handler)

    @api.post("/v2/concurrency_limits/increment")
    async def increment(request: Request) -> dict[str, Any]:
        calls.append(await request.json())
        if len(calls) <= busy_for:
            raise locked()
        return {"taken": calls[-1]["slots"]}

    app = FastAPI()
    app.mount("/api", api)
    app.add_middleware(TryAgainWhenBusy, attempts=attempts, pause=0)
    return app, calls


async def call(app: FastAPI) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://prefect") as client:
        return await client.post("/api/v2/concurrency_limits/increment", json={"slots": 5})


async def test_a_request_the_database_was_busy_for_is_run_again_with_its_body() -> None:
    app, calls = app_like_prefects(busy_for=3, attempts=10)
    answer = await call(app)
    assert answer.status_code == 200 and answer.json() == {"taken": 5}
    assert calls == [{"slots": 5}] * 4


async def test_a_database_that_stays_busy_gets_the_client_its_503() -> None:
    app, calls = app_like_prefects(busy_for=100, attempts=4)
    answer = await call(app)
    assert answer.status_code == 503 and "Retry-After" not in answer.headers, "the client's own backoff decides"
    assert len(calls) == 4


def test_swo_run_starts_prefects_server_with_it(tmp_path: Path) -> None:
    server = ensure_prefect_server(tmp_path, port=free_port())
    try:
        assert server.process is not None
        assert httpx.get(f"{server.api_url}/health", timeout=10).json() is True
        made = httpx.post(f"{server.api_url}/flows/", json={"name": "a-flow"}, timeout=10)
        assert made.status_code == 201 and made.json()["name"] == "a-flow"
        assert httpx.get(server.ui_url, timeout=10).status_code == 200, "the UI is served too"
    finally:
        server.stop()
    assert server.process.poll() is not None
