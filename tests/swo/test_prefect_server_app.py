"""The local Prefect server of ``swo run`` answers "database is locked" with a short Retry-After, so Prefect's
clients (the server's own among them) ask again after a tenth of a second instead of two; and it starts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import sqlalchemy.exc
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from prefect.server.api.server import custom_internal_exception_handler

from swo.prefect_server import ensure_prefect_server
from swo.prefect_server_app import AskAgainSoonWhenBusy
from tests.swo.test_prefect_server import free_port


def app_like_prefects() -> FastAPI:
    """Routes that fail the way Prefect's server does, through Prefect's own exception handler, in an API app
    mounted under the root app, as ``create_app`` builds it."""
    api = FastAPI()
    api.add_exception_handler(Exception, custom_internal_exception_handler)

    @api.post("/v2/concurrency_limits/increment")
    def locked() -> None:
        raise sqlalchemy.exc.OperationalError("UPDATE concurrency_limit_v2 ...", {},
                                              sqlite3.OperationalError("database is locked"))

    @api.get("/waits")
    def waits() -> JSONResponse:
        return JSONResponse({}, status_code=503, headers={"Retry-After": "7"})

    @api.get("/health")
    def health() -> bool:
        return True

    app = FastAPI()
    app.mount("/api", api)
    app.add_middleware(AskAgainSoonWhenBusy)
    return app


async def test_a_locked_database_is_answered_with_a_short_retry_after() -> None:
    transport = httpx.ASGITransport(app=app_like_prefects(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://prefect") as client:
        locked = await client.post("/api/v2/concurrency_limits/increment")
        waits = await client.get("/api/waits")
        healthy = await client.get("/api/health")
    assert locked.status_code == 503 and locked.headers["Retry-After"] == "0.1"
    assert waits.headers.get_list("Retry-After") == ["7"], "a wait the server chose is left alone"
    assert healthy.status_code == 200 and "Retry-After" not in healthy.headers


def test_swo_run_starts_prefects_server_with_it(tmp_path: Path) -> None:
    server = ensure_prefect_server(tmp_path, port=free_port())
    try:
        assert server.process is not None
        assert httpx.get(f"{server.api_url}/health", timeout=10).json() is True
        made = httpx.post(f"{server.api_url}/flows/", json={"name": "a-flow"}, timeout=10)
        assert made.status_code == 201 and made.json()["name"] == "a-flow"
    finally:
        server.stop()
    assert server.process.poll() is not None
