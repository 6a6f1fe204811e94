"""Which web-hooks a shop should have for the connector, and what to change to get there.

Starweb signs nothing, so each web-hook's URL carries the merchant's secret (and the event, since
Starweb's body may not name it). The connector's web-hooks are recognised by their name,
``swo <merchant> <event>``; registering makes the shop hold exactly one per event the listeners need,
at the current URL, and removes the connector's others (an old secret, an old address, an event no
process listens to any more). Web-hooks other integrations registered are left alone.
Ongoing has no API for webhooks: ``ongoing_setup`` says what to enter in Ongoing's UI instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from domain.config import MerchantConfig, is_loopback_url
from domain.webhook_events import STARWEB_SUBSCRIPTIONS
from integrations.starweb.models import WebHook


@dataclass(frozen=True)
class WantedWebHook:
    name: str
    event: str
    url: str


@dataclass(frozen=True)
class RegistrationPlan:
    create: tuple[WantedWebHook, ...]
    keep: tuple[WebHook, ...]
    remove: tuple[WebHook, ...]


def check_receiver_url(url: str) -> str:
    """The receiver's public base URL, refused when it would carry the secret in clear over a network."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http(s) URL")
    if parts.scheme == "http" and not is_loopback_url(url):
        raise ValueError(f"{url} uses http://, which would send the webhook secret in clear; use https:// (plain "
                         "http is accepted only for this machine, e.g. with the simulators)")
    return url.rstrip("/")


def name_prefix(merchant_id: str) -> str:
    return f"swo {merchant_id} "


def wanted_web_hooks(merchant_id: str, receiver_url: str, secret: str,
                     events: Sequence[str] = STARWEB_SUBSCRIPTIONS) -> list[WantedWebHook]:
    base = check_receiver_url(receiver_url)
    return [WantedWebHook(f"{name_prefix(merchant_id)}{event}", event,
                          f"{base}/starweb/{merchant_id}/{secret}?event={event}") for event in events]


def plan_registration(merchant_id: str, existing: Sequence[WebHook],
                      wanted: Sequence[WantedWebHook]) -> RegistrationPlan:
    """Create what is missing, keep one matching web-hook per wanted one, remove the connector's others."""
    ours = [hook for hook in existing if (hook.name or "").startswith(name_prefix(merchant_id))]
    keep: list[WebHook] = []
    create: list[WantedWebHook] = []
    for want in wanted:
        match = next((h for h in ours if h not in keep and h.event == want.event and h.url == want.url
                      and h.status_id is None), None)
        if match is None:
            create.append(want)
        else:
            keep.append(match)
    remove = [hook for hook in ours if hook not in keep]
    return RegistrationPlan(tuple(create), tuple(keep), tuple(remove))


def without_secret(url: str | None) -> str:
    """A web-hook URL fit to print: the secret path segment of the connector's URLs replaced by …."""
    if not url:
        return ""
    parts = urlsplit(url)
    segments = parts.path.split("/")
    if len(segments) >= 4 and segments[-3] == "starweb":
        segments[-1] = "…"
    return urlunsplit(parts._replace(path="/".join(segments)))


@dataclass(frozen=True)
class OngoingSetup:
    url: str
    header: str
    webhooks: tuple[str, ...]


def ongoing_setup(merchant: MerchantConfig, receiver_url: str) -> OngoingSetup:
    """What to enter in Ongoing's UI (Administration, Settings, Webhooks, "Create new regular webhook")."""
    return OngoingSetup(
        url=f"{check_receiver_url(receiver_url)}/ongoing/{merchant.merchant_id}",
        header="X-Auth-Token",
        webhooks=("Order: created, and status changed for every status", "Order: picked",
                  "Purchase order: received", "Picking, packing and returns: returned"),
    )
