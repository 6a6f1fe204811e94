"""The local Prefect server that ``swo run`` starts: Prefect's own server app, run the way
``prefect server start`` runs it in the foreground, with one change to its answers.

On SQLite, the Prefect server answers 503 ("database is locked") whenever a request's write meets its
own bookkeeping's (recording task states and events, which happens all the time while runs are going),
and gives no ``Retry-After``. Prefect's clients then wait 2 s before asking again: creating an event-started
run, a runner's or a flow run's state change, each paid that now and then, measured as two of three
event-started runs created 2 s late. Here those answers say ``Retry-After: 0.1``, which Prefect's
clients honour. A PostgreSQL-backed Prefect server (docs/scaling.md) does not have the problem.

    python -m swo.prefect_server_app --host 127.0.0.1 --port 4200
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

BUSY_RETRY_AFTER = b"0.1"


class AskAgainSoonWhenBusy:
    """ASGI middleware: a 503 without a ``Retry-After`` gets ``Retry-After: 0.1``."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_wait(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 503:
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"retry-after" for name, _ in headers):
                    message = {**message, "headers": [*headers, (b"retry-after", BUSY_RETRY_AFTER)]}
            await send(message)

        await self.app(scope, receive, send_with_wait)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Prefect's server, answering 503s with a short Retry-After")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4200)
    options = parser.parse_args(argv)

    import uvicorn
    from prefect.server.api.server import create_app
    from prefect.settings import (
        PREFECT_SERVER_API_KEEPALIVE_TIMEOUT,
        PREFECT_SERVER_API_WEBSOCKET_PING_INTERVAL,
        PREFECT_SERVER_API_WEBSOCKET_PING_TIMEOUT,
        PREFECT_SERVER_LOGGING_LEVEL,
    )

    app = create_app(final=True)
    # Added to the app itself, not wrapped around it: the server's own services (the one that starts a
    # deployment's run on an event, for one) call this same app in-process.
    app.add_middleware(AskAgainSoonWhenBusy)
    uvicorn.run(app, host=options.host, port=options.port,
                timeout_keep_alive=PREFECT_SERVER_API_KEEPALIVE_TIMEOUT.value(),
                ws_ping_interval=PREFECT_SERVER_API_WEBSOCKET_PING_INTERVAL.value(),
                ws_ping_timeout=PREFECT_SERVER_API_WEBSOCKET_PING_TIMEOUT.value(),
                log_level=PREFECT_SERVER_LOGGING_LEVEL.value().lower())


if __name__ == "__main__":
    main()
