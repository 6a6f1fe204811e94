"""``swo automations apply``: install the connector's alerts on the Prefect server the deployments use."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import httpx
import typer

from deployments.automations import (
    AUTOMATIONS_FILE,
    AutomationChange,
    AutomationsError,
    apply_automations,
    describe_block,
    find_notification_block,
    load_automations,
)
from swo.feedback import fail

automations_app = typer.Typer(help="Alerts: the connector's Prefect automations.", no_args_is_help=True)


@automations_app.command("apply")
def automations_apply(
    notify: Annotated[str, typer.Option(help="the notification block every alert goes through: "
                                             "<block-type>/<name> (e.g. slack-webhook/ops-alerts) or its name")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="say what would change; change nothing")] = False,
    file: Annotated[Path, typer.Option(help="the automations to apply")] = AUTOMATIONS_FILE,
) -> None:
    """Create or update the connector's automations by name (failed or crashed runs, runs that need
    attention, a growing quarantine, purchase-order deviations, reconcile differences), and remove the
    ones it applied earlier that are no longer defined. Running it again changes nothing.

    Talks to the Prefect server PREFECT_API_URL points at (the one `swo run` starts, by default
    http://127.0.0.1:4200/api)."""
    from prefect.settings import PREFECT_API_URL

    api_url = PREFECT_API_URL.value()
    if not api_url:
        fail("PREFECT_API_URL is not set: point it at the Prefect server the deployments run on, e.g. "
             "PREFECT_API_URL=http://127.0.0.1:4200/api")
    try:
        block_name, changes = asyncio.run(_apply(notify, file, dry_run))
    except AutomationsError as exc:
        fail(str(exc))
    except httpx.HTTPError as exc:
        fail(f"cannot apply the automations on the Prefect server at {api_url}: {exc}")
    typer.echo(f"Notifications go through {block_name}.")
    for change in changes:
        typer.echo(f"{'would be ' if dry_run else ''}{change.action}: {change.name}")


async def _apply(notify: str, file: Path, dry_run: bool) -> tuple[str, list[AutomationChange]]:
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        block = await find_notification_block(client, notify)
        wanted = load_automations(block.id, file)
        return describe_block(block), await apply_automations(client, wanted, dry_run=dry_run)
