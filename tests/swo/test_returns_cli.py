"""``swo returns``: bad input is refused with what to type instead, and an empty or unknown worklist row
is said plainly (the commands against the simulators are in tests/flows/test_return_registration.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from settings import get_settings
from swo.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def empty_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SWO_LEDGER_URL", f"sqlite:///{tmp_path / 'ledger.db'}")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize("line", ["POLE-CF-120", "POLE-CF-120=", "=2", "POLE-CF-120=two", "POLE-CF-120=-1"])
def test_a_line_must_be_sku_equals_quantity(line: str) -> None:
    result = runner.invoke(app, ["returns", "announce", "demo", "1042", "--line", line])
    assert result.exit_code == 2
    assert "write SKU=QUANTITY" in result.output


def test_an_empty_worklist_and_an_unknown_return_are_said_plainly() -> None:
    listed = runner.invoke(app, ["returns", "list", "demo"])
    assert (listed.exit_code, listed.output.strip()) == (0, "No returns on the worklist.")
    unknown = runner.invoke(app, ["returns", "refunded", "demo", "#12"])
    assert unknown.exit_code == 1 and "No open return #12 for demo" in unknown.output
    assert runner.invoke(app, ["returns", "refunded", "demo", "twelve"]).exit_code == 2
