"""Deployments of processes that listen to webhooks: an event trigger that coalesces a burst, a run that
waits its turn, and a rarer backstop poll; only for the vendors whose webhooks the merchant turned on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import yaml

from deployments.build import build_deployments, render_prefect_yaml, to_runner_deployments
from domain.config import MERCHANTS_DIR, MerchantConfig, load_merchants

DEMO = load_merchants(MERCHANTS_DIR)["demo"]  # webhooks on, from both vendors
LISTENING = {"export-orders", "sync-order-changes", "sync-order-statuses", "report-shipments", "track-receipts",
             "register-returns"}


def merchant(**webhooks: Any) -> MerchantConfig:
    data = DEMO.model_dump()
    data["webhooks"] = {**data["webhooks"], **webhooks}
    return MerchantConfig.model_validate(data)


def by_process(config: MerchantConfig) -> dict[str, Any]:
    return {spec.flow_name: spec for spec in build_deployments([config])}


def test_listening_processes_start_on_their_events_of_the_merchant_once_per_window() -> None:
    specs = by_process(DEMO)

    assert {name for name, spec in specs.items() if spec.trigger is not None} == LISTENING
    export = specs["export-orders"].trigger.as_prefect_trigger()
    assert export == {
        "type": "event", "enabled": True, "posture": "Reactive",
        "expect": ["starweb.order.created", "starweb.order.completed", "starweb.order.exportable",
                   "starweb.order.status-changed"],
        "match_related": {"prefect.resource.id": "swo.merchant.demo", "prefect.resource.role": "merchant"},
        "threshold": 1, "within": 60, "parameters": {"event_at": "{{ event.payload.emitted_at }}"},
    }
    assert specs["report-shipments"].trigger.events == ("ongoing.order.shipped",)
    assert specs["sync-order-statuses"].trigger.events == ("ongoing.order.status-changed", "ongoing.order.picked")
    assert specs["track-receipts"].trigger.events == ("ongoing.purchase-order.received",)
    assert specs["register-returns"].trigger.events == ("ongoing.order.returned", "ongoing.purchase-order.received")


def test_an_event_started_run_waits_its_turn_instead_of_being_dropped() -> None:
    for name, spec in by_process(DEMO).items():
        # Runs started by hand or at set times wait their turn too; a poll that comes due is dropped.
        expected = "ENQUEUE" if name in LISTENING | {"release-orders", "push-purchase-orders",
                                                     "initial-inbound"} else "CANCEL_NEW"
        assert (spec.concurrency_limit, spec.collision_strategy) == (1, expected), name


def test_listening_processes_poll_only_as_a_backstop_and_the_others_as_before() -> None:
    intervals = {name: [s.interval_seconds for s in spec.schedules] for name, spec in by_process(
        merchant(backstop_polling_minutes=20)).items()}

    assert intervals["export-orders"] == intervals["report-shipments"] == [20 * 60]
    assert intervals["sync-products"] == [30 * 60] and intervals["sync-stock"] == [10 * 60]
    # A merchant polling a process less often than the backstop keeps its own interval.
    slow = MerchantConfig.model_validate({**DEMO.model_dump(), "polling_minutes": {"order_statuses": 45}})
    assert [s.interval_seconds for s in by_process(slow)["sync-order-statuses"].schedules] == [45 * 60]
    assert by_process(DEMO)["export-orders"].description == (
        "Export new Starweb orders to Ongoing for Fjällbutiken (demo), on Starweb webhook events, and every "
        "15 minutes to catch any a lost webhook missed.")


def test_only_the_vendor_with_a_secret_starts_runs() -> None:
    only_ongoing = by_process(merchant(starweb_token=None))
    off = by_process(merchant(enabled=False))

    assert {n for n, s in only_ongoing.items() if s.trigger} == {"sync-order-statuses", "report-shipments",
                                                                 "track-receipts", "register-returns"}
    assert [s.interval_seconds for s in only_ongoing["export-orders"].schedules] == [2 * 60]
    assert not any(s.trigger for s in off.values())
    assert off["export-orders"].collision_strategy == "CANCEL_NEW"


def test_the_event_window_comes_from_the_merchant_file() -> None:
    assert by_process(merchant(event_window_seconds=20))["export-orders"].trigger.window_seconds == 20


def test_prefect_reads_the_rendered_triggers_as_deployment_triggers() -> None:
    from prefect.cli.deploy._models import PrefectYamlModel
    from prefect.events import DeploymentTriggerTypes
    from pydantic import TypeAdapter

    parsed = PrefectYamlModel.model_validate(yaml.safe_load(render_prefect_yaml(build_deployments([DEMO]))))

    export = next(d for d in parsed.deployments if d.flow_name == "export-orders")
    # `prefect deploy` reads each entry as one of Prefect's deployment trigger types, as here.
    (trigger,) = [TypeAdapter(DeploymentTriggerTypes).validate_python(t) for t in export.triggers]
    assert trigger.expect == {"starweb.order.created", "starweb.order.completed", "starweb.order.exportable",
                              "starweb.order.status-changed"}
    assert trigger.within == timedelta(seconds=60)
    assert trigger.parameters == {"event_at": "{{ event.payload.emitted_at }}"}
    assert not next(d for d in parsed.deployments if d.flow_name == "sync-stock").triggers


def test_served_deployments_carry_the_same_trigger() -> None:
    (export,) = to_runner_deployments([s for s in build_deployments([DEMO]) if s.flow_name == "export-orders"])

    (trigger,) = export.triggers
    assert trigger.name == "export-orders/demo on webhook events"
    assert trigger.match_related.model_dump() == {"prefect.resource.id": "swo.merchant.demo",
                                                  "prefect.resource.role": "merchant"}
    assert (trigger.threshold, trigger.within, trigger.posture.value) == (1, timedelta(seconds=60), "Reactive")
    assert export.concurrency_options.collision_strategy.value == "ENQUEUE"
