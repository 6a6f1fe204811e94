"""``swo release`` and ``swo hold``: the order release on demand, and keeping an order out of it."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated

import typer

from domain.config import ConfigError
from domain.statuses import OPEN_STATES, OrderState
from integrations.errors import ConnectorError
from ledger import bindings
from ledger import release as release_ledger
from ledger.db import Ledger
from ledger.models import OrderBinding
from settings import get_settings
from swo.feedback import fail, merchant_or_exit, with_credentials_or_exit


def release(
    merchant_id: str,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="list what would be released; change nothing")] = False,
    order: Annotated[list[int] | None, typer.Option("--order", help="release only these Starweb order ids")] = None,
    created_before: Annotated[datetime | None, typer.Option(help="only orders created before this time (ISO, "
                                                                  "with offset)")] = None,
) -> None:
    """Release a merchant's approved orders to picking now (runs the release-orders flow here).

    With PREFECT_API_URL set the run shows in that Prefect server's UI like a scheduled one."""
    if created_before is not None and created_before.tzinfo is None:
        raise typer.BadParameter("give a UTC offset, e.g. 2026-11-28T12:00:00+01:00", param_hint="--created-before")
    merchant = with_credentials_or_exit(merchant_or_exit(merchant_id))
    if order:
        _refuse_orders_that_cannot_be_released(merchant_id, order)

    from flows.order_release import release_orders

    try:
        counts = asyncio.run(release_orders(merchant.merchant_id, dry_run=dry_run, order_ids=order or None,
                                            created_before=created_before))
    except (ConfigError, ConnectorError) as exc:
        fail(f"release-orders for {merchant_id} failed: {exc}")
    if not counts:
        typer.echo("Nothing to release.")
    for result, n in sorted(counts.items()):
        typer.echo(f"{result}: {n}")
    moved = counts.get("would release" if dry_run else "released", 0)
    if order and moved < len(set(order)):
        fail(f"{len(set(order)) - moved} of the {len(set(order))} order(s) asked for were not "
             f"{'releasable' if dry_run else 'released'}; the reason is on each row of the "
             f"release-orders-{merchant_id} artifact in the Prefect UI.")


def release_blocker(binding: OrderBinding | None) -> str | None:
    """Why an order the operator named cannot be released, judged from the ledger (None if it may be)."""
    if binding is None:
        return "was never exported to Ongoing by this connector, so there is nothing to release"
    if binding.cancelled_at is not None:
        return "is cancelled"
    if binding.shipped_at is not None:
        return "has already shipped"
    if binding.released_at is not None:
        return f"was already released ({binding.released_at:%Y-%m-%d %H:%M} UTC)"
    if binding.state is not None and OrderState(binding.state) not in OPEN_STATES:
        return f"is already {binding.state.replace('_', ' ')} in the warehouse"
    return None


def _refuse_orders_that_cannot_be_released(merchant_id: str, order_ids: list[int]) -> None:
    with Ledger(get_settings().resolved_ledger_url).session() as session:
        blockers = {oid: release_blocker(bindings.find_order(session, merchant_id, oid))
                    for oid in sorted(set(order_ids))}
    refused = {oid: why for oid, why in blockers.items() if why is not None}
    if refused:
        for oid, why in refused.items():
            typer.echo(f"Order {oid} of {merchant_id} {why}.", err=True)
        fail("Nothing was released.")


def hold(merchant_id: str, order_id: int,
         release_hold: Annotated[bool, typer.Option("--release", help="take the order off hold")] = False) -> None:
    """Keep an exported order out of the release (or, with --release, let it be released again)."""
    merchant_or_exit(merchant_id)
    with Ledger(get_settings().resolved_ledger_url).session() as session:
        if not release_ledger.set_hold(session, merchant_id, order_id, not release_hold):
            fail(f"Order {order_id} of {merchant_id} is not exported yet.")
    typer.echo(f"Order {order_id}: {'off hold' if release_hold else 'on hold'}.")
