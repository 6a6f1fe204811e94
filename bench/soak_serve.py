"""The soak's served deployments: every process for every merchant in ``SWO_MERCHANTS_DIR``, as ``swo run``
serves them (each flow run in a process of its own, forked from the preloaded process of
``deployments.run_starts``), without their wall-clock schedules — the soak starts runs on its own simulated
clock. Run as ``python -m bench.soak_serve <limit> <pid directory>`` by ``bench.soak_world``; the process id of
each run is written to ``<pid directory>/<flow run id>``, so the soak can kill a run's process mid-run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from pathlib import Path
from typing import Any

from deployments.build import build_deployments
from deployments.run_starts import preloaded_runner, serve_runner
from domain.config import load_merchants
from settings import get_settings


def record_run_processes(directory: Path) -> None:
    """From now on, each run's process id is written to ``directory/<flow run id>`` once it started."""
    from prefect.runner import _starter_direct

    start = _starter_direct.run_flow_in_subprocess

    def start_and_record(*args: Any, **kwargs: Any) -> Any:
        process = start(*args, **kwargs)
        (directory / str(kwargs["flow_run"].id)).write_text(str(process.pid))
        return process

    _starter_direct.run_flow_in_subprocess = start_and_record


def main(limit: int, pids: Path) -> None:
    from tasks.write_slots import ensure_write_limits

    merchants = load_merchants(get_settings().merchants_dir)
    asyncio.run(ensure_write_limits(merchants.values()))
    specs = [dataclasses.replace(spec, schedules=()) for spec in build_deployments(merchants.values())]
    runner = preloaded_runner(specs, limit=limit, pause_on_shutdown=False)
    pids.mkdir(parents=True, exist_ok=True)
    record_run_processes(pids)
    serve_runner(runner)


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
