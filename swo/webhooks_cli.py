"""``swo webhooks``: serve the receiver, register a merchant's webhooks, and count what came in."""

from __future__ import annotations

import asyncio
import os
from typing import Annotated

import typer

from domain.config import ConfigError
from domain.webhook_registration import check_receiver_url, ongoing_setup, without_secret
from integrations.errors import ConnectorError
from swo.feedback import fail, fill_demo_credentials_and_say_so, merchant_or_exit
from swo.settings import get_settings

webhooks_app = typer.Typer(help="Webhooks from Starweb and Ongoing into the connector.", no_args_is_help=True)

URL_HELP = "the receiver's address as the vendors reach it (default: SWO_WEBHOOK_URL)"


@webhooks_app.command("serve")
def serve(host: str = "127.0.0.1", port: int = 8803) -> None:
    """Serve the webhook receiver until interrupted. Needs PREFECT_API_URL (where the events go)."""
    import uvicorn

    from webhooks.app import create_served_app

    api_url = os.environ.get("PREFECT_API_URL", "").rstrip("/")
    if not api_url:
        fail("swo webhooks serve needs PREFECT_API_URL set to the Prefect server's API, e.g. "
             "http://127.0.0.1:4200/api: the receiver turns every call into an event there")
    settings = get_settings()
    app = create_served_app(merchants_dir=settings.merchants_dir, ledger_url=settings.resolved_ledger_url,
                            prefect_api_url=api_url)
    typer.echo(f"Webhook receiver on http://{host}:{port} (events to {api_url}). Ctrl-C stops.")
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)


@webhooks_app.command("register")
def register(
    merchant_id: str,
    url: Annotated[str | None, typer.Option(help=URL_HELP)] = None,
    show_secret: Annotated[bool, typer.Option(help="print Ongoing's X-Auth-Token value to type into its UI")] = False,
) -> None:
    """Register the merchant's Starweb web-hooks (idempotent: removes the connector's stale ones) and print
    what to set up in Ongoing's UI."""
    from swo.webhook_setup import register_starweb_web_hooks, webhook_secret

    merchant = merchant_or_exit(merchant_id)
    if not merchant.webhooks.enabled:
        fail(f"{merchant_id}: webhooks are off; set webhooks.enabled: true and the secrets in its merchant file first")
    try:
        receiver = check_receiver_url(url or get_settings().webhook_url)
    except ValueError as exc:
        fail(f"--url: {exc}")
    fill_demo_credentials_and_say_so(merchant)
    if merchant.webhooks.starweb_token is not None:
        try:
            plan = asyncio.run(register_starweb_web_hooks(merchant, receiver))
        except (ConfigError, ConnectorError) as exc:
            fail(f"registering {merchant_id}'s Starweb web-hooks failed: {exc}")
        typer.echo(f"Starweb web-hooks for {merchant_id} at {receiver}:")
        for want in plan.create:
            typer.echo(f"  created  {want.event:<22} {without_secret(want.url)}")
        for hook in plan.keep:
            typer.echo(f"  kept     {hook.event or '':<22} {without_secret(hook.url)}")
        for hook in plan.remove:
            typer.echo(f"  removed  {hook.event or '':<22} {without_secret(hook.url)}  (#{hook.web_hook_id}, stale)")
    else:
        typer.echo(f"Starweb: no webhooks.starweb_token for {merchant_id}; its processes keep polling.")
    if merchant.webhooks.ongoing_token is not None:
        setup = ongoing_setup(merchant, receiver)
        try:
            secret = asyncio.run(webhook_secret(merchant, "ongoing")) if show_secret else None
        except ConfigError as exc:
            fail(str(exc))
        ref = merchant.webhooks.ongoing_token.describe()
        typer.echo(f"Ongoing has no API for webhooks. In Ongoing's UI (Administration > Settings > Webhooks > "
                   f"Create new regular webhook) for goods owner {merchant.ongoing.goods_owner_id}, create:")
        typer.echo(f"  URL:          {setup.url}")
        typer.echo(f"  Header:       {setup.header}: {secret if secret else f'<the value of the {ref}>'}")
        typer.echo("  Webhooks:     " + "; ".join(setup.webhooks))
        typer.echo("  Retry policy: One day")
    else:
        typer.echo(f"Ongoing: no webhooks.ongoing_token for {merchant_id}; its processes keep polling.")


@webhooks_app.command("stats")
def stats() -> None:
    """How many webhook calls ended how, per merchant and vendor (from the ledger)."""
    from ledger.db import Ledger
    from ledger.webhooks import call_counts

    book = Ledger(get_settings().resolved_ledger_url)
    with book.session() as session:
        rows = [(c.merchant_id, c.source, c.outcome, c.count, c.last_at) for c in call_counts(session)]
    book.dispose()
    if not rows:
        typer.echo("No webhook calls yet.")
    for merchant_id, source, outcome, count, last_at in rows:
        typer.echo(f"{merchant_id:<20} {source:<8} {outcome:<20} {count:>8}  last {last_at:%Y-%m-%d %H:%M:%S} UTC")
