"""The simulators' demo credentials, filled in for a merchant that points at the simulators.

``swo run`` starts the simulators and sets the demo merchant's credential variables itself, but a
second terminal (``swo release demo``, ``swo doctor demo``) has none of them. The simulators'
credentials are public, so ``swo`` fills in the ones a merchant file refers to when they are unset,
and only while both of that merchant's base URLs name this machine: a file pointing anywhere else
never receives them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping

from domain.config import MerchantConfig, is_loopback_url


def set_unset(environ: MutableMapping[str, str], values: Mapping[str, str]) -> list[str]:
    """Give each variable its value unless it already has one; the names that were set."""
    missing = [name for name in values if not environ.get(name)]
    for name in missing:
        environ[name] = values[name]
    return missing


def simulator_credentials() -> dict[str, str]:
    """The simulators' credentials (their defaults, or ``STARWEB_SIM_*`` / ``ONGOING_SIM_*`` if set), under
    the variable names deployments/merchants/demo.yaml refers to."""
    from integrations.ongoing.simulator import OngoingSimSettings
    from integrations.starweb.simulator import StarwebSimSettings

    starweb, ongoing = StarwebSimSettings(), OngoingSimSettings()
    return {
        "DEMO_STARWEB_CLIENT_ID": starweb.client_id,
        "DEMO_STARWEB_CLIENT_SECRET": starweb.client_secret.get_secret_value(),
        "DEMO_ONGOING_USERNAME": ongoing.username,
        "DEMO_ONGOING_PASSWORD": ongoing.password.get_secret_value(),
        **DEMO_WEBHOOK_SECRETS,
    }


# The demo's webhook secrets: as public as the simulators' credentials, and only ever given to a merchant
# whose both systems are on this machine.
DEMO_WEBHOOK_SECRETS = {
    "DEMO_WEBHOOK_STARWEB_TOKEN": "demo-starweb-webhook-secret",
    "DEMO_WEBHOOK_ONGOING_TOKEN": "demo-ongoing-webhook-secret",
}


def fill_demo_credentials(merchant: MerchantConfig, environ: MutableMapping[str, str] = os.environ) -> list[str]:
    """Set the unset demo credential variables this merchant refers to, if it points at this machine only;
    the names that were set."""
    if not (is_loopback_url(merchant.starweb.base_url) and is_loopback_url(merchant.ongoing.base_url)):
        return []
    refs = (merchant.starweb.client_id, merchant.starweb.client_secret, merchant.ongoing.username,
            merchant.ongoing.password, merchant.webhooks.starweb_token, merchant.webhooks.ongoing_token)
    wanted = {ref.env for ref in refs if ref is not None and ref.env}
    return set_unset(environ, {name: value for name, value in simulator_credentials().items() if name in wanted})
