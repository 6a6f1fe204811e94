"""The ``swo`` command line: run the demo, serve the simulators, check configs, act on demand."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from domain.config import ConfigError, load_merchants
from swo.settings import PROJECT_ROOT, get_settings

app = typer.Typer(help="Starweb ⇄ Ongoing connector.", no_args_is_help=True, add_completion=False)


@app.command()
def sim(
    host: str = "127.0.0.1",
    starweb_port: int = 8801,
    ongoing_port: int = 8802,
    warehouse: str = "demo",
    state_dir: Annotated[Path | None, typer.Option(help="keep simulator state in SQLite files here")] = None,
    memory: Annotated[bool, typer.Option(help="keep simulator state in memory only")] = False,
    seed: Annotated[bool, typer.Option(help="fill both simulators with the demo shop and warehouse")] = True,
) -> None:
    """Serve the Starweb and Ongoing simulators until interrupted."""
    from swo.simulators import start_simulators

    directory = None if memory else (state_dir or get_settings().state_dir / "sim")
    sims = start_simulators(host=host, starweb_port=starweb_port, ongoing_port=ongoing_port,
                            warehouse=warehouse, state_dir=directory)
    if seed:
        sims.seed_demo()
    typer.echo(f"Starweb simulator: {sims.starweb_api}   (admin: {sims.starweb.root_url}/_sim)")
    typer.echo(f"Ongoing simulator: {sims.ongoing_api}   (admin: {sims.ongoing.root_url}/_sim)")
    typer.echo(f"State: {directory or 'in memory'}. Ctrl-C stops.")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sims.stop()


@app.command()
def run(
    port: Annotated[int, typer.Option(help="port of the local Prefect server (reused if one answers)")] = 4200,
    server: Annotated[bool, typer.Option(help="start or reuse a local Prefect server; --no-server uses the "
                                              "one PREFECT_API_URL points at")] = True,
    demo_orders: Annotated[bool, typer.Option(help="place a few demo orders if the shop has none")] = True,
    starweb_port: Annotated[int, typer.Option(help="port of the Starweb simulator")] = 8801,
    ongoing_port: Annotated[int, typer.Option(help="port of the Ongoing simulator")] = 8802,
    webhook_port: Annotated[int, typer.Option(help="port of the webhook receiver")] = 8803,
) -> None:
    """Run the connector locally: Prefect server, simulators, webhook receiver, demo orders and every merchant's
    deployments."""
    from swo.local import LocalRunError, LocalRunOptions, run_local

    settings = get_settings()
    options = LocalRunOptions(state_dir=settings.state_dir, merchants_dir=settings.merchants_dir, port=port,
                              start_server=server, demo_orders=demo_orders, starweb_port=starweb_port,
                              ongoing_port=ongoing_port, webhook_port=webhook_port)
    try:
        run_local(options, echo=typer.echo)
    except (LocalRunError, ConfigError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    except KeyboardInterrupt:
        typer.echo("Stopped.", err=True)
        raise typer.Exit(130) from None


deployments_app = typer.Typer(help="Prefect deployments: one per process and merchant.", no_args_is_help=True)
app.add_typer(deployments_app, name="deployments")


@deployments_app.command("render")
def render_deployments(
    check: Annotated[bool, typer.Option(help="only compare; exit 1 if the file is not up to date")] = False,
    output: Annotated[Path, typer.Option(help="the file to write or check")] = PROJECT_ROOT / "prefect.yaml",
) -> None:
    """Write prefect.yaml from the merchant files (or, with --check, fail if it is out of date)."""
    from deployments.build import build_deployments, render_prefect_yaml

    try:
        merchants = load_merchants(get_settings().merchants_dir)
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    specs = build_deployments(merchants.values())
    text = render_prefect_yaml(specs)
    current = output.read_text(encoding="utf-8") if output.exists() else None
    if check:
        if current != text:
            typer.echo(f"{output} is out of date: run `swo deployments render` and commit the result", err=True)
            raise typer.Exit(1)
        typer.echo(f"{output} is up to date")
        return
    if current != text:
        output.write_text(text, encoding="utf-8")
    typer.echo(f"{output}: {len(specs)} deployments for merchants {', '.join(merchants)}")


@app.command("check-config")
def check_config() -> None:
    """Validate every merchant file; exit non-zero with file, field and problem on the first error."""
    try:
        merchants = load_merchants(get_settings().merchants_dir)
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    for merchant_id, merchant in merchants.items():
        typer.echo(f"{merchant_id}: ok ({merchant.name})")


@app.command()
def doctor(merchant_id: str) -> None:
    """Check one merchant end to end: credentials, every mapping against both systems, the go-live
    cutoff and clock skew. Prints a table; exits 1 if anything is a problem."""
    from swo.doctor import run_doctor

    raise typer.Exit(run_doctor(merchant_id))


def _register_operations() -> None:
    from swo.automations_cli import automations_app
    from swo.inbound_cli import inbound
    from swo.orders_cli import hold, release
    from swo.quarantine_cli import quarantine_app
    from swo.reconcile_cli import reconcile
    from swo.returns_cli import returns_app
    from swo.webhooks_cli import webhooks_app

    app.command()(release)
    app.command()(hold)
    app.command()(inbound)
    app.command()(reconcile)
    app.add_typer(quarantine_app, name="quarantine")
    app.add_typer(returns_app, name="returns")
    app.add_typer(automations_app, name="automations")
    app.add_typer(webhooks_app, name="webhooks")


_register_operations()


if __name__ == "__main__":  # pragma: no cover
    app()
