"""Against the test harness's Prefect server (its triggers and actions services on): ``swo automations
apply`` installs the alerts idempotently, and they fire into a local webhook receiver through the
notification block the operator named, for a failed connector run and for a run that needs attention."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI, Request
from prefect import flow, tags
from prefect.blocks.notifications import CustomWebhookNotificationBlock
from prefect.client.orchestration import get_client
from prefect.events import emit_event
from prefect.events.worker import EventsWorker
from typer.testing import CliRunner

from deployments.automations import AUTOMATIONS_FILE, MANAGED_TAG
from integrations.simulation.server import serve_in_thread
from swo.cli import app

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

BLOCK = "custom-webhook/swo-test-alerts"
NAMES = ["swo: run failed or crashed", "swo: run needs attention", "swo: quarantine growing",
         "swo: purchase-order deviation", "swo: reconcile differences", "swo: crash unresponsive runs"]


@pytest.fixture
def alerts(prefect_harness: None) -> Iterator[list[dict[str, Any]]]:
    """What the operator's webhook receives, through a Custom Webhook block named swo-test-alerts."""
    received: list[dict[str, Any]] = []
    receiver = FastAPI()

    @receiver.post("/alerts")
    async def alert(request: Request) -> dict[str, str]:
        received.append(await request.json())
        return {}

    server = serve_in_thread(receiver)
    CustomWebhookNotificationBlock(name="swo-test", url=f"{server.root_url}/alerts",
                                   json_data={"subject": "{{subject}}", "body": "{{body}}"}
                                   ).save("swo-test-alerts", overwrite=True)
    yield received
    asyncio.run(_delete_managed_automations())
    server.stop()


async def _delete_managed_automations() -> None:
    async with get_client() as client:
        for automation in await client.read_automations():
            if MANAGED_TAG in automation.tags:
                await client.delete_automation(automation.id)


def apply(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, ["automations", "apply", *args])
    return result.exit_code, result.output.splitlines()


def wait_for(received: list[dict[str, Any]], count: int, deadline_seconds: float = 60) -> list[dict[str, Any]]:
    give_up = time.monotonic() + deadline_seconds
    while len(received) < count and time.monotonic() < give_up:
        time.sleep(0.2)
    return received


@flow(name="swo-alert-drill")
def failing_connector_run() -> None:
    raise RuntimeError("the drill fails on purpose")


def test_applying_twice_changes_nothing_and_drops_what_is_no_longer_defined(alerts: list[dict[str, Any]],
                                                                           tmp_path: Path) -> None:
    first = apply("--notify", BLOCK)
    again = apply("--notify", "swo-test-alerts")
    definitions = yaml.safe_load(AUTOMATIONS_FILE.read_text())
    definitions["automations"] = definitions["automations"][1:]
    definitions["automations"][0]["actions"][0]["subject"] = "Attention: {{ event.payload.merchant_id }}"
    edited = tmp_path / "automations.yaml"
    edited.write_text(yaml.safe_dump(definitions))
    changed = apply("--notify", BLOCK, "--file", str(edited))
    unknown = apply("--notify", "slack-webhook/nobody")

    assert first == (0, [f"Notifications go through {BLOCK}.", *(f"created: {name}" for name in NAMES)])
    assert again == (0, [f"Notifications go through {BLOCK}.", *(f"unchanged: {name}" for name in NAMES)])
    assert changed == (0, [f"Notifications go through {BLOCK}.", f"updated: {NAMES[1]}",
                           *(f"unchanged: {name}" for name in NAMES[2:]), f"removed: {NAMES[0]}"])
    assert unknown[0] == 1 and unknown[1][0].startswith("no block named 'slack-webhook/nobody' on this Prefect server "
                                                        f"(notification blocks: {BLOCK}")
    names = asyncio.run(_automation_names())
    assert sorted(names) == sorted(NAMES[1:]), "one automation per name, on the server"


async def _automation_names() -> list[str]:
    async with get_client() as client:
        return [a.name for a in await client.read_automations() if MANAGED_TAG in a.tags]


def test_a_failed_run_and_a_run_needing_attention_are_notified_through_the_block(
        alerts: list[dict[str, Any]]) -> None:
    code, _ = apply("--notify", BLOCK)
    assert code == 0

    with tags("merchant:demo", "process:alert-drill"):
        failed = failing_connector_run(return_state=True)
    emit_event("swo.run.needs-attention",
               resource={"prefect.resource.id": "swo.merchant.demo.export-orders", "swo.merchant": "demo",
                         "swo.process": "export-orders"},
               payload={"merchant_id": "demo", "process": "export-orders", "attention": {"quarantined": 2},
                        "counts": {"created": 5, "quarantined": 2}})
    EventsWorker.drain_all()

    received = wait_for(alerts, 2)

    assert failed.is_failed()
    by_subject = {alert["subject"]: alert["body"] for alert in received}
    assert len(received) == 2, received
    failure = next(body for subject, body in by_subject.items() if subject.startswith("Connector run "))
    assert "ended Failed" in failure and "the drill fails on purpose" in failure
    assert "merchant:demo" in failure
    assert by_subject["export-orders for demo needs attention"].startswith(
        "export-orders for demo needs attention: 2 quarantined.")
