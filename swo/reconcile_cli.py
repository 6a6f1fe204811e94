"""``swo reconcile``: is everything in sync between a merchant's shop and warehouse, right now?"""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from domain.config import ConfigError
from integrations.errors import ConnectorError
from swo.feedback import fail, merchant_or_exit, with_credentials_or_exit
from swo.progress_bar import progress_bar


def reconcile(
    merchant_id: str,
    window_days: Annotated[float, typer.Option(help="compare orders created in this many days (never before the "
                                                    "go-live cutoff)")] = 7,
    settle_minutes: Annotated[float, typer.Option(help="leave out the last minutes, which the polling flows may "
                                                       "not have carried yet")] = 30,
) -> None:
    """Compare Starweb and Ongoing (orders, statuses, shipments, stock) and list every difference.

    Prints one line when everything is in sync. Otherwise prints each difference and the CSV file they
    were written to (under the state directory), and exits 1. Runs the reconcile flow here; with
    PREFECT_API_URL set the run shows in that Prefect server's UI like the daily one."""
    merchant = with_credentials_or_exit(merchant_or_exit(merchant_id))

    from flows.reconcile import reconcile as reconcile_flow

    try:
        with progress_bar():
            result = asyncio.run(reconcile_flow(merchant.merchant_id, window_days=window_days,
                                                settle_minutes=settle_minutes))
    except (ConfigError, ConnectorError) as exc:
        fail(f"reconcile for {merchant_id} failed: {exc}")
    report = result.report
    typer.echo(report.one_line())
    if report.quarantine.growing:
        typer.echo(report.quarantine_line())
    if report.clean:
        return
    for d in report.differences:
        typer.echo(f"- {d.kind.value}: {d.record}. Starweb: {d.starweb}. Ongoing: {d.ongoing}. {d.detail}")
    typer.echo(f"Written to {result.csv_path}")
    raise typer.Exit(1)
