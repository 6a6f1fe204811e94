"""Serve an ASGI app on a real local port from a background thread (tests, the demo, ``make sim``)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from typing import Literal

import uvicorn


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@dataclass
class RunningServer:
    server: uvicorn.Server
    thread: threading.Thread
    host: str
    port: int

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)


def serve_in_thread(app: object, *, host: str = "127.0.0.1", port: int | None = None,
                    startup_timeout: float = 15.0, lifespan: Literal["on", "off"] = "off") -> RunningServer:
    """Start uvicorn for ``app`` in a daemon thread and wait until it accepts connections (and, with
    ``lifespan="on"``, until the app's startup has run)."""
    port = port or free_port(host)
    # date_header off: each simulator stamps Date from its own clock (integrations.simulation.date_header).
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            lifespan=lifespan, timeout_graceful_shutdown=1, date_header=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"sim-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"simulator on {host}:{port} did not start")
        time.sleep(0.02)
    return RunningServer(server=server, thread=thread, host=host, port=port)
