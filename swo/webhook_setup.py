"""Setting up a merchant's webhooks: Starweb's through its API, Ongoing's as words for Ongoing's UI (or, for
the simulator, through its ``/_sim`` stand-in for that UI), and serving the receiver.

Used by ``swo webhooks register`` and by ``swo run``, which wires the demo merchant to the simulators.
"""

from __future__ import annotations

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
    """The receiver on a port in a background thread (``swo run``); ``swo webhooks serve`` runs it in front."""
    app = create_served_app(merchants_dir=merchants_dir, ledger_url=ledger_url, prefect_api_url=prefect_api_url)
    return serve_in_thread(app, host=host, port=port, lifespan="on")
