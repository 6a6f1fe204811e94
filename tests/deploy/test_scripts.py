"""The operator's scripts in deploy/ (docs/scaling.md) run for real, with stand-ins for the connector's
``swo`` and ``prefect`` commands that record what they were given: settings come from the environment or
the SWO_ENV_FILE file (the environment wins), a missing or wrong setting is one clear line and no start,
and the commands are the ones the docs describe. The real commands run in tests/scale."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
LEDGER = "postgresql://swo:secret@db.internal:5432/swo"
API = "http://prefect.internal:4200/api"


@pytest.fixture
def venv(tmp_path: Path) -> Path:
    """A stand-in for the connector's virtualenv: swo and prefect print their arguments to ``calls``."""
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("swo", "prefect"):
        tool = bin_dir / name
        # FAIL_ON names the arguments on which the stand-in fails (exit 3), like a server that is not there.
        tool.write_text(f'#!/usr/bin/env bash\necho "{name} $*" >> "{tmp_path}/calls"\n'
                        '[ "$*" = "${FAIL_ON:-}" ] && exit 3\nexit 0\n')
        tool.chmod(0o755)
    return tmp_path / "venv"


def run(script: str, venv: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": os.environ["PATH"], "HOME": str(venv.parent), "SWO_VENV": str(venv), **env}
    return subprocess.run(["bash", str(DEPLOY / script)], env=environment, capture_output=True, text=True,
                          timeout=60, cwd=venv.parent)


def calls(venv: Path) -> list[str]:
    record = venv.parent / "calls"
    return record.read_text().splitlines() if record.exists() else []


def test_a_worker_takes_its_settings_from_the_file_and_the_environment_wins(venv: Path, tmp_path: Path) -> None:
    settings = tmp_path / "swo.env"
    settings.write_text(f"# a comment\n\nPREFECT_API_URL={API}\nSWO_LEDGER_URL={LEDGER}\nSWO_WORKER_LIMIT=4\n")

    result = run("worker.sh", venv, SWO_ENV_FILE=str(settings), SWO_WORKER_LIMIT="2", SWO_WORKER_NAME="w1",
                 SWO_WORK_QUEUES="orders stock")

    assert result.returncode == 0, result.stderr
    assert calls(venv) == ["prefect worker start --pool swo --type process --name w1 --limit 2 "
                           "--work-queue orders --work-queue stock"]


@pytest.mark.parametrize(("script", "settings", "message"), [
    ("worker.sh", {"SWO_LEDGER_URL": LEDGER}, "PREFECT_API_URL is not set: the Prefect server's API"),
    ("worker.sh", {"PREFECT_API_URL": API}, "SWO_LEDGER_URL is not set: the shared ledger"),
    ("worker.sh", {"PREFECT_API_URL": API, "SWO_LEDGER_URL": "sqlite:////srv/ledger.db"},
     "SWO_LEDGER_URL must name a PostgreSQL database (postgresql://…): several workers cannot share a SQLite file"),
    ("setup.sh", {"PREFECT_API_URL": API, "SWO_LEDGER_URL": "sqlite:////srv/ledger.db"},
     "SWO_LEDGER_URL must name a PostgreSQL database"),
    ("webhooks.sh", {"SWO_LEDGER_URL": LEDGER}, "PREFECT_API_URL is not set"),
    ("prefect-server.sh", {}, "PREFECT_SERVER_DATABASE_CONNECTION_URL is not set"),
    ("prefect-server.sh", {"PREFECT_SERVER_DATABASE_CONNECTION_URL": "sqlite+aiosqlite:///prefect.db"},
     "PREFECT_SERVER_DATABASE_CONNECTION_URL must name a PostgreSQL database"),
    ("worker.sh", {"SWO_ENV_FILE": "/nowhere/swo.env"}, "SWO_ENV_FILE=/nowhere/swo.env: no such file"),
])
def test_a_missing_or_wrong_setting_is_one_line_and_nothing_starts(venv: Path, script: str, settings: dict[str, str],
                                                                   message: str) -> None:
    result = run(script, venv, **settings)

    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert calls(venv) == []


def test_without_the_connector_installed_the_scripts_say_how_to_install_it(tmp_path: Path) -> None:
    result = run("worker.sh", tmp_path / "no-venv", PREFECT_API_URL=API, SWO_LEDGER_URL=LEDGER)

    assert result.returncode == 2
    assert "run `make install`" in result.stderr


def test_setup_readies_the_server_then_deploys_what_it_rendered(venv: Path, tmp_path: Path) -> None:
    rendered = tmp_path / "state" / "prefect.yaml"

    result = run("setup.sh", venv, PREFECT_API_URL=API, SWO_LEDGER_URL=LEDGER, SWO_PREFECT_FILE=str(rendered))

    assert result.returncode == 0, result.stderr
    assert calls(venv) == ["swo setup", f"swo deployments render --output {rendered}",
                           f"prefect --no-prompt deploy --all --prefect-file {rendered}"]


def test_setup_deploys_nothing_when_the_server_could_not_be_readied(venv: Path) -> None:
    result = run("setup.sh", venv, PREFECT_API_URL=API, SWO_LEDGER_URL=LEDGER, FAIL_ON="setup")

    assert result.returncode == 3
    assert calls(venv) == ["swo setup"]
