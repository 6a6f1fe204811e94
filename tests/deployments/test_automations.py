"""The alert definitions: each one loads as a Prefect automation through the operator's block, its texts
render from the events the connector emits, and a block is chosen by name or refused with the reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from prefect.client.schemas.objects import BlockDocument, BlockSchema, BlockType
from prefect.events.schemas.automations import AutomationCore
from prefect.events.schemas.events import ReceivedEvent
from prefect.server.utilities.user_templates import render_user_template_sync

from deployments.automations import (
    MANAGED_TAG,
    AutomationsError,
    choose_notification_block,
    comparable,
    load_automations,
)
from domain.reconcile import Difference, DifferenceKind, QuarantineTrend, ReconcileReport, reconcile_window
from tasks.reconcile import reconcile_payload

BLOCK_ID = uuid4()


def test_every_alert_is_a_prefect_automation_notifying_through_the_named_block() -> None:
    automations = [a for a in load_automations(BLOCK_ID) if a.name != UNRESPONSIVE]

    assert [a.name for a in automations] == [
        "swo: run failed or crashed", "swo: run needs attention", "swo: quarantine growing",
        "swo: purchase-order deviation", "swo: reconcile differences"]
    for automation in automations:
        assert MANAGED_TAG in automation.tags
        assert [(a.type, a.block_document_id) for a in automation.actions] == [("send-notification", BLOCK_ID)]
    expected = {a.name: sorted(a.trigger.expect) for a in automations}
    assert expected == {
        "swo: run failed or crashed": ["prefect.flow-run.Crashed", "prefect.flow-run.Failed"],
        "swo: run needs attention": ["swo.run.needs-attention"],
        "swo: quarantine growing": ["swo.quarantine.growing"],
        "swo: purchase-order deviation": ["swo.purchase-order.deviation"],
        "swo: reconcile differences": ["swo.reconcile.differences"]}


UNRESPONSIVE = "swo: crash unresponsive runs"


def test_runs_whose_heartbeats_stopped_are_marked_crashed_without_a_notification_block() -> None:
    (automation,) = load_automations(None)

    assert automation.name == UNRESPONSIVE and MANAGED_TAG in automation.tags
    trigger = automation.trigger
    assert (trigger.posture, trigger.after, trigger.for_each) == (
        "Proactive", {"prefect.flow-run.heartbeat"}, {"prefect.resource.id"})
    # Any event of the run counts as a sign of life: a run ending in a state of its own name
    # (Completed "NeedsAttention", "Skipped") must never be taken for a silent one.
    assert trigger.expect == {"prefect.flow-run.*"}
    # Prefect's runs send a heartbeat every 180 s unless told otherwise: a missed one or two is not death.
    assert trigger.within.total_seconds() >= 180 + 120
    (action,) = automation.actions
    assert (action.type, action.state) == ("change-flow-run-state", "CRASHED")


def event(name: str, payload: dict[str, Any]) -> ReceivedEvent:
    at = datetime(2026, 11, 30, 5, 30, tzinfo=UTC)
    return ReceivedEvent(event=name, resource={"prefect.resource.id": "swo.merchant.demo.x"}, payload=payload,
                         occurred=at, received=at)


def rendered(name: str, context: dict[str, Any]) -> tuple[str, str]:
    (automation,) = [a for a in load_automations(BLOCK_ID) if a.name == name]
    (action,) = automation.actions
    return (render_user_template_sync(action.subject, context),
            render_user_template_sync(action.body, context))


def test_the_texts_render_from_the_events_the_connector_emits() -> None:
    window = reconcile_window(datetime(2026, 11, 30, 5, 30, tzinfo=UTC), days=7, settle=timedelta(0),
                              go_live_cutoff=None)
    report = ReconcileReport("demo", window,
                             [Difference(DifferenceKind.STOCK, "SKU TENT-FJ2", "99", "6 sellable", "should be 6")],
                             orders_compared=3, skus_compared=8, quarantine=QuarantineTrend(1, 0))
    reconciled = event("swo.reconcile.differences", reconcile_payload(report, Path("/srv/state/reconcile/demo/x.csv")))
    assert rendered("swo: reconcile differences", {"event": reconciled}) == (
        "Reconcile of demo: 1 difference(s)",
        f"{report.one_line()}\nEvery difference is in the reconcile-demo artifact and in "
        "/srv/state/reconcile/demo/x.csv.")

    attention = event("swo.run.needs-attention", {"merchant_id": "demo", "process": "export-orders",
                                                  "attention": {"quarantined": 2, "refused": 1}, "counts": {}})
    subject, body = rendered("swo: run needs attention", {"event": attention})
    assert subject == "export-orders for demo needs attention"
    assert body.startswith("export-orders for demo needs attention: 2 quarantined, 1 refused.\n")

    growing = event("swo.quarantine.growing", {"merchant_id": "demo", "open": 3, "open_a_day_ago": 1,
                                                "by_kind": {"order": 2, "stock": 1}})
    assert rendered("swo: quarantine growing", {"event": growing})[1].startswith(
        "3 record(s) of demo are held in quarantine, up from 1 a day earlier (order: 2, stock: 1).")

    deviation = event("swo.purchase-order.deviation", {
        "merchant_id": "demo", "purchase_order_number": "PO-7001", "status": "deviation",
        "deviations": [{"row": "1", "sku": "THERMOS-1L", "advised": 12.0, "received": 10.0, "difference": -2.0},
                       {"row": "2", "sku": "SOCK-MER-42", "advised": 5.0, "received": 7.5, "difference": 2.5}]})
    assert rendered("swo: purchase-order deviation", {"event": deviation}) == (
        "Purchase order PO-7001 of demo received with deviations",
        "Purchase order PO-7001 of demo was received with deviations: SKU THERMOS-1L advised 12, received 10; "
        "SKU SOCK-MER-42 advised 5, received 7.5.")

    failed_run = {"name": "export-orders-demo", "tags": ["merchant:demo", "process:export-orders"],
                  "state": {"name": "Failed", "message": "Flow run encountered an exception: RuntimeError"}}
    subject, body = rendered("swo: run failed or crashed", {"event": event("prefect.flow-run.Failed", {}),
                                                            "flow_run": failed_run})
    assert subject == "Connector run export-orders-demo: Failed"
    assert body.startswith("The connector run export-orders-demo ended Failed: Flow run encountered an exception")
    assert "Tags: merchant:demo, process:export-orders." in body


def block(name: str, slug: str, *, notify: bool = True) -> BlockDocument:
    block_type = BlockType(id=uuid4(), name=slug, slug=slug)
    schema = BlockSchema(id=uuid4(), checksum="x", fields={}, block_type_id=block_type.id,
                         capabilities=["notify"] if notify else [])
    return BlockDocument(id=uuid4(), name=name, data={}, block_schema_id=schema.id, block_schema=schema,
                         block_type_id=block_type.id, block_type=block_type, block_type_name=slug)


BLOCKS = [block("ops-alerts", "slack-webhook"), block("ops-alerts", "custom-webhook"), block("pager", "email"),
          block("demo-ongoing-password", "secret", notify=False)]


def test_the_block_is_found_by_type_and_name_or_by_a_name_only_one_block_has() -> None:
    assert choose_notification_block(BLOCKS, "custom-webhook/ops-alerts") is BLOCKS[1]
    assert choose_notification_block(BLOCKS, "pager") is BLOCKS[2]


@pytest.mark.parametrize(("wanted", "message"), [
    ("ops-alerts", "several blocks are named 'ops-alerts' (custom-webhook/ops-alerts, slack-webhook/ops-alerts); "
                   "say which, as <block-type>/<name>"),
    ("teams/ops", "no block named 'teams/ops' on this Prefect server (notification blocks: custom-webhook/ops-alerts, "
                  "email/pager, slack-webhook/ops-alerts); create one in the Prefect UI"),
    ("demo-ongoing-password", "block secret/demo-ongoing-password cannot send notifications; name a notification "
                              "block instead"),
])
def test_a_block_that_cannot_be_used_is_refused_with_the_reason(wanted: str, message: str) -> None:
    with pytest.raises(AutomationsError) as refused:
        choose_notification_block(BLOCKS, wanted)
    assert str(refused.value).startswith(message)


def test_definitions_that_do_not_make_an_automation_are_refused_naming_it(tmp_path: Path) -> None:
    broken = tmp_path / "automations.yaml"
    broken.write_text("automations:\n  - name: 'swo: typo'\n    trigger: {type: event, posture: Sideways}\n"
                      "    actions: []\n")
    with pytest.raises(AutomationsError, match=r"automations\.yaml: swo: typo: trigger\.event\.posture: Input "):
        load_automations(BLOCK_ID, broken)


def test_an_automation_read_back_with_its_sets_in_another_order_is_unchanged() -> None:
    # A trigger's ``expect`` is a set: read back from the server it may iterate in another order than the
    # definition's. With 40 event names the two orders almost surely differ; the comparison must not care.
    (defined, *_) = load_automations(BLOCK_ID)
    names = [f"swo.test.event-{n}" for n in range(40)]
    forward = defined.model_copy(update={"trigger": defined.trigger.model_copy(update={"expect": set(names)})})
    backward = AutomationCore.model_validate({**forward.model_dump(mode="json"), "trigger": {
        **forward.trigger.model_dump(mode="json"), "expect": list(reversed(names))}})

    assert comparable(backward) == comparable(forward)
