"""Deployments per merchant: names, tags, schedules from the merchant file, and the committed prefect.yaml."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from deployments.build import build_deployments, render_prefect_yaml
from deployments.registry import (
    PROCESSES,
    AtReleaseTimes,
    OnDemand,
    Polling,
    Process,
    ScheduleSpec,
    release_crons,
)
from domain.config import MERCHANTS_DIR, MerchantConfig, WebhookSettings, load_merchants

REPO_ROOT = Path(__file__).resolve().parents[2]
# The demo merchant polling only: webhooks change its schedules (tests/deployments/test_event_triggers.py).
DEMO = load_merchants(MERCHANTS_DIR)["demo"].model_copy(update={"webhooks": WebhookSettings()})
RELEASE = Process("release-orders", "flows/release.py:release_orders", "Release orders", AtReleaseTimes())


def merchant(merchant_id: str = "demo", **sections: dict[str, Any] | str) -> MerchantConfig:
    """The demo merchant under another id, with some sections replaced or extended."""
    data = DEMO.model_dump()
    data["merchant_id"] = merchant_id
    for key, value in sections.items():
        data[key] = {**data[key], **value} if isinstance(value, dict) else value
    return MerchantConfig.model_validate(data)


def next_runs(schedule: ScheduleSpec, after: datetime, count: int) -> list[datetime]:
    """When the Prefect server would schedule runs of this cron (its own scheduling code)."""
    from prefect.server.schemas.schedules import CronSchedule

    dates = asyncio.run(CronSchedule(cron=schedule.cron, timezone=schedule.timezone).get_dates(n=count, start=after))
    return [datetime.fromtimestamp(d.timestamp(), UTC) for d in dates]


def test_every_process_gets_one_deployment_per_merchant_named_flow_slash_merchant() -> None:
    specs = build_deployments([merchant("zeta-shop"), DEMO])

    assert [s.full_name for s in specs] == [
        f"{p.flow_name}/{m}" for m in ("demo", "zeta-shop") for p in PROCESSES]
    assert {"export-orders/demo", "release-orders/demo", "sync-order-statuses/zeta-shop"} <= {
        s.full_name for s in specs}
    export = specs[1]
    assert export.name == "demo"
    assert export.entrypoint == "flows/order_export.py:export_orders"
    assert export.parameters == {"merchant_id": "demo"}
    assert export.tags == ("merchant:demo", "process:export-orders")
    assert export.description == "Export new Starweb orders to Ongoing for Fjällbutiken (demo), every 2 minutes."


POLLING = {p.flow_name for p in PROCESSES if isinstance(p.schedule, Polling)}


def test_polling_intervals_come_from_the_merchants_polling_minutes() -> None:
    config = merchant(polling_minutes={"products": 45, "export_orders": 1, "order_changes": 7, "order_statuses": 9,
                                       "shipments": 4, "stock": 11, "receipts": 20,
                                       "returns": 13})

    intervals = {s.flow_name: [x.interval_seconds for x in s.schedules] for s in build_deployments([config])
                 if s.flow_name in POLLING}

    assert intervals == {"sync-products": [2700], "export-orders": [60], "sync-order-changes": [420],
                         "sync-order-statuses": [540], "report-shipments": [240], "sync-stock": [660],
                         "track-receipts": [1200], "register-returns": [780]}
    assert "every minute" in build_deployments([config])[1].description


ON_DEMAND = {p.flow_name for p in PROCESSES if isinstance(p.schedule, OnDemand)}


def test_polling_flows_run_one_at_a_time_and_drop_a_run_that_would_overlap() -> None:
    for spec in build_deployments([DEMO]):
        # A release, and a run started by hand, wait their turn.
        waits = spec.flow_name == "release-orders" or spec.flow_name in ON_DEMAND
        assert (spec.concurrency_limit, spec.collision_strategy) == (1, "ENQUEUE" if waits else "CANCEL_NEW")


def test_purchase_orders_and_the_initial_inbound_run_only_on_demand() -> None:
    specs = {s.flow_name: s for s in build_deployments([DEMO])}

    assert ON_DEMAND == {"push-purchase-orders", "initial-inbound"}
    for name in ON_DEMAND:
        assert specs[name].schedules == ()
        assert specs[name].description.endswith("only when started by hand.")
    (receipts,) = specs["track-receipts"].schedules
    assert (receipts.interval_seconds, receipts.cron) == (15 * 60, None)


def test_release_times_become_cron_schedules_in_the_merchant_timezone_on_weekdays() -> None:
    config = merchant(timezone="America/New_York", release={"times": [time(13, 0), time(7, 0), time(16, 30)]})

    (spec,) = build_deployments([config], processes=[RELEASE])

    assert spec.schedules == (ScheduleSpec(cron="0 7,13 * * 1-5", timezone="America/New_York"),
                              ScheduleSpec(cron="30 16 * * 1-5", timezone="America/New_York"))
    assert spec.collision_strategy == "ENQUEUE"
    assert spec.description.endswith("at 07:00, 13:00, 16:30 America/New_York time, Monday to Friday.")


def test_release_runs_skip_the_weekend_and_follow_daylight_saving_time() -> None:
    (spec,) = build_deployments([DEMO], processes=[RELEASE])
    (schedule,) = spec.schedules
    stockholm = ZoneInfo("Europe/Stockholm")

    friday_afternoon = datetime(2026, 3, 27, 13, 30, tzinfo=stockholm)  # clocks go forward on Sunday 29 March
    runs = next_runs(schedule, friday_afternoon, 3)

    assert [r.astimezone(stockholm).strftime("%a %H:%M") for r in runs] == ["Mon 07:00", "Mon 13:00", "Tue 07:00"]
    assert runs[0] == datetime(2026, 3, 30, 5, 0, tzinfo=UTC)  # 07:00 CEST, not 07:00 CET


def test_release_every_day_when_not_weekdays_only() -> None:
    assert release_crons([time(7, 0)], weekdays_only=False) == ["0 7 * * *"]


def test_release_without_times_has_no_schedule_and_runs_only_by_hand() -> None:
    (spec,) = build_deployments([merchant(release={"times": []})], processes=[RELEASE])

    assert spec.schedules == ()
    assert "only when started by hand" in spec.description


def test_release_times_with_seconds_are_refused() -> None:
    with pytest.raises(ValueError, match="07:00:30 has seconds"):
        release_crons([time(7, 0, 30)], weekdays_only=True)


def test_a_polling_rule_must_name_an_existing_setting() -> None:
    with pytest.raises(ValueError, match="polling_minutes has no setting 'export_order'"):
        Polling("export_order")


def test_registry_flow_names_are_unique() -> None:
    names = [p.flow_name for p in PROCESSES]
    assert len(set(names)) == len(names)


def test_the_committed_prefect_yaml_is_the_render_of_the_merchant_files() -> None:
    committed = (REPO_ROOT / "prefect.yaml").read_text(encoding="utf-8")

    assert committed == render_prefect_yaml(build_deployments(load_merchants(MERCHANTS_DIR).values())), (
        "prefect.yaml is out of date: run `swo deployments render` and commit it")


def test_rendered_yaml_is_generated_marked_and_in_prefects_own_format() -> None:
    from prefect.cli.deploy._models import PrefectYamlModel

    text = render_prefect_yaml(build_deployments([DEMO, merchant("north", release={"times": [time(7, 0)]})],
                                                 processes=[*PROCESSES, RELEASE]))

    assert text.startswith("# Generated by `swo deployments render` from deployments/merchants/*.yaml")
    parsed = PrefectYamlModel.model_validate(yaml.safe_load(text))
    export = next(d for d in parsed.deployments if d.flow_name == "export-orders")
    assert (export.name, export.entrypoint, export.parameters) == ("demo", "flows/order_export.py:export_orders",
                                                                   {"merchant_id": "demo"})
    assert [s.interval.total_seconds() for s in export.schedules] == [120]
    (anchored,) = (s for s in build_deployments([DEMO]) if s.flow_name == "export-orders")
    assert [str(s.anchor_date) for s in export.schedules] == [anchored.schedules[0].anchor_date.isoformat()]
    assert export.concurrency_limit.model_dump(exclude_none=True) == {"limit": 1, "collision_strategy": "CANCEL_NEW"}
    release = next(d for d in parsed.deployments if d.flow_name == "release-orders" and d.name == "north")
    assert [(s.cron, s.timezone) for s in release.schedules] == [("0 7 * * 1-5", "Europe/Stockholm")]


def test_a_config_change_changes_the_render() -> None:
    before = render_prefect_yaml(build_deployments([DEMO]))
    after = render_prefect_yaml(build_deployments([merchant(polling_minutes={"export_orders": 3})]))

    assert before == render_prefect_yaml(build_deployments([DEMO]))
    assert "interval: 120" in before
    assert "interval: 180" in after


def interval_fire_times(specs: list[Any], day: datetime) -> dict[str, list[datetime]]:
    """When each polling deployment fires during one day (anchor + k × interval, as Prefect schedules it)."""
    times: dict[str, list[datetime]] = {}
    for spec in specs:
        for schedule in spec.schedules:
            if schedule.interval_seconds is None:
                continue
            step = timedelta(seconds=schedule.interval_seconds)
            first = schedule.anchor_date + step * -(-(day - schedule.anchor_date) // step)
            times[spec.full_name] = [first + step * k for k in range(int(timedelta(days=1) / step))]
    return times


def test_a_merchants_polls_never_fire_in_the_same_second_and_merchants_spread_over_the_minute() -> None:
    day = datetime(2026, 12, 1, tzinfo=UTC)
    demo = interval_fire_times(build_deployments([DEMO]), day)
    seconds = [t for fired in demo.values() for t in fired]

    assert len(demo) == len(POLLING)
    assert len(set(seconds)) == len(seconds), "two of the merchant's polls fire in the same second"
    # Each poll holds its own second of the minute, at least 7 seconds from the merchant's others.
    by_second = sorted({fired[0].second for fired in demo.values()})
    assert len(by_second) == len(POLLING)
    assert min((b - a) % 60 for a, b in zip(by_second, [*by_second[1:], by_second[0] + 60], strict=True)) >= 7

    # Many merchants: their exports start spread over the whole minute instead of all on second 0.
    many = build_deployments([merchant(f"shop-{n:03d}") for n in range(120)],
                             processes=[p for p in PROCESSES if p.flow_name == "export-orders"])
    starts = Counter(s.schedules[0].anchor_date.second for s in many)
    assert len(starts) >= 50 and max(starts.values()) <= 8
    # The same merchant file always gives the same anchors (the committed prefect.yaml stays stable).
    assert build_deployments([DEMO]) == build_deployments([DEMO])
