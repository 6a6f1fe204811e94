"""``swo webhooks``: registering a merchant's Starweb web-hooks in the simulator (idempotent, stale ones
removed, others' left alone), Ongoing's set-up in words, the call counts, and the refusals."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from domain.config import MERCHANTS_DIR
from integrations.simulation.server import free_port
from ledger.db import Ledger
from ledger.types import utcnow
from ledger.webhooks import count_call
from swo.cli import app
from swo.settings import get_settings
from swo.simulators import Simulators, start_simulators

runner = CliRunner()
RECEIVER = "https://hooks.example.com"


@pytest.fixture(scope="module")
def sims() -> Iterator[Simulators]:
    running = start_simulators()
    yield running
    running.stop()


@pytest.fixture
def shop(sims: Simulators, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.Client]:
    """The demo merchant pointed at the simulators, with its webhook secrets; a client on the shop's API."""
    sims.reset()
    sims.seed_demo()
    folder = tmp_path / "merchants"
    folder.mkdir()
    demo = (MERCHANTS_DIR / "demo.yaml").read_text().replace("http://127.0.0.1:8801/api/v2", sims.starweb_api)
    (folder / "demo.yaml").write_text(demo.replace("http://127.0.0.1:8802/demo/api/v1", sims.ongoing_api))
    monkeypatch.setenv("SWO_MERCHANTS_DIR", str(folder))
    monkeypatch.setenv("SWO_LEDGER_URL", f"sqlite:///{tmp_path / 'ledger.db'}")
    monkeypatch.setenv("DEMO_WEBHOOK_STARWEB_TOKEN", "first-secret")
    monkeypatch.setenv("DEMO_WEBHOOK_ONGOING_TOKEN", "tpl-secret")
    get_settings.cache_clear()
    token = httpx.post(f"{sims.starweb_api}/token", data={"grant_type": "client_credentials",
                                                          "client_id": "demo-client", "client_secret": "demo-secret"})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    with httpx.Client(base_url=sims.starweb_api, headers=headers) as client:
        yield client
    get_settings.cache_clear()


def hooks(shop: httpx.Client) -> list[tuple[str, str]]:
    return sorted((h["event"], h["url"]) for h in shop.get("/web-hooks").json()["data"])


def test_register_creates_the_web_hooks_then_keeps_them_and_replaces_them_when_the_secret_changes(
        shop: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    shop.post("/web-hooks", json={"name": "ERP", "event": "order-created", "url": "https://erp.example.com/in"})

    first = runner.invoke(app, ["webhooks", "register", "demo", "--url", RECEIVER])
    after_first = hooks(shop)
    again = runner.invoke(app, ["webhooks", "register", "demo", "--url", RECEIVER])
    monkeypatch.setenv("DEMO_WEBHOOK_STARWEB_TOKEN", "rotated-secret")
    rotated = runner.invoke(app, ["webhooks", "register", "demo", "--url", RECEIVER])

    assert first.exit_code == 0, first.output
    assert first.output.count("  created  ") == 5
    assert "first-secret" not in first.output and "/starweb/demo/…?event=order-created" in first.output
    assert ("order-created", f"{RECEIVER}/starweb/demo/first-secret?event=order-created") in after_first
    assert ("order-created", "https://erp.example.com/in") in after_first and len(after_first) == 6
    assert again.output.count("  kept     ") == 5 and "  created  " not in again.output
    assert rotated.output.count("  created  ") == 5 and rotated.output.count("  removed  ") == 5
    assert {url for _, url in hooks(shop) if "example.com/starweb" in url} == {
        f"{RECEIVER}/starweb/demo/rotated-secret?event={event}" for event in
        ("order-created", "order-completed", "order-updated", "order-status-changed", "order-deleted")}


def test_register_tells_what_to_set_up_in_ongoing_and_shows_the_secret_only_when_asked(shop: httpx.Client) -> None:
    hidden = runner.invoke(app, ["webhooks", "register", "demo", "--url", RECEIVER])
    shown = runner.invoke(app, ["webhooks", "register", "demo", "--url", RECEIVER, "--show-secret"])

    assert f"URL:          {RECEIVER}/ongoing/demo" in hidden.output
    assert "Header:       X-Auth-Token: <the value of the environment variable DEMO_WEBHOOK_ONGOING_TOKEN>" in (
        hidden.output)
    assert "tpl-secret" not in hidden.output
    assert "Header:       X-Auth-Token: tpl-secret" in shown.output


@pytest.mark.parametrize(("arguments", "expected"), [
    (["--url", "http://hooks.example.com"], "--url: http://hooks.example.com uses http://"),
    (["--url", "hooks.example.com"], "--url: 'hooks.example.com' is not an http(s) URL"),
])
def test_register_refuses_a_url_that_would_leak_the_secret(shop: httpx.Client, arguments: list[str],
                                                           expected: str) -> None:
    result = runner.invoke(app, ["webhooks", "register", "demo", *arguments])

    assert result.exit_code == 1 and expected in result.output
    assert hooks(shop) == []


def test_register_refuses_a_merchant_without_webhooks_or_secret(shop: httpx.Client,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = get_settings().merchants_dir / "demo.yaml"
    # Not one of the demo's own variables, which swo fills in for a merchant on this machine.
    path.write_text(path.read_text().replace("{env: DEMO_WEBHOOK_STARWEB_TOKEN}", "{env: FJ_HOOK_SECRET}"))
    monkeypatch.delenv("FJ_HOOK_SECRET", raising=False)
    unset = runner.invoke(app, ["webhooks", "register", "demo", "--url", RECEIVER])
    path.write_text(path.read_text().replace("  enabled: true", "  enabled: false"))
    off = runner.invoke(app, ["webhooks", "register", "demo", "--url", RECEIVER])

    assert unset.exit_code == 1
    assert "demo starweb webhook secret: environment variable FJ_HOOK_SECRET is not set" in unset.output
    assert off.exit_code == 1 and "demo: webhooks are off" in off.output


def test_stats_lists_the_calls_by_merchant_vendor_and_outcome(shop: httpx.Client) -> None:
    empty = runner.invoke(app, ["webhooks", "stats"])
    book = Ledger(get_settings().resolved_ledger_url)
    with book.session() as session:
        for outcome in ("accepted", "accepted", "unauthenticated"):
            count_call(session, merchant_id="demo", source="starweb", outcome=outcome, at=utcnow())
    book.dispose()

    listed = runner.invoke(app, ["webhooks", "stats"])

    assert "No webhook calls yet." in empty.output
    lines = [line.split()[:4] for line in listed.output.splitlines()]
    assert lines == [["demo", "starweb", "accepted", "2"], ["demo", "starweb", "unauthenticated", "1"]]


def test_serve_needs_a_prefect_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)

    result = runner.invoke(app, ["webhooks", "serve"])

    assert result.exit_code == 1 and "swo webhooks serve needs PREFECT_API_URL" in result.output


def test_swo_run_serves_the_receiver_in_a_process_of_its_own_that_refuses_strangers(tmp_path: Path) -> None:
    from swo.webhook_setup import start_receiver_process

    merchants = tmp_path / "merchants"
    merchants.mkdir()
    (merchants / "demo.yaml").write_text((MERCHANTS_DIR / "demo.yaml").read_text())
    environ = {**os.environ, "SWO_MERCHANTS_DIR": str(merchants),
               "SWO_LEDGER_URL": f"sqlite:///{tmp_path / 'ledger.db'}", "DEMO_WEBHOOK_STARWEB_TOKEN": "s"}
    port = free_port()
    receiver = start_receiver_process(host="127.0.0.1", port=port, prefect_api_url="http://127.0.0.1:9/api",
                                      log_path=tmp_path / "webhooks.log", environ=environ)
    try:
        refused = httpx.post(f"{receiver.root_url}/starweb/demo/wrong", json={"uuid": "u"})
    finally:
        receiver.stop()

    assert refused.status_code == 401
    assert receiver.process.poll() is not None
