"""The ``swo`` command line: run the demo, serve the simulators, check configs, act on demand."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from domain.config import ConfigError, load_merchants
from swo.settings import get_settings

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


if __name__ == "__main__":  # pragma: no cover
    app()
