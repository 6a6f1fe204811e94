"""What an operator sees when a command cannot do what was asked: one clear line and exit 1, never a
traceback and never a silent success. None of these reach a vendor or start a flow run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.config import MERCHANTS_DIR
from ledger import bindings
from ledger.db import Ledger
from swo.cli import app
from swo.demo_credentials import fill_demo_credentials, simulator_credentials
from swo.settings import get_settings

runner = CliRunner()
DEMO = (MERCHANTS_DIR / "demo.yaml").read_text()
DEMO_VARIABLES = ("DEMO_STARWEB_CLIENT_ID", "DEMO_STARWEB_CLIENT_SECRET", "DEMO_ONGOING_USERNAME",
                  "DEMO_ONGOING_PASSWORD")


@pytest.fixture
def merchants(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A merchants folder holding the demo file, a ledger of its own, and no credential variables set."""
    folder = tmp_path / "merchants"
    folder.mkdir()
    (folder / "demo.yaml").write_text(DEMO)
    monkeypatch.setenv("SWO_MERCHANTS_DIR", str(folder))
    monkeypatch.setenv("SWO_LEDGER_URL", f"sqlite:///{tmp_path / 'ledger.db'}")
    for name in DEMO_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def one_line_error(result: object, expected: str) -> None:
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 1, output  # type: ignore[attr-defined]
    assert "Traceback" not in output
    assert expected in output


@pytest.mark.parametrize(
    "command",
    [["release", "nosuch"], ["release", "nosuch", "--order", "1042"], ["doctor", "nosuch"], ["hold", "nosuch", "1042"],
     ["quarantine", "list", "nosuch"], ["quarantine", "resolve", "nosuch", "order", "1042"], ["reconcile", "nosuch"]],
)
def test_an_unknown_merchant_is_named_with_the_known_ones(merchants: Path, command: list[str]) -> None:
    result = runner.invoke(app, command)

    one_line_error(result, f"{merchants / 'nosuch.yaml'}: no such merchant (known merchants: demo)")
    assert "Nothing in quarantine" not in result.output


@pytest.mark.parametrize("command", [["release", "../x/evil"], ["doctor", "../x/evil"],
                                     ["quarantine", "list", "../x/evil"]])
def test_a_merchant_id_that_is_a_path_is_refused(merchants: Path, command: list[str]) -> None:
    evil = merchants.parent / "x"
    evil.mkdir()
    (evil / "evil.yaml").write_text(DEMO.replace("merchant_id: demo", "merchant_id: evil"))

    one_line_error(runner.invoke(app, command), "'../x/evil' is not a merchant id")


def test_releasing_an_order_that_was_never_exported_says_so(merchants: Path) -> None:
    result = runner.invoke(app, ["release", "demo", "--order", "99999"])

    one_line_error(result, "Order 99999 of demo was never exported to Ongoing by this connector, so there is nothing "
                           "to release.\nNothing was released.")


def test_releasing_an_order_already_released_or_shipped_says_so(merchants: Path) -> None:
    with Ledger(get_settings().resolved_ledger_url).session() as session:
        for order_id, state in ((1042, "picking"), (1043, "sent")):
            binding = bindings.mark_exported(
                session, "demo", starweb_order_id=order_id, order_number=f"FJ-{order_id}", ongoing_order_id=order_id,
                pushed_hash="h", lines=[], starweb_status_id=1, starweb_created_at=None, starweb_modified_at=None,
                silent=False)
            bindings.mark_state(binding, state=state)

    result = runner.invoke(app, ["release", "demo", "--order", "1042", "--order", "1043"])

    one_line_error(result, "Order 1042 of demo is already picking in the warehouse.\n"
                           "Order 1043 of demo is already sent in the warehouse.\nNothing was released.")


def test_a_missing_credential_variable_is_named_for_a_merchant_elsewhere(merchants: Path) -> None:
    acme = DEMO.replace("merchant_id: demo", "merchant_id: acme").replace("DEMO_", "ACME_")
    acme = acme.replace("http://127.0.0.1:8801/api/v2", "https://acme.starwebserver.se/api/v2")
    (merchants / "acme.yaml").write_text(acme)

    result = runner.invoke(app, ["release", "acme", "--dry-run"])

    one_line_error(result, "acme Starweb client id: environment variable ACME_STARWEB_CLIENT_ID is not set. Set it")
    assert "demo credentials" not in result.output


def test_the_demo_merchant_gets_the_simulators_credentials_in_a_new_terminal(merchants: Path) -> None:
    result = runner.invoke(app, ["release", "demo", "--order", "99999"])

    assert ("Using the simulators' demo credentials for DEMO_STARWEB_CLIENT_ID, DEMO_STARWEB_CLIENT_SECRET, "
            "DEMO_ONGOING_USERNAME, DEMO_ONGOING_PASSWORD") in result.output
    assert "environment variable" not in result.output


def test_demo_credentials_go_only_to_this_machine_and_never_replace_a_set_variable(tmp_path: Path) -> None:
    from domain.config import load_merchant

    (tmp_path / "demo.yaml").write_text(DEMO)
    demo = load_merchant(tmp_path / "demo.yaml")
    environ = {"DEMO_ONGOING_PASSWORD": "mine"}

    assert fill_demo_credentials(demo, environ) == ["DEMO_STARWEB_CLIENT_ID", "DEMO_STARWEB_CLIENT_SECRET",
                                                    "DEMO_ONGOING_USERNAME", "DEMO_WEBHOOK_STARWEB_TOKEN",
                                                    "DEMO_WEBHOOK_ONGOING_TOKEN"]
    assert environ["DEMO_ONGOING_PASSWORD"] == "mine"
    assert environ["DEMO_STARWEB_CLIENT_SECRET"] == simulator_credentials()["DEMO_STARWEB_CLIENT_SECRET"]

    (tmp_path / "demo.yaml").write_text(DEMO.replace("http://127.0.0.1:8801/api/v2", "https://evil.example/api/v2"))
    elsewhere: dict[str, str] = {}
    assert fill_demo_credentials(load_merchant(tmp_path / "demo.yaml"), elsewhere) == []
    assert elsewhere == {}


def test_check_config_applies_the_status_order_rule_the_run_enforces(merchants: Path) -> None:
    (merchants / "demo.yaml").write_text(DEMO.replace("picking:          {starweb: picking, ongoing: 300}",
                                                      "picking:          {starweb: picking, ongoing: 500}"))

    result = runner.invoke(app, ["check-config"])

    one_line_error(result, "statuses: Value error, Ongoing numbers must grow: picking (500) < sent (450)")


def test_render_names_a_release_time_with_seconds_instead_of_crashing(merchants: Path, tmp_path: Path) -> None:
    (merchants / "demo.yaml").write_text(DEMO.replace('times: ["07:00", "13:00"]', 'times: ["07:00:30"]'))

    result = runner.invoke(app, ["deployments", "render", "--output", str(tmp_path / "prefect.yaml")])

    one_line_error(result, "release.times: Value error, '07:00:30' has seconds")
    assert not (tmp_path / "prefect.yaml").exists()
