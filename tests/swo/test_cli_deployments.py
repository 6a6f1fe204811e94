"""``swo deployments render``: writes prefect.yaml from the merchant files; ``--check`` fails when stale."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from deployments.build import build_deployments, render_prefect_yaml
from deployments.registry import PROCESSES
from domain.config import MERCHANTS_DIR, load_merchants
from swo.cli import app
from swo.settings import get_settings

runner = CliRunner()


@pytest.fixture(autouse=True)
def repo_merchants(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SWO_MERCHANTS_DIR", str(MERCHANTS_DIR))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def expected() -> str:
    return render_prefect_yaml(build_deployments(load_merchants(MERCHANTS_DIR).values()))


def test_render_writes_the_deployments_of_every_merchant(tmp_path: Path) -> None:
    output = tmp_path / "prefect.yaml"

    result = runner.invoke(app, ["deployments", "render", "--output", str(output)])

    assert result.exit_code == 0, result.output
    assert output.read_text(encoding="utf-8") == expected()
    assert f"{len(PROCESSES)} deployments" in result.output


def test_check_passes_on_an_up_to_date_file_and_leaves_it_alone(tmp_path: Path) -> None:
    output = tmp_path / "prefect.yaml"
    output.write_text(expected(), encoding="utf-8")

    result = runner.invoke(app, ["deployments", "render", "--check", "--output", str(output)])

    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_check_fails_on_a_stale_or_missing_file_without_writing(tmp_path: Path) -> None:
    stale = tmp_path / "prefect.yaml"
    stale.write_text(expected().replace("interval: 1800", "interval: 60"), encoding="utf-8")

    result = runner.invoke(app, ["deployments", "render", "--check", "--output", str(stale)])
    missing = runner.invoke(app, ["deployments", "render", "--check", "--output", str(tmp_path / "none.yaml")])

    assert result.exit_code == 1
    assert "out of date: run `swo deployments render`" in result.output
    assert "interval: 60" in stale.read_text(encoding="utf-8")
    assert missing.exit_code == 1
    assert not (tmp_path / "none.yaml").exists()


def test_an_invalid_merchant_file_fails_the_render_naming_the_file(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "broken.yaml").write_text("merchant_id: broken\nname: Broken\n", encoding="utf-8")
    monkeypatch.setenv("SWO_MERCHANTS_DIR", str(tmp_path))
    get_settings.cache_clear()

    result = runner.invoke(app, ["deployments", "render", "--output", str(tmp_path / "prefect.yaml")])

    assert result.exit_code == 1
    assert "broken.yaml: invalid merchant configuration" in result.output
    assert not (tmp_path / "prefect.yaml").exists()
