"""The soak's served deployments: every process for every merchant in ``SWO_MERCHANTS_DIR``, as ``swo run``
serves them (each flow run in a process of its own), without their wall-clock schedules — the soak starts
runs on its own simulated clock. Run as ``python -m bench.soak_serve <limit>`` by ``bench.soak_world``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys

from deployments.build import build_deployments, to_runner_deployments
from domain.config import load_merchants
from settings import get_settings


def main(limit: int) -> None:
    from prefect import serve

    from tasks.write_slots import ensure_write_limits

    merchants = load_merchants(get_settings().merchants_dir)
    asyncio.run(ensure_write_limits(merchants.values()))
    specs = [dataclasses.replace(spec, schedules=()) for spec in build_deployments(merchants.values())]
    serve(*to_runner_deployments(specs), limit=limit, pause_on_shutdown=False, print_starting_message=False)


if __name__ == "__main__":
    main(int(sys.argv[1]))
