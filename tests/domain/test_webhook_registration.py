"""Which Starweb web-hooks the connector keeps for a merchant, and what registering changes."""

from __future__ import annotations

import pytest

from domain.config import MERCHANTS_DIR, load_merchants
from domain.webhook_registration import (
    check_receiver_url,
    ongoing_setup,
    plan_registration,
    wanted_web_hooks,
    without_secret,
)
from integrations.starweb.models import WebHook

RECEIVER = "https://hooks.example.com/"


def hook(web_hook_id: int, event: str, url: str, name: str | None = None, status_id: int | None = None) -> WebHook:
    return WebHook(web_hook_id=web_hook_id, name=name if name is not None else f"swo demo {event}", event=event,
                   url=url, status_id=status_id)


def test_one_web_hook_per_event_with_the_secret_and_the_event_in_its_url() -> None:
    wanted = wanted_web_hooks("demo", RECEIVER, "s3cret", events=("order-created", "order-deleted"))

    assert [(w.name, w.event, w.url) for w in wanted] == [
        ("swo demo order-created", "order-created", "https://hooks.example.com/starweb/demo/s3cret?event=order-created"),
        ("swo demo order-deleted", "order-deleted", "https://hooks.example.com/starweb/demo/s3cret?event=order-deleted")]


def test_registering_creates_the_missing_keeps_the_right_and_removes_the_connectors_stale_ones() -> None:
    wanted = wanted_web_hooks("demo", RECEIVER, "new", events=("order-created", "order-updated"))
    right = hook(1, "order-created", wanted[0].url)
    twin = hook(2, "order-created", wanted[0].url)
    old_secret = hook(3, "order-updated", "https://hooks.example.com/starweb/demo/old?event=order-updated")
    no_longer_needed = hook(4, "product-created", "https://hooks.example.com/starweb/demo/new?event=product-created")
    narrowed = hook(5, "order-updated", wanted[1].url, status_id=3)
    someone_elses = hook(6, "order-created", "https://erp.example.com/in", name="Fortnox")
    other_merchant = hook(7, "order-created", "https://hooks.example.com/starweb/north/x",
                          name="swo north order-created")

    plan = plan_registration("demo", [right, twin, old_secret, no_longer_needed, narrowed, someone_elses,
                                      other_merchant], wanted)

    assert [w.event for w in plan.create] == ["order-updated"]
    assert [h.web_hook_id for h in plan.keep] == [1]
    assert [h.web_hook_id for h in plan.remove] == [2, 3, 4, 5]


def test_registering_again_changes_nothing() -> None:
    wanted = wanted_web_hooks("demo", RECEIVER, "s", events=("order-created",))
    existing = [hook(1, "order-created", wanted[0].url)]

    plan = plan_registration("demo", existing, wanted)

    assert (plan.create, [h.web_hook_id for h in plan.keep], plan.remove) == ((), [1], ())


@pytest.mark.parametrize(("url", "problem"), [
    ("http://hooks.example.com", "uses http://, which would send the webhook secret in clear"),
    ("hooks.example.com", "is not an http\\(s\\) URL"),
])
def test_the_receiver_url_must_keep_the_secret_off_the_wire(url: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        check_receiver_url(url)
    assert check_receiver_url("http://127.0.0.1:8803/") == "http://127.0.0.1:8803"


def test_printed_urls_never_show_the_secret() -> None:
    assert without_secret("https://h.example/starweb/demo/s3cret?event=order-created") == (
        "https://h.example/starweb/demo/…?event=order-created")
    assert without_secret("https://erp.example.com/in") == "https://erp.example.com/in"


def test_ongoing_is_told_what_to_enter_in_its_ui() -> None:
    setup = ongoing_setup(load_merchants(MERCHANTS_DIR)["demo"], RECEIVER)

    assert (setup.url, setup.header) == ("https://hooks.example.com/ongoing/demo", "X-Auth-Token")
    assert "Purchase order: received" in setup.webhooks
