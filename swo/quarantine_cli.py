"""``swo quarantine``: what the connector could not sync, why, and asking for another try.

``retry`` makes an entry due now; the flow that owns its kind (domain/quarantine_kinds.py) takes it up
at its next run, for every kind."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.db import Ledger
from settings import get_settings
from swo.feedback import merchant_or_exit

quarantine_app = typer.Typer(help="Records the connector could not sync, and why.", no_args_is_help=True)


def _ledger() -> Ledger:
    return Ledger(get_settings().resolved_ledger_url)


def _owner(kind: str) -> str:
    from domain.quarantine_kinds import owner_of

    owner = owner_of(kind)
    return owner.owner if owner else f"(no flow owns the kind {kind!r})"


@quarantine_app.command("list")
def quarantine_list(merchant_id: str,
                    kind: Annotated[str | None, typer.Option(help="order, order-change, …")] = None) -> None:
    """Show what is held for a merchant: id, kind, key, attempts, next try (by which flow) and the reason."""
    from ledger import quarantine

    merchant_or_exit(merchant_id)
    with _ledger().session() as session:
        entries = quarantine.open_entries(session, merchant_id, kind)
        if not entries:
            typer.echo("Nothing in quarantine.")
        for e in entries:
            when = e.next_attempt_at.isoformat(timespec="minutes") if e.next_attempt_at else "-"
            typer.echo(f"#{e.id} {e.kind} {e.key}: {e.attempts} attempt(s), next {when} by {_owner(e.kind)}\n"
                       f"    {e.reason}")


@quarantine_app.command("retry")
def quarantine_retry(entry_id: int) -> None:
    """Try a held record again at the next run of its flow."""
    from ledger import quarantine

    with _ledger().session() as session:
        entry = quarantine.retry_now(session, entry_id)
        if entry is None or entry.resolved_at is not None:
            typer.echo(f"No open quarantine entry #{entry_id}.", err=True)
            raise typer.Exit(1)
        typer.echo(f"#{entry_id} ({entry.kind} {entry.key}) will be retried at the next run of {_owner(entry.kind)}.")


@quarantine_app.command("resolve")
def quarantine_resolve(merchant_id: str, kind: str, key: str,
                       note: Annotated[str, typer.Option()] = "fixed by hand") -> None:
    """Mark a held record as dealt with by a person."""
    from ledger import quarantine

    merchant_or_exit(merchant_id)
    with _ledger().session() as session:
        if not quarantine.resolve(session, merchant_id, kind, key, note):
            typer.echo(f"Nothing open for {merchant_id} {kind} {key}.", err=True)
            raise typer.Exit(1)
    typer.echo(f"Resolved {kind} {key}: {note}")
