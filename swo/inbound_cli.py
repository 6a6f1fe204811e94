"""``swo inbound``: send a purchase-order list to the warehouse, or the shop's stock as the initial inbound."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import typer

from domain.config import ConfigError
from domain.purchase_order_file import PurchaseOrderFileError
from swo.progress_bar import progress_bar


def inbound(
    merchant_id: str,
    file: Annotated[Path | None, typer.Argument(help="purchase-order list: a .csv or .xlsx file")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check and preview; send nothing")] = False,
    initial: Annotated[bool, typer.Option("--initial", help="send the shop's current stock as the one initial "
                                                            "inbound instead of a file")] = False,
) -> None:
    """Send purchase orders (inbound deliveries) to Ongoing: a list from FILE, or with --initial the shop's
    stock as one purchase order. Runs the push-purchase-orders / initial-inbound flow here; with
    PREFECT_API_URL set, the run shows in that Prefect server's UI."""
    if initial == (file is not None):
        raise typer.BadParameter("give a purchase-order FILE, or --initial (not both)")
    try:
        with progress_bar():
            result = asyncio.run(_run(merchant_id, file, initial=initial, dry_run=dry_run))
    except (PurchaseOrderFileError, ConfigError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    errors = result.pop("errors", [])
    for key, value in sorted(result.items()):
        typer.echo(f"{key}: {value}")
    for error in errors:
        typer.echo(f"not sent: {error}", err=True)
    if errors or result.get("quarantined"):
        raise typer.Exit(2)


async def _run(merchant_id: str, file: Path | None, *, initial: bool, dry_run: bool) -> dict[str, Any]:
    if initial:
        from flows.initial_inbound import initial_inbound

        return await initial_inbound(merchant_id, dry_run=dry_run)
    from flows.purchase_orders import push_purchase_orders

    return await push_purchase_orders(merchant_id, file=str(file), dry_run=dry_run)
