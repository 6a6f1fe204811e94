"""``swo doctor``: the demo merchant passes against the simulators, and each kind of break fails with a
table row naming the setting and what the system offers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.config import MERCHANTS_DIR
from integrations.http import reset_shared_breakers
from settings import get_settings
from swo.cli import app
from swo.simulators import Simulators

runner = CliRunner()
DEMO_VARIABLES = ("DEMO_STARWEB_CLIENT_ID", "DEMO_STARWEB_CLIENT_SECRET", "DEMO_ONGOING_USERNAME",
                  "DEMO_ONGOING_PASSWORD")


@pytest.fixture
def merchant_file(prefect_harness: None, simulators: Simulators, tmp_path: Path,
                  monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The shipped demo file pointed at freshly seeded simulators, in a terminal with no credentials set."""
    simulators.reset()
    simulators.seed_demo(warehouse_articles=False)
    reset_shared_breakers()
    folder = tmp_path / "merchants"
    folder.mkdir()
    text = (MERCHANTS_DIR / "demo.yaml").read_text()
    text = text.replace("http://127.0.0.1:8801/api/v2", simulators.starweb_api)
    text = text.replace("http://127.0.0.1:8802/demo/api/v1", simulators.ongoing_api)
    (folder / "demo.yaml").write_text(text)
    monkeypatch.setenv("SWO_MERCHANTS_DIR", str(folder))
    for name in DEMO_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield folder / "demo.yaml"
    get_settings.cache_clear()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def problems(output: str) -> list[str]:
    """The problem lines printed in full under the table."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.endswith("problem(s):"))
    return [line.strip() for line in lines[start + 1:] if line.startswith("  ")]


def test_the_demo_merchant_is_ready_against_the_simulators(merchant_file: Path) -> None:
    result = runner.invoke(app, ["doctor", "demo"])

    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    for row in ("starweb.client_secret", "statuses.picking.ongoing", "shipping_methods.1.transporter_service_code",
                "return_causes.regret", "statuses.partially_sent.starweb", "tracking_types.SBTL", "go_live_cutoff",
                "Starweb clock", "Ongoing clock"):
        assert row in result.output
    assert "Hämta i butik has no Ongoing transporter" in result.output
    assert result.output.rstrip().endswith("demo: ready (1 warning(s)).")


def test_a_broken_mapping_on_either_side_fails_with_what_the_system_offers(merchant_file: Path) -> None:
    edit(merchant_file, "picking:          {starweb: picking, ongoing: 300}",
         "picking:          {starweb: packing, ongoing: 310}")
    edit(merchant_file, "1: {transporter_code: SBTL, transporter_service_code: BPA}",
         "1: {transporter_code: SBTL, transporter_service_code: BPX}")

    result = runner.invoke(app, ["doctor", "demo"])

    assert result.exit_code == 1, result.output
    assert problems(result.output) == [
        "statuses.picking.starweb: the shop has no order status with idCode 'packing'; it offers created (#1 "
        "Mottagen), picking (#2 Plockning), completed (#3 Skickad), canceled (#4 Makulerad), #5 Delvis skickad, "
        "#6 Behandlad, #7 Returnerad, #8 Väntar på betalning, #9 Delvis skickad, fler paket, #10 Ej uthämtad, "
        "#11 Delvis returnerad",
        "statuses.picking.ongoing: Ongoing has no order status 310; it offers 150 Fel, 200 Öppen, 210 Öppen-OK, "
        "211 Öppen-Restad, 300 Plockning, 320 Allokerad, 400 Plockad, 450 Skickad, 500 Hämtad, 800 Returnerad, "
        "1000 Makulerad",
        "shipping_methods.1.transporter_service_code: transporter SBTL has no service BPX; it offers BPA "
        "(DB SCHENKERparcel), BDI (DB SCHENKERdirect)",
    ]
    assert "demo: not ready; fix the above and run `swo doctor demo` again." in result.output


def test_a_shop_clock_two_hours_ahead_is_a_problem(merchant_file: Path, simulators: Simulators) -> None:
    with simulators.admin("starweb") as starweb:
        starweb.post("/_sim/clock/advance", json={"seconds": 7200}).raise_for_status()

    result = runner.invoke(app, ["doctor", "demo"])

    assert result.exit_code == 1, result.output
    (clock,) = problems(result.output)
    # The Date header has whole seconds: two hours, give or take one.
    assert re.match(r"Starweb clock: Starweb is (7199|7200|7201) s ahead of this machine: more than the cursor "
                    r"overlap \(10 min\), so changes made in the gap can be missed", clock)


def test_credentials_that_are_missing_or_refused_are_named(merchant_file: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    edit(merchant_file, "client_secret: {env: DEMO_STARWEB_CLIENT_SECRET}",
         "client_secret: {env: FJ_STARWEB_CLIENT_SECRET}")
    monkeypatch.setenv("DEMO_ONGOING_PASSWORD", "not-the-password")

    result = runner.invoke(app, ["doctor", "demo"])

    assert result.exit_code == 1, result.output
    assert problems(result.output) == [
        "starweb.client_secret: demo Starweb client secret: environment variable FJ_STARWEB_CLIENT_SECRET is not set",
        "ongoing.username: Ongoing refused these credentials: Authorization has been denied for this request.",
    ]
    assert "not checked: its credentials are missing" in result.output


def test_a_goods_owner_the_user_cannot_see_is_named(merchant_file: Path) -> None:
    edit(merchant_file, "goods_owner_id: 1", "goods_owner_id: 2")

    result = runner.invoke(app, ["doctor", "demo"])

    assert result.exit_code == 1, result.output
    assert problems(result.output) == ["ongoing.goods_owner_id: these credentials give no access to goods owner 2: "
                                       "Authorization has been denied for this request."]
