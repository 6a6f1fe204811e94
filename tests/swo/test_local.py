"""The pieces of ``swo run`` that can be checked without a Prefect server: credentials, errors, banner."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from deployments.build import build_deployments
from domain.config import MERCHANTS_DIR, load_merchants
from integrations.simulation.server import serve_in_thread
from swo.local import (
    LocalRunError,
    LocalRunOptions,
    banner,
    connect_prefect,
    demo_credentials,
    run_local,
    set_unset,
    wire_webhooks,
)
from swo.prefect_server import PrefectServer
from swo.simulators import Simulators, start_simulators

DEMO = load_merchants(MERCHANTS_DIR)["demo"]


@pytest.fixture(scope="module")
def sims() -> Iterator[Simulators]:
    running = start_simulators()
    yield running
    running.stop()


def test_demo_credentials_are_the_simulators_own_under_the_names_the_demo_merchant_reads(sims: Simulators) -> None:
    credentials = demo_credentials(sims)

    referenced = {DEMO.starweb.client_id.env, DEMO.starweb.client_secret.env, DEMO.ongoing.username.env,
                  DEMO.ongoing.password.env}
    assert set(credentials) == referenced
    assert credentials["DEMO_STARWEB_CLIENT_ID"] == "demo-client"
    assert credentials["DEMO_ONGOING_PASSWORD"] == "demo-password"


def test_credentials_already_in_the_environment_are_kept() -> None:
    environ = {"DEMO_STARWEB_CLIENT_ID": "my-own-client", "DEMO_ONGOING_USERNAME": ""}

    set_names = set_unset(environ, {"DEMO_STARWEB_CLIENT_ID": "demo-client", "DEMO_ONGOING_USERNAME": "demo-api"})

    assert environ == {"DEMO_STARWEB_CLIENT_ID": "my-own-client", "DEMO_ONGOING_USERNAME": "demo-api"}
    assert set_names == ["DEMO_ONGOING_USERNAME"]


def test_without_merchant_files_nothing_is_started(tmp_path: Path) -> None:
    state = tmp_path / "state"

    with pytest.raises(LocalRunError, match="no merchant files"):
        run_local(LocalRunOptions(state_dir=state, merchants_dir=tmp_path))
    assert not state.exists()


def test_no_server_needs_a_prefect_api_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)

    with pytest.raises(LocalRunError, match="--no-server needs PREFECT_API_URL"):
        connect_prefect(LocalRunOptions(state_dir=tmp_path, merchants_dir=MERCHANTS_DIR, start_server=False))


def test_no_server_refuses_an_api_url_where_prefect_does_not_answer(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    other = serve_in_thread(FastAPI())
    monkeypatch.setenv("PREFECT_API_URL", f"{other.root_url}/api")
    try:
        with pytest.raises(LocalRunError, match="not a Prefect server answers there"):
            connect_prefect(LocalRunOptions(state_dir=tmp_path, merchants_dir=MERCHANTS_DIR, start_server=False))
    finally:
        other.stop()


def test_banner_says_where_everything_is_and_how_to_start_a_run_from_another_terminal(sims: Simulators) -> None:
    server = PrefectServer("http://127.0.0.1:4200/api", log_path=Path(".state/prefect-server.log"))

    text = banner(server, sims, build_deployments([DEMO]), [1001, 1002])

    assert "Prefect UI:         http://127.0.0.1:4200   (server log: .state/prefect-server.log)" in text
    assert f"Starweb simulator:  {sims.starweb_api}" in text
    assert f"Ongoing simulator:  {sims.ongoing_api}" in text
    assert "Demo orders placed: 1001, 1002" in text
    assert "PREFECT_API_URL=http://127.0.0.1:4200/api .venv/bin/prefect deployment run 'export-orders/demo'" in text


def test_the_banner_says_where_the_webhook_receiver_listens_and_for_whom(sims: Simulators) -> None:
    server = PrefectServer("http://127.0.0.1:4200/api")

    text = banner(server, sims, build_deployments([DEMO]), [], "http://127.0.0.1:8803", ["demo"])

    assert "Webhook receiver:   http://127.0.0.1:8803   (webhooks set up for: demo)" in text


def test_the_webhooks_of_merchants_on_this_machine_are_set_up_in_both_simulators(
        sims: Simulators, monkeypatch: pytest.MonkeyPatch) -> None:
    sims.reset()
    data = DEMO.model_dump()
    data["starweb"]["base_url"], data["ongoing"]["base_url"] = sims.starweb_api, sims.ongoing_api
    here = type(DEMO).model_validate(data)
    elsewhere = type(DEMO).model_validate({**data, "merchant_id": "north", "starweb": {
        **data["starweb"], "base_url": "https://north.starwebserver.se/api/v2"}})
    for name, value in {**demo_credentials(sims), "DEMO_WEBHOOK_STARWEB_TOKEN": "s",
                        "DEMO_WEBHOOK_ONGOING_TOKEN": "o"}.items():
        monkeypatch.setenv(name, value)

    wired = asyncio.run(wire_webhooks([here, elsewhere], "http://127.0.0.1:8803"))

    assert wired == ["demo"]
    token = httpx.post(f"{sims.starweb_api}/token", data={"grant_type": "client_credentials",
                                                          "client_id": "demo-client", "client_secret": "demo-secret"})
    web_hooks = httpx.get(f"{sims.starweb_api}/web-hooks",
                          headers={"Authorization": f"Bearer {token.json()['access_token']}"}).json()["data"]
    assert len(web_hooks) == 5 and all(h["url"].startswith("http://127.0.0.1:8803/starweb/demo/s?") for h in web_hooks)
    ongoing = httpx.get(f"{sims.ongoing.root_url}/_sim/webhooks").json()["data"]
    assert sorted(h["family"] for h in ongoing) == ["order", "purchase-order", "returns"]
    assert {h["url"] for h in ongoing} == {"http://127.0.0.1:8803/ongoing/demo"}
