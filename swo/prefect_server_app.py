"""The local Prefect server that ``swo run`` starts: Prefect's own server app, run the way
``prefect server start`` runs it in the foreground, with one change: a request its SQLite database was
too busy for is tried again at once, inside the server.

On SQLite, the Prefect server answers 503 ("database is locked") whenever a request's write meets its
own bookkeeping's (recording task states and events, which happens all the time while runs are going).
Prefect's clients then wait 2 s before asking again: creating an event-started run, a flow run's state
change, a runner's poll, each paid that now and then (measured: two of three event-started runs created
2 s after their event). Here such a request is run again after 50 ms, up to 40 times (about 2 s); only
then does the client get the 503 and fall back to its own, patient, backoff. A request that failed with
"database is locked" changed nothing (its transaction was rolled back), which is why Prefect's clients
repeat it too. A PostgreSQL-backed Prefect server (docs/scaling.md) does not have the problem.

    python -m swo.prefect_server_app --host 127.0.0.1 --port 4200
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

BUSY_STATUS = 503
AGAIN_AFTER_SECONDS = 0.05
ATTEMPTS = 40


class TryAgainWhenBusy:
    """ASGI middleware: an API request answered 503 is run again (its body replayed) a few times before
    the 503 goes out. Answers are held until complete, so it is for the API's small JSON answers only."""

    def __init__(self, app: App, *, attempts: int = ATTEMPTS, pause: float = AGAIN_AFTER_SECONDS) -> None:
        self.app, self.attempts, self.pause = app, attempts, pause

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        body = await _whole_body(receive)
        for attempt in range(1, self.attempts + 1):
            answer, failure = await self._run_once(scope, body, receive)
            busy = bool(answer) and answer[0]["type"] == "http.response.start" and answer[0]["status"] == BUSY_STATUS
            if busy and attempt < self.attempts:
                await asyncio.sleep(self.pause)
                continue
            for message in answer:
                await send(message)
            if failure is not None:
                raise failure
            return

    async def _run_once(self, scope: Scope, body: bytes, receive: Receive) -> tuple[list[Message], Exception | None]:
        """The app's answer to the request, held back, and the exception it raised after answering."""
        answer: list[Message] = []
        body_given = False

        async def replay() -> Message:
            nonlocal body_given
            if body_given:
                return await receive()  # after the body: what the connection says next (a disconnect)
            body_given = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def hold(message: Message) -> None:
            answer.append(message)

        try:
            await self.app(dict(scope), replay, hold)  # a copy: routing rewrites the scope it is given
        except Exception as exc:  # Starlette re-raises after answering 500/503; the answer is what counts
            return answer, exc
        return answer, None


async def _whole_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away; the app sees an empty body
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Prefect's server, trying a request again when its database was busy")
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
    app.add_middleware(TryAgainWhenBusy)
    uvicorn.run(app, host=options.host, port=options.port,
                timeout_keep_alive=PREFECT_SERVER_API_KEEPALIVE_TIMEOUT.value(),
                ws_ping_interval=PREFECT_SERVER_API_WEBSOCKET_PING_INTERVAL.value(),
                ws_ping_timeout=PREFECT_SERVER_API_WEBSOCKET_PING_TIMEOUT.value(),
                log_level=PREFECT_SERVER_LOGGING_LEVEL.value().lower())


if __name__ == "__main__":
    main()
