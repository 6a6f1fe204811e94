"""``swo returns``: announce a return to the warehouse, and work through the refund worklist."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from ledger.db import Ledger
from settings import get_settings

returns_app = typer.Typer(help="Returns: announce them to the warehouse; the refund worklist.", no_args_is_help=True)


def _ledger() -> Ledger:
    return Ledger(get_settings().resolved_ledger_url)


def _parse_lines(lines: list[str]) -> dict[str, int]:
    wanted: dict[str, int] = {}
    for text in lines:
        sku, sep, quantity = text.rpartition("=")
        if not sep or not sku or not quantity.strip().isdigit():
            raise typer.BadParameter(f"{text!r}: write SKU=QUANTITY, e.g. POLE-CF-120=1", param_hint="--line")
        wanted[sku.strip()] = wanted.get(sku.strip(), 0) + int(quantity)
    return wanted


@returns_app.command("announce")
def announce(
    merchant_id: str,
    order_id: int,
    line: Annotated[list[str], typer.Option("--line", help="SKU=QUANTITY; repeat for several lines")],
    cause: Annotated[str | None, typer.Option(help="the goods owner's return-cause code, e.g. REGRET")] = None,
    comment: Annotated[str | None, typer.Option(help="a note for the warehouse")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check and show the return order; send nothing")] = False,
) -> None:
    """Tell the warehouse a customer is sending goods back: a return order in Ongoing."""
    from flows.return_announcement import announce_return
    from integrations.errors import ConnectorError

    wanted = _parse_lines(line)
    try:
        number = asyncio.run(announce_return(merchant_id, order_id, wanted, cause=cause, comment=comment,
                                             dry_run=dry_run))
    except ConnectorError as exc:
        typer.echo(f"Not announced: {exc}", err=True)
        raise typer.Exit(1) from exc
    if dry_run:
        typer.echo(f"Order {order_id}: return order {number} would be announced (dry run: nothing sent).")
        return
    typer.echo(f"Order {order_id}: return order {number} announced to the warehouse.")


@returns_app.command("list")
def list_returns(merchant_id: str,
                 all_rows: Annotated[bool, typer.Option("--all", help="include refunded returns")] = False) -> None:
    """The refund worklist: order, lines, units, cause, amount to refund, state."""
    from ledger import returns as return_log
    from tasks.returns import worklist_rows

    with _ledger().session() as session:
        rows = worklist_rows(return_log.worklist(session, merchant_id, include_closed=all_rows))
    if not rows:
        typer.echo("No returns on the worklist.")
        return
    for row in rows:
        typer.echo(f"{row['return']} order {row['order']} ({row['from']}): {row['lines']} [{row['cause']}] "
                   f"{row['kind']}, refund {row['refund']}, {row['state']}")
        if row["notes"]:
            typer.echo(f"    {row['notes']}")


@returns_app.command("refunded")
def refunded(merchant_id: str, return_id: Annotated[str, typer.Argument(help="the return's number, e.g. 12 or #12")],
             note: Annotated[str | None, typer.Option(help="e.g. how it was refunded")] = None) -> None:
    """Mark a return as refunded (or otherwise settled): it leaves the worklist."""
    from ledger import returns as return_log

    number = return_id.lstrip("#")
    if not number.isdigit():
        raise typer.BadParameter(f"{return_id!r} is not a return number (see `swo returns list`)")
    with _ledger().session() as session:
        row = return_log.mark_refunded(session, merchant_id, int(number), note=note)
        if row is None:
            typer.echo(f"No open return #{number} for {merchant_id} (see `swo returns list {merchant_id}`).", err=True)
            raise typer.Exit(1)
        order = row.starweb_order_id
    typer.echo(f"Return #{number}{f' (order {order})' if order else ''}: refunded.")
