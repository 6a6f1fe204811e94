"""Running both vendor simulators side by side: for ``make sim``, ``make run`` and the tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from integrations.ongoing.simulator import OngoingSimSettings
from integrations.ongoing.simulator import create_app as create_ongoing_app
from integrations.simulation.server import RunningServer, serve_in_thread
from integrations.simulation.store import DocumentStore
from integrations.starweb.simulator import StarwebSimSettings
from integrations.starweb.simulator import create_app as create_starweb_app


@dataclass
class Simulators:
    starweb: RunningServer
    ongoing: RunningServer
    starweb_settings: StarwebSimSettings
    ongoing_settings: OngoingSimSettings

    @property
    def starweb_api(self) -> str:
        return f"{self.starweb.root_url}/api/v2"

    @property
    def ongoing_api(self) -> str:
        return f"{self.ongoing.root_url}/{self.ongoing_settings.warehouse}/api/v1"

    def admin(self, which: str) -> httpx.Client:
        """An HTTP client for one simulator's ``/_sim`` admin surface."""
        root = self.starweb.root_url if which == "starweb" else self.ongoing.root_url
        return httpx.Client(base_url=root, timeout=30)

    def seed_demo(self, *, warehouse_articles: bool = True) -> None:
        with self.admin("starweb") as starweb, self.admin("ongoing") as ongoing:
            starweb.post("/_sim/seed").raise_for_status()
            ongoing.post("/_sim/seed", json={"articles": warehouse_articles}).raise_for_status()

    def reset(self) -> None:
        with self.admin("starweb") as starweb, self.admin("ongoing") as ongoing:
            starweb.post("/_sim/reset").raise_for_status()
            ongoing.post("/_sim/reset").raise_for_status()
            starweb.delete("/_sim/faults").raise_for_status()
            ongoing.delete("/_sim/faults").raise_for_status()
            starweb.delete("/_sim/web-hooks/delivery").raise_for_status()
            ongoing.delete("/_sim/webhooks/delivery").raise_for_status()

    def stop(self) -> None:
        self.starweb.stop()
        self.ongoing.stop()


def start_simulators(*, host: str = "127.0.0.1", starweb_port: int | None = None, ongoing_port: int | None = None,
                     warehouse: str = "demo", state_dir: Path | None = None) -> Simulators:
    """Serve both simulators on real ports (free ones when no port is given)."""
    starweb_settings = StarwebSimSettings()
    ongoing_settings = OngoingSimSettings(warehouse=warehouse)
    starweb_store = DocumentStore(state_dir / "starweb.db" if state_dir else None)
    ongoing_store = DocumentStore(state_dir / "ongoing.db" if state_dir else None)
    starweb = serve_in_thread(create_starweb_app(store=starweb_store, settings=starweb_settings), host=host,
                              port=starweb_port)
    ongoing = serve_in_thread(create_ongoing_app(store=ongoing_store, settings=ongoing_settings), host=host,
                              port=ongoing_port)
    return Simulators(starweb, ongoing, starweb_settings, ongoing_settings)
