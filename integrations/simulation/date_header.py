"""The ``Date`` response header, from the simulator's own clock.

Every HTTP server stamps its answers with the time it believes it is (RFC 9110, section 6.6.1), and a
client measures how far its clock is from the vendor's by it. The simulators set the header from their
own clock instead of leaving it to the web server, so a simulator whose clock was moved (Starweb's
``/_sim/clock/advance``) shows that in every answer, as a vendor with a skewed clock would.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

ASGIApp = Callable[..., Any]


class DateHeaderMiddleware:
    """ASGI middleware that sets ``Date`` on every HTTP response from ``now()``."""

    def __init__(self, app: ASGIApp, now: Callable[[], datetime]) -> None:
        self.app = app
        self.now = now

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_dated(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                stamp = format_datetime(self.now().astimezone(UTC), usegmt=True).encode("latin-1")
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
                message = {**message, "headers": [*headers, (b"date", stamp)]}
            await send(message)

        await self.app(scope, receive, send_dated)
