"""The soak's processes, as the operating system sees them: the flow-run process the runner started for a run,
the CPU time of a process group, stopping the runner with every flow-run process it started, and SIGTERM or
SIGINT turned into an exception so that whatever started a process also stops it (Linux: read from /proc).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID


def group_cpu_seconds(group: int, *, only: int | None = None) -> float:
    """User and system CPU seconds of a process group's live processes and the children they reaped (Linux:
    /proc); ``only``: of that one process instead."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or (only is not None and int(entry.name) != only):
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp; utime, stime, cutime, cstime follow from field 11
            total += sum(int(f) for f in fields[11:15])
    return total / ticks


def stop_runner(runner: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """Stop the served deployments and every flow-run process they started. The runner is asked first (it
    marks its runs on the way out), then its whole process group is killed: the flow-run processes are in it,
    and a runner that exits leaves them behind."""
    if runner.poll() is None:
        runner.send_signal(signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            runner.wait(grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(runner.pid, signal.SIGKILL)
    runner.wait(grace)


class SoakInterrupted(SystemExit):
    """SIGTERM or SIGINT reached the soak: raised where it runs, so every ``finally`` stops what it started."""


@contextlib.contextmanager
def stopping_on_signals() -> Iterator[None]:
    """Turn SIGTERM (a cancelled CI job, ``kill``) and SIGINT into ``SoakInterrupted`` for the block. The server
    and the runner are in sessions of their own, so neither signal reaches them: the soak stops them. Once one
    arrived, further ones are ignored, so a second Ctrl-C cannot cut the stopping short."""
    caught = (signal.SIGTERM, signal.SIGINT)

    def interrupt(signum: int, _frame: object) -> None:
        for each in caught:
            signal.signal(each, signal.SIG_IGN)
        raise SoakInterrupted(128 + signum)

    previous = {each: signal.signal(each, interrupt) for each in caught}
    try:
        yield
    finally:
        for each, handler in previous.items():
            signal.signal(each, handler)


def flow_run_process(pids: Path, flow_run_id: UUID) -> int | None:
    """The live process the runner started for this flow run (its id written to ``pids/<flow run id>`` by
    ``bench.soak_serve``; Linux: checked in /proc), or None while there is none."""
    try:
        pid = int((pids / str(flow_run_id)).read_text())
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, ValueError):
        return None
    return None if state in ("Z", "X") else pid
