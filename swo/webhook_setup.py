"""Setting up a merchant's webhooks: Starweb's through its API, Ongoing's as words for Ongoing's UI (or, for
the simulator, through its ``/_sim`` stand-in for that UI), and serving the receiver.

Used by ``swo webhooks register`` and by ``swo run``, which wires the demo merchant to the simulators and
runs the receiver as ``swo webhooks serve`` in a process of its own, as it would run in production: a
burst of calls then does not wait for the simulators and the runner in ``swo run``'s process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from domain.config import ConfigError, MerchantConfig
from domain.webhook_registration import (
    RegistrationPlan,
    ongoing_setup,
    plan_registration,
    wanted_web_hooks,
)
from integrations.simulation.server import RunningServer, serve_in_thread
from integrations.starweb.models import WebHookWrite
from webhooks.app import create_served_app


async def webhook_secret(merchant: MerchantConfig, source: str) -> str:
    """The secret the merchant's file names for this vendor's webhooks; ConfigError when not set up."""
    from tasks.runtime import resolve_credential

    ref = merchant.webhooks.token_for("starweb" if source == "starweb" else "ongoing")
    if ref is None:
        raise ConfigError(f"{merchant.merchant_id}: {source} webhooks are not enabled (webhooks.enabled and "
                          f"webhooks.{source}_token in the merchant file)")
    return await resolve_credential(ref, f"{merchant.merchant_id} {source} webhook secret")


async def register_starweb_web_hooks(merchant: MerchantConfig, receiver_url: str) -> RegistrationPlan:
    """Make the shop's web-hooks exactly the connector's wanted ones (idempotent); what was done."""
    from tasks.runtime import starweb_client

    secret = await webhook_secret(merchant, "starweb")
    wanted = wanted_web_hooks(merchant.merchant_id, receiver_url, secret)
    async with await starweb_client(merchant) as shop:
        plan = plan_registration(merchant.merchant_id, await shop.list_web_hooks(), wanted)
        for hook in plan.remove:
            await shop.delete_web_hook(hook.web_hook_id)
        for want in plan.create:
            await shop.create_web_hook(WebHookWrite.model_validate({"name": want.name, "event": want.event,
                                                                    "url": want.url}))
    return plan


async def set_up_ongoing_simulator(merchant: MerchantConfig, receiver_url: str, simulator_root: str) -> None:
    """Do in the Ongoing simulator what a TPL does in Ongoing's UI: one webhook per family, with the secret."""
    secret = await webhook_secret(merchant, "ongoing")
    url = ongoing_setup(merchant, receiver_url).url
    async with httpx.AsyncClient(base_url=simulator_root, timeout=10) as admin:
        (await admin.delete("/_sim/webhooks")).raise_for_status()
        for family in ("order", "purchase-order", "returns"):
            body = {"name": f"swo {merchant.merchant_id} {family}", "url": url, "family": family, "authToken": secret}
            (await admin.post("/_sim/webhooks", json=body)).raise_for_status()


def start_receiver(*, host: str, port: int | None, merchants_dir: Path, ledger_url: str,
                   prefect_api_url: str) -> RunningServer:
    """The receiver on a port in a background thread of this process (the tests)."""
    app = create_served_app(merchants_dir=merchants_dir, ledger_url=ledger_url, prefect_api_url=prefect_api_url)
    return serve_in_thread(app, host=host, port=port, lifespan="on")


@dataclass
class ReceiverProcess:
    """``swo webhooks serve`` in a process group of its own, started by ``start_receiver_process``."""

    root_url: str
    process: subprocess.Popen[bytes]

    def stop(self, timeout: float = 20.0) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout)


def start_receiver_process(*, host: str, port: int, prefect_api_url: str, log_path: Path,
                           environ: dict[str, str], timeout: float = 90.0) -> ReceiverProcess:
    """Start ``swo webhooks serve`` (settings and secrets from ``environ``) and wait until it answers."""
    root_url = f"http://{host}:{port}"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "swo.cli", "webhooks", "serve", "--host", host, "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            env={**environ, "PREFECT_API_URL": prefect_api_url})
    receiver = ReceiverProcess(root_url, process)
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2) as client:
        while True:
            try:
                if client.get(f"{root_url}/health").status_code == 200:
                    return receiver
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                receiver.stop()
                raise RuntimeError(f"the webhook receiver did not answer at {root_url}/health; see {log_path}")
            time.sleep(0.3)
