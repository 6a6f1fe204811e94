"""``swo release`` and ``swo hold``: the order release on demand, and keeping an order out of it."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated

import typer

from ledger import release as release_ledger
from ledger.db import Ledger
from swo.settings import get_settings


def release(
    merchant_id: str,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="list what would be released; change nothing")] = False,
    order: Annotated[list[int] | None, typer.Option("--order", help="release only these Starweb order ids")] = None,
    created_before: Annotated[datetime | None, typer.Option(help="only orders created before this time (ISO, "
                                                                  "with offset)")] = None,
) -> None:
    """Release a merchant's approved orders to picking now (runs the release-orders flow here).

    With PREFECT_API_URL set the run shows in that Prefect server's UI like a scheduled one."""
    from flows.order_release import release_orders

    if created_before is not None and created_before.tzinfo is None:
        raise typer.BadParameter("give a UTC offset, e.g. 2026-11-28T12:00:00+01:00", param_hint="--created-before")
    counts = asyncio.run(release_orders(merchant_id, dry_run=dry_run, order_ids=order or None,
                                        created_before=created_before))
    for result, n in sorted(counts.items()):
        typer.echo(f"{result}: {n}")


def hold(merchant_id: str, order_id: int,
         release_hold: Annotated[bool, typer.Option("--release", help="take the order off hold")] = False) -> None:
    """Keep an exported order out of the release (or, with --release, let it be released again)."""
    with Ledger(get_settings().resolved_ledger_url).session() as session:
        if not release_ledger.set_hold(session, merchant_id, order_id, not release_hold):
            typer.echo(f"Order {order_id} of {merchant_id} is not exported yet.", err=True)
            raise typer.Exit(1)
    typer.echo(f"Order {order_id}: {'off hold' if release_hold else 'on hold'}.")
