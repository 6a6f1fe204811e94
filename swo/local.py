"""``swo run`` (``make run``): the whole connector on one machine, against the vendor simulators.

In order: a Prefect server (reused, or started with its home under the state directory), each
merchant's one-writer limit for its Ongoing goods owner (a Prefect global concurrency limit) and its
request budgets per vendor (Prefect rate limits), both simulators seeded with the demo shop and
warehouse, the webhook receiver with the webhooks of every merchant on this machine set up in both
simulators, a few demo orders when the shop has none, then
every merchant's deployments served until Ctrl-C, which pauses their schedules and stops the
simulators, the receiver and any server this run started.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from deployments.build import DeploymentSpec, build_deployments
from domain.config import MerchantConfig, is_loopback_url, load_merchants
from integrations.starweb.client import StarwebClient, StarwebSettings
from settings import get_settings
from swo.demo_credentials import DEMO_WEBHOOK_SECRETS, set_unset
from swo.demo_orders import place_demo_orders
from swo.prefect_server import (
    Answer,
    PrefectServer,
    ServerStartError,
    ensure_prefect_server,
    probe,
    server_environment,
    started_server_client_environment,
)
from swo.simulators import Simulators, start_simulators
from swo.webhook_setup import (
    ReceiverProcess,
    register_starweb_web_hooks,
    set_up_ongoing_simulator,
    start_receiver_process,
)

# A served deployment's runs start when its runner next asks for them: every second here, so a webhook's run
# starts at once (Prefect's default is every 10 seconds).
RUNNER_POLL_SECONDS = "1"


class LocalRunError(RuntimeError):
    """``swo run`` cannot start; the message says what to do."""


@dataclass(frozen=True)
class LocalRunOptions:
    state_dir: Path
    merchants_dir: Path
    host: str = "127.0.0.1"
    port: int = 4200
    start_server: bool = True
    demo_orders: bool = True
    starweb_port: int = 8801
    ongoing_port: int = 8802
    webhook_port: int = 8803


def demo_credentials(sims: Simulators) -> dict[str, str]:
    """The simulators' public demo credentials, under the names deployments/merchants/demo.yaml refers to."""
    return {
        "DEMO_STARWEB_CLIENT_ID": sims.starweb_settings.client_id,
        "DEMO_STARWEB_CLIENT_SECRET": sims.starweb_settings.client_secret.get_secret_value(),
        "DEMO_ONGOING_USERNAME": sims.ongoing_settings.username,
        "DEMO_ONGOING_PASSWORD": sims.ongoing_settings.password.get_secret_value(),
    }


def use_prefect_api(api_url: str, extra: Mapping[str, str]) -> None:
    """Point this process, and the flow runs it spawns, at ``api_url``."""
    os.environ.update(extra)
    os.environ["PREFECT_API_URL"] = api_url
    # Prefect reads its settings from the environment once, on import; make it read them again.
    from prefect.context import refresh_global_settings_context

    refresh_global_settings_context()


def connect_prefect(options: LocalRunOptions) -> PrefectServer:
    if options.start_server:
        try:
            server = ensure_prefect_server(options.state_dir, host=options.host, port=options.port)
        except ServerStartError as exc:
            raise LocalRunError(str(exc)) from exc
        started = started_server_client_environment(os.environ) if server.process is not None else {}
        use_prefect_api(server.api_url, {**server_environment(options.state_dir), **started})
        return server
    api_url = os.environ.get("PREFECT_API_URL", "").rstrip("/")
    if not api_url:
        raise LocalRunError("--no-server needs PREFECT_API_URL set to a running Prefect server's API, "
                            "e.g. http://127.0.0.1:4200/api")
    with httpx.Client(timeout=5) as client:
        found = probe(api_url, client)
    if found is not Answer.PREFECT:
        raise LocalRunError(f"PREFECT_API_URL is {api_url}, but {found.value} there")
    use_prefect_api(api_url, {})
    return PrefectServer(api_url)


def start_demo_world(options: LocalRunOptions) -> Simulators:
    try:
        sims = start_simulators(host=options.host, starweb_port=options.starweb_port,
                                ongoing_port=options.ongoing_port, state_dir=options.state_dir / "sim")
    except RuntimeError as exc:
        raise LocalRunError(f"{exc}: ports {options.starweb_port} and {options.ongoing_port} must be free "
                            "(is `make sim` running?)") from exc
    sims.seed_demo()
    return sims


async def place_orders_in(sims: Simulators) -> list[int]:
    settings = StarwebSettings(base_url=sims.starweb_api, client_id=sims.starweb_settings.client_id,
                               client_secret=sims.starweb_settings.client_secret)
    async with StarwebClient(settings) as shop:
        return await place_demo_orders(shop)


def on_this_machine(merchant: MerchantConfig) -> bool:
    return is_loopback_url(merchant.starweb.base_url) and is_loopback_url(merchant.ongoing.base_url)


async def wire_webhooks(merchants: list[MerchantConfig], receiver_url: str) -> list[str]:
    """Set up the webhooks of every merchant on this machine in its simulators; the merchants wired."""
    wired = []
    for merchant in merchants:
        if not (merchant.webhooks.enabled and on_this_machine(merchant)):
            continue
        if merchant.webhooks.starweb_token is not None:
            await register_starweb_web_hooks(merchant, receiver_url)
        if merchant.webhooks.ongoing_token is not None:
            root = merchant.ongoing.base_url.split(f"/{merchant.ongoing.warehouse}/api/")[0]
            await set_up_ongoing_simulator(merchant, receiver_url, root)
        wired.append(merchant.merchant_id)
    return wired


def banner(server: PrefectServer, sims: Simulators, specs: list[DeploymentSpec], placed: list[int] | None,
           receiver_url: str | None = None, wired: list[str] | None = None) -> str:
    example = next((s.full_name for s in specs if s.flow_name == "export-orders"), specs[0].full_name)
    lines = [
        f"Prefect UI:         {server.ui_url}" + (f"   (server log: {server.log_path})" if server.log_path else ""),
        f"Starweb simulator:  {sims.starweb_api}   (admin: {sims.starweb.root_url}/_sim)",
        f"Ongoing simulator:  {sims.ongoing_api}   (admin: {sims.ongoing.root_url}/_sim)",
    ]
    if receiver_url is not None:
        merchants = ", ".join(wired or []) or "none"
        lines.append(f"Webhook receiver:   {receiver_url}   (webhooks set up for: {merchants})")
    lines += [
        f"Demo orders placed: {_placed(placed)}",
        f"Serving {len(specs)} deployments. Start one now from another terminal:",
        f"  PREFECT_API_URL={server.api_url} .venv/bin/prefect deployment run '{example}'",
        "Ctrl-C stops everything.",
    ]
    return "\n".join(lines)


def _placed(order_ids: list[int] | None) -> str:
    if order_ids is None:
        return "none (--no-demo-orders)"
    return ", ".join(map(str, order_ids)) or "none (the shop already has orders)"


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_local(options: LocalRunOptions, echo: Callable[[str], None] = print) -> None:
    """Run everything until interrupted; see the module docstring."""
    merchants = load_merchants(options.merchants_dir)
    if not merchants:
        raise LocalRunError(f"no merchant files (*.yaml) in {options.merchants_dir}")
    specs = build_deployments(merchants.values())
    if threading.current_thread() is threading.main_thread():
        # A terminal closing or `kill` while starting up unwinds like Ctrl-C, so the server is stopped;
        # once serving, Prefect's runner installs its own graceful SIGTERM handler.
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGHUP, _interrupt)
    options.state_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_RUNNER_POLL_FREQUENCY", RUNNER_POLL_SECONDS)
    server = connect_prefect(options)
    sims: Simulators | None = None
    receiver: ReceiverProcess | None = None
    try:
        from swo.prefect_setup import ensure_merchant_limits

        asyncio.run(ensure_merchant_limits(merchants.values()))
        sims = start_demo_world(options)
        set_unset(os.environ, {**demo_credentials(sims), **DEMO_WEBHOOK_SECRETS})
        receiver = start_webhook_receiver(options, server)
        wired = asyncio.run(wire_webhooks(list(merchants.values()), receiver.root_url))

        from deployments.run_starts import preloaded_runner, serve_runner

        # Deployments and their triggers exist before the demo orders are placed, so their webhooks start runs.
        # Their runs are forked from a process with the flows imported once (deployments.run_starts): a run
        # does not pay for a new interpreter and its imports, which is most of what an idle poll costs.
        runner = preloaded_runner(specs)
        placed = asyncio.run(place_orders_in(sims)) if options.demo_orders else None
        echo(banner(server, sims, specs, placed, receiver.root_url, wired))
        echo("The deployments are served: polling for scheduled runs.")
        serve_runner(runner)
    finally:
        if receiver is not None:
            receiver.stop()
        if sims is not None:
            sims.stop()
        server.stop()


def start_webhook_receiver(options: LocalRunOptions, server: PrefectServer) -> ReceiverProcess:
    settings = get_settings()
    environ = {**os.environ, "SWO_MERCHANTS_DIR": str(options.merchants_dir),
               "SWO_LEDGER_URL": settings.resolved_ledger_url, "SWO_STATE_DIR": str(options.state_dir)}
    try:
        return start_receiver_process(host=options.host, port=options.webhook_port, prefect_api_url=server.api_url,
                                      log_path=options.state_dir / "webhooks.log", environ=environ)
    except RuntimeError as exc:
        raise LocalRunError(f"{exc}: port {options.webhook_port} must be free (choose another with "
                            "--webhook-port)") from exc
