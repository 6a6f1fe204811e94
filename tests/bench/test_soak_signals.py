"""An interrupted soak leaves nothing behind: SIGTERM (a cancelled CI job) stops the Prefect server, the
simulators, the served deployments and the flow-run processes they started, though the server and the
runner sit in sessions of their own where the signal does not reach them."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from settings import PROJECT_ROOT

pytestmark = pytest.mark.soak


def _processes() -> dict[int, tuple[int, str, str]]:
    """pid → (parent pid, start time, command line) of every live process (Linux: /proc; zombies are over)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if fields[0] != "Z":
            found[int(entry.name)] = (int(fields[1]), fields[19], command)
    return found


def _descendants(root: int) -> dict[int, tuple[str, str]]:
    """pid → (start time, command line) of every process below ``root``."""
    table = _processes()
    below: dict[int, tuple[str, str]] = {}
    parents = {root}
    while True:
        found = {pid: (started, command) for pid, (parent, started, command) in table.items()
                 if parent in parents and pid not in below}
        if not found:
            return below
        below.update(found)
        parents = set(found)


def test_sigterm_stops_every_process_the_soak_started(tmp_path: Path) -> None:
    soak = subprocess.Popen([sys.executable, "-m", "bench.soak", "--merchants", "1", "--orders", "3", "--ticks", "1",
                             "--kills", "0", "--state-dir", str(tmp_path / "soak")],
                            cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen: dict[int, tuple[str, str]] = {}
    try:
        deadline = time.monotonic() + 300
        # Interrupted once its first flow run is a process of its own: every kind of process is up then.
        started_runs = tmp_path / "soak" / "run-pids"  # bench.soak_serve names each run's process there
        while not (started_runs.is_dir() and any(started_runs.iterdir())):
            assert soak.poll() is None, f"the soak ended by itself (exit {soak.returncode})"
            assert time.monotonic() < deadline, "no flow run started within 300 s"
            seen.update(_descendants(soak.pid))
            time.sleep(0.2)
        seen.update(_descendants(soak.pid))
        soak.send_signal(signal.SIGTERM)
        soak.wait(120)
    finally:
        if soak.poll() is None:
            soak.kill()

    now = _processes()
    survivors = {pid: command for pid, (started, command) in seen.items() if pid in now and now[pid][1] == started}
    for pid in survivors:  # a failing soak must not leave them running after the test either
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert list(survivors.values()) == []
    assert soak.returncode == 128 + signal.SIGTERM
    assert any("swo.prefect_server_app" in command for _, command in seen.values())
    assert any("bench.soak_serve" in command for _, command in seen.values())
    assert any("multiprocessing.forkserver" in command for _, command in seen.values()), "the runs' forkserver"
