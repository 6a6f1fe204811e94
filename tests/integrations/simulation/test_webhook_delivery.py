"""The simulators' webhook delivery: fire and forget, lossy and duplicating by seed, logged without URLs."""

from __future__ import annotations

from integrations.simulation.webhook_delivery import DeliverySettings, WebhookSender
from tests.integrations.simulation.collector import (  # noqa: F401
    Collector,
    collector_fixture,
    collector_server_fixture,
)


def send_many(sender: WebhookSender, collector: Collector, count: int) -> list[dict]:
    for n in range(count):
        sender.send(collector.url(f"/secret-path/{n}"), {"n": n}, headers={"X-Auth-Token": "t"}, label=f"event {n}")
    assert sender.wait_until_sent(timeout=60)
    return sender.deliveries()


def test_every_delivery_arrives_with_its_headers_and_is_logged(collector: Collector) -> None:
    sender = WebhookSender()

    log = send_many(sender, collector, 5)

    assert sorted(c["body"]["n"] for c in collector.calls) == [0, 1, 2, 3, 4]
    assert {c["headers"]["x-auth-token"] for c in collector.calls} == {"t"}
    assert [(e["event"], e["outcome"]) for e in log] == [(f"event {n}", "HTTP 200") for n in range(5)]
    assert "secret-path" not in str(log)


def test_the_loss_rate_drops_deliveries_the_same_way_for_the_same_seed(collector: Collector) -> None:
    first = send_many(WebhookSender(DeliverySettings(loss_rate=0.3, seed=11)), collector, 100)
    arrived = len(collector.calls)
    collector.calls.clear()
    second = send_many(WebhookSender(DeliverySettings(loss_rate=0.3, seed=11)), collector, 100)

    lost = [e["event"] for e in first if e["outcome"] == "lost"]
    assert lost == [e["event"] for e in second if e["outcome"] == "lost"]
    assert 15 <= len(lost) <= 45  # about 30 % of 100
    assert arrived == len(collector.calls) == 100 - len(lost)


def test_the_duplicate_rate_sends_a_delivery_twice(collector: Collector) -> None:
    log = send_many(WebhookSender(DeliverySettings(duplicate_rate=1.0)), collector, 3)

    assert sorted(c["body"]["n"] for c in collector.calls) == [0, 0, 1, 1, 2, 2]
    assert {e["copies"] for e in log} == {2}


def test_a_failing_subscriber_is_logged_and_not_retried(collector: Collector) -> None:
    collector.status = 503
    sender = WebhookSender()

    log = send_many(sender, collector, 1)
    sender.send("http://127.0.0.1:9/nothing-listens", {}, label="nowhere")
    assert sender.wait_until_sent(timeout=60)

    assert len(collector.calls) == 1
    assert log[0]["outcome"] == "HTTP 503"
    assert sender.deliveries()[-1]["outcome"].startswith("failed: ")
