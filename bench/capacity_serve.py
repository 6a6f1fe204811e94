"""The capacity bench's served deployments: every process of every merchant in ``SWO_MERCHANTS_DIR`` on its
own schedule, served the way ``swo run`` serves them (limits ensured, flows preloaded, each run forked in
a process of its own). Run as ``python -m bench.capacity_serve`` by ``bench.capacity``.
"""

from __future__ import annotations

import asyncio

from deployments.build import build_deployments
from deployments.run_starts import preloaded_runner, serve_runner
from domain.config import load_merchants
from settings import get_settings
from swo.prefect_setup import ensure_merchant_limits


def main() -> None:
    merchants = load_merchants(get_settings().merchants_dir)
    asyncio.run(ensure_merchant_limits(merchants.values()))
    serve_runner(preloaded_runner(build_deployments(merchants.values())))


if __name__ == "__main__":
    main()
