"""CI is honest about PostgreSQL: ``.ci/postgres.sh`` says why it could not start it, ``.ci/run`` fails the
build on that when CI=true, and the ledger's PostgreSQL tests fail rather than skip in CI.

The scripts run for real, in a copy of ``.ci/`` and with stand-ins for the system commands they call
(``make``, ``id``, ``pg_*``, ``su``, ``sleep``) first on the PATH, so no PostgreSQL or build is touched."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from settings import PROJECT_ROOT
from tests.ledger.conftest import postgres_test_url

URL = "postgresql://swo:swo@127.0.0.1:5433/swo_test"


def stand_in(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/usr/bin/env bash\n{body}\n")
    path.chmod(0o755)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of the repository's .ci folder, with a make that records what it was given."""
    shutil.copytree(PROJECT_ROOT / ".ci", tmp_path / ".ci")
    (tmp_path / "bin").mkdir()
    record = f'echo "make $* SWO_TEST_POSTGRES_URL=[$SWO_TEST_POSTGRES_URL]" >> {tmp_path}/made'
    stand_in(tmp_path / "bin", "make", record)
    return tmp_path


def run(script: Path, bin_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "HOME": str(bin_dir.parent), **env}
    return subprocess.run(["bash", str(script)], env=environment, capture_output=True, text=True, timeout=60)


def fake_postgres(checkout: Path, *, starts: bool) -> None:
    script = f'echo {URL}' if starts else 'echo "PostgreSQL not available: no apt-get" >&2; exit 1'
    (checkout / ".ci" / "postgres.sh").write_text(f"#!/usr/bin/env bash\n{script}\n")


def test_ci_fails_the_build_when_postgresql_does_not_start(checkout: Path) -> None:
    fake_postgres(checkout, starts=False)

    result = run(checkout / ".ci" / "run", checkout / "bin", CI="true")

    assert result.returncode == 1
    assert "PostgreSQL not available: no apt-get" in result.stderr
    assert "CI=true: failing" in result.stderr
    assert not (checkout / "made").exists(), "no build without PostgreSQL in CI"


def test_outside_ci_the_build_runs_and_says_the_postgresql_tests_are_skipped(checkout: Path) -> None:
    fake_postgres(checkout, starts=False)

    result = run(checkout / ".ci" / "run", checkout / "bin")

    assert result.returncode == 0, result.stderr
    assert "ledger PostgreSQL tests: skipped" in result.stderr
    assert (checkout / "made").read_text() == "make lint test test-scale test-soak SWO_TEST_POSTGRES_URL=[]\n"


def test_a_started_postgresql_reaches_the_tests(checkout: Path) -> None:
    fake_postgres(checkout, starts=True)

    result = run(checkout / ".ci" / "run", checkout / "bin", CI="true")

    assert result.returncode == 0, result.stderr
    assert (checkout / "made").read_text() == f"make lint test test-scale test-soak SWO_TEST_POSTGRES_URL=[{URL}]\n"


@pytest.fixture
def machine(checkout: Path) -> Path:
    """Stand-ins for a Debian machine with a PostgreSQL 15 cluster on port 5433 that answers."""
    bin_dir = checkout / "bin"
    stand_in(bin_dir, "id", 'if [ "$1" = -u ]; then echo "${FAKE_UID:-0}"; else /usr/bin/id "$@"; fi')
    stand_in(bin_dir, "pg_lsclusters", "echo '15 main 5433 online postgres /var/lib/postgresql/15/main log'")
    stand_in(bin_dir, "pg_ctlcluster", "exit 0")
    stand_in(bin_dir, "pg_isready", 'exit "${FAKE_READY:-0}"')
    stand_in(bin_dir, "sleep", "exit 0")
    stand_in(bin_dir, "su", "echo 1")
    return bin_dir


def test_postgres_script_prints_the_url_of_a_cluster_that_answers(checkout: Path, machine: Path) -> None:
    result = run(checkout / ".ci" / "postgres.sh", machine)

    assert (result.returncode, result.stdout) == (0, f"{URL}\n"), result.stderr


@pytest.mark.parametrize(
    ("env", "reason"),
    [({"FAKE_READY": "2", "PG_WAIT_SECONDS": "2"},
      "PostgreSQL not available: cluster 15/main does not answer on port 5433 after 2s"),
     ({"FAKE_UID": "1000"}, "PostgreSQL not available: installing and starting the system PostgreSQL needs root")],
)
def test_postgres_script_fails_with_the_reason_instead_of_printing_nothing(checkout: Path, machine: Path,
                                                                          env: dict[str, str], reason: str) -> None:
    result = run(checkout / ".ci" / "postgres.sh", machine, **env)

    assert result.returncode == 1
    assert result.stdout == ""
    assert reason in result.stderr


def test_the_ledger_postgresql_tests_fail_in_ci_and_skip_elsewhere_without_a_database() -> None:
    assert postgres_test_url({"SWO_TEST_POSTGRES_URL": URL, "CI": "true"}) == URL
    with pytest.raises(pytest.fail.Exception, match="CI=true but SWO_TEST_POSTGRES_URL is not set"):
        postgres_test_url({"CI": "true", "SWO_TEST_POSTGRES_URL": ""})
    with pytest.raises(pytest.skip.Exception):
        postgres_test_url({})
