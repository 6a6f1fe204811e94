"""The webhook receiver as a web app: two vendor routes and a health check (FastAPI, served by uvicorn).

``POST /starweb/{merchant}/{token}``: Starweb signs nothing, so the URL it was registered with carries the
merchant's secret (and ``?event=`` the web-hook's event). ``POST /ongoing/{merchant}``: Ongoing sends the
secret in ``X-Auth-Token``. What happens to a call is decided in ``webhooks.receiver``; this module only
reads the request within the size limit and writes the answer. ``GET /health`` answers without a database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse

from ledger.db import Ledger
from ledger.types import utcnow
from ledger.webhooks import forget_deliveries
from webhooks.callers import MerchantDirectory, SecretCache
from webhooks.emitter import PrefectEventSink
from webhooks.receiver import Answer, DeliveryBook, EventSink, Receiver

# Ongoing stops retrying after 24 hours, Starweb after ten tries half an hour apart.
KEEP_DELIVERIES = timedelta(days=3)
PENDING_EVERY_SECONDS = 0.5

log = logging.getLogger("swo.webhooks")


def body_reader(request: Request) -> Callable[[int], Awaitable[bytes | None]]:
    """Read the body, but never more than ``limit`` bytes: None when it is longer."""

    async def read(limit: int) -> bytes | None:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return None
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    return read


def respond(answer: Answer) -> JSONResponse:
    headers = {"Retry-After": "60"} if answer.retry_later else None
    return JSONResponse({"outcome": answer.outcome.value, "detail": answer.detail}, status_code=answer.status,
                        headers=headers)


def create_app(receiver: Receiver) -> FastAPI:
    """The receiver's routes around a ready ``Receiver`` (tests hand in their own event sink)."""
    app = FastAPI(title="Starweb ⇄ Ongoing connector: webhook receiver", docs_url=None, redoc_url=None,
                  openapi_url=None)
    add_routes(app, lambda: receiver)
    return app


def add_routes(app: FastAPI, current: Callable[[], Receiver]) -> None:
    @app.post("/starweb/{merchant_id}/{token}")
    async def starweb_web_hook(merchant_id: str, token: str, request: Request,
                               event: str | None = None) -> JSONResponse:
        return respond(await current().receive("starweb", merchant_id, token, body_reader(request), event))

    @app.post("/ongoing/{merchant_id}")
    async def ongoing_webhook(merchant_id: str, request: Request,
                              x_auth_token: Annotated[str | None, Header()] = None) -> JSONResponse:
        return respond(await current().receive("ongoing", merchant_id, x_auth_token, body_reader(request)))

    @app.get("/health")
    async def health() -> dict[str, bool]:
        return {"ok": True}


def create_served_app(*, merchants_dir: Path, ledger_url: str, prefect_api_url: str,
                      emit_budget_seconds: float = 0.15) -> FastAPI:
    """The receiver as ``swo webhooks serve`` runs it: the ledger by URL and events into the Prefect API."""
    holder: dict[str, Receiver] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        ledger = Ledger(ledger_url)
        with ledger.session() as session:
            forget_deliveries(session, utcnow() - KEEP_DELIVERIES)
        async with PrefectEventSink(prefect_api_url, budget_seconds=emit_budget_seconds) as sink:
            receiver = holder["receiver"] = receiver_for(merchants_dir, ledger, sink)
            pending = asyncio.create_task(keep_emitting_pending(receiver))
            yield
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pending
        ledger.dispose()

    app = FastAPI(title="Starweb ⇄ Ongoing connector: webhook receiver", docs_url=None, redoc_url=None,
                  openapi_url=None, lifespan=lifespan)
    add_routes(app, lambda: holder["receiver"])
    return app


async def keep_emitting_pending(receiver: Receiver, every: float = PENDING_EVERY_SECONDS) -> None:
    """The receiver's outbox: emit what Prefect did not take while the vendor waited for its answer."""
    while True:
        try:
            sent = await receiver.emit_pending()
            if sent:
                log.info("emitted %d webhook event(s) Prefect had not taken in time", sent)
        except Exception:  # the loop must outlive a bad round (the ledger away for a moment, a bug)
            log.exception("emitting pending webhook events failed")
        await asyncio.sleep(every)


def receiver_for(merchants_dir: Path, ledger: Ledger, sink: EventSink) -> Receiver:
    return Receiver(MerchantDirectory(merchants_dir), SecretCache(), DeliveryBook(ledger), sink)
