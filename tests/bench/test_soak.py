"""The CI-size soak (bench/soak.py): 300 orders over a compressed day of three merchants, through the served
deployments, with 10 % of the connector's calls faulted (every kind of the fault kit) and flow-run processes
killed mid-run, reckoned on the vendors' side. It takes about 7 minutes on an idle 2-core machine, so
``make test`` leaves it out (marker ``soak``) and ``make test-soak`` (``pytest -q -s -m soak tests/bench``;
``-s`` shows its figures and wall time) runs it, as CI does after the suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.soak import CI_SIZE, run_soak
from integrations.simulation.faults import RANDOM_KINDS

pytestmark = pytest.mark.soak


def test_a_faulted_day_with_killed_runs_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    tally = run_soak(CI_SIZE, seed=14, state_dir=tmp_path / "soak")
    for line in tally.lines():
        print(line)

    assert tally.killed >= CI_SIZE.kills, "flow-run processes were killed mid-run"
    assert set(tally.fault_kinds()) == set(RANDOM_KINDS), "faults of every kind of the fault kit were injected"
    assert tally.clean, "\n".join(tally.lines())
