"""The inbound processes as served deployments: what a person sees when starting one from the Prefect UI."""

from __future__ import annotations

from deployments.build import build_deployments, load_flow, to_runner_deployments
from deployments.registry import PROCESSES
from domain.config import MERCHANTS_DIR, load_merchants

DEMO = load_merchants(MERCHANTS_DIR)["demo"]


def test_the_purchase_order_deployment_asks_for_a_file_or_rows_and_has_no_schedule() -> None:
    inbound = [p for p in PROCESSES if p.flow_name in ("push-purchase-orders", "initial-inbound")]

    pushing, initial = to_runner_deployments(build_deployments([DEMO], processes=inbound))

    assert (pushing.flow_name, pushing.name, pushing.schedules) == ("push-purchase-orders", "demo", [])
    assert (initial.flow_name, initial.name, initial.schedules) == ("initial-inbound", "demo", [])
    assert pushing.parameters == {"merchant_id": "demo"}, "the person starting it fills in file or rows"
    form = {p.flow_name: list(load_flow(p.entrypoint).parameters.properties) for p in inbound}
    assert form == {"push-purchase-orders": ["merchant_id", "file", "rows", "dry_run"],
                    "initial-inbound": ["merchant_id", "dry_run"]}
