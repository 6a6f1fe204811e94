"""Turning deployment specs into what ``prefect.serve`` runs, with a throwaway flow in a temp package."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from deployments.build import build_deployments, load_flow, module_path, to_runner_deployments
from deployments.registry import PROCESSES, Polling, Process
from domain.config import MERCHANTS_DIR, WebhookSettings, load_merchants

DEMO = load_merchants(MERCHANTS_DIR)["demo"].model_copy(update={"webhooks": WebhookSettings()})  # polling only

FLOW_SOURCE = '''
from prefect import flow


@flow(name="export-orders")
async def export_orders(merchant_id: str, dry_run: bool = False) -> str:
    return merchant_id
'''


@pytest.fixture
def throwaway_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An importable package holding one flow, under a name no other test uses."""
    name = f"throwaway_flows_{uuid.uuid4().hex[:8]}"
    (tmp_path / name).mkdir()
    (tmp_path / name / "__init__.py").write_text("")
    (tmp_path / name / "export.py").write_text(FLOW_SOURCE)
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def test_entrypoints_map_to_importable_modules() -> None:
    assert module_path("flows/order_export.py:export_orders") == ("flows.order_export", "export_orders")
    with pytest.raises(ValueError, match=r"not '<path>\.py:<function>'"):
        module_path("flows.order_export.export_orders")


def test_every_registry_row_names_a_flow_of_that_name_taking_merchant_id_and_dry_run() -> None:
    for process in PROCESSES:
        flow = load_flow(process.entrypoint)
        assert flow.name == process.flow_name
        parameters = list(flow.parameters.properties)
        assert parameters[0] == "merchant_id"
        # Every process that writes to a vendor can preview its writes; the statistics only read the ledger
        # and the reconcile only reads both vendors.
        assert "dry_run" in parameters or process.flow_name in ("report-statistics", "reconcile")


def test_every_registry_flow_can_be_handed_to_a_run_process_of_its_own() -> None:
    # `swo run` starts a served run with the flow object pickled into a forked process (run_starts).
    import cloudpickle

    for process in PROCESSES:
        flow = cloudpickle.loads(cloudpickle.dumps(load_flow(process.entrypoint)))
        assert flow.name == process.flow_name


def test_specs_become_served_deployments_with_schedule_limit_tags_and_parameters(throwaway_package: str) -> None:
    process = Process("export-orders", f"{throwaway_package}/export.py:export_orders", "Export orders",
                      Polling("export_orders"))

    (deployment,) = to_runner_deployments(build_deployments([DEMO], processes=[process]))

    assert (deployment.flow_name, deployment.name) == ("export-orders", "demo")
    assert deployment.entrypoint == f"{throwaway_package}.export.export_orders"
    assert deployment.parameters == {"merchant_id": "demo"}
    assert deployment.tags == ["merchant:demo", "process:export-orders"]
    assert [s.schedule.interval for s in deployment.schedules] == [timedelta(minutes=2)]
    (spec,) = build_deployments([DEMO], processes=[process])
    assert [s.schedule.anchor_date for s in deployment.schedules] == [spec.schedules[0].anchor_date]
    assert deployment.concurrency_limit == 1
    assert deployment.concurrency_options is not None
    assert deployment.concurrency_options.collision_strategy.value == "CANCEL_NEW"
    assert deployment.description == "Export orders for Fjällbutiken (demo), every 2 minutes."


def test_a_registry_row_whose_flow_has_another_name_is_refused(throwaway_package: str) -> None:
    process = Process("sync-products", f"{throwaway_package}/export.py:export_orders", "Sync", Polling("products"))

    with pytest.raises(ValueError, match="is the flow 'export-orders', but the registry calls it 'sync-products'"):
        to_runner_deployments(build_deployments([DEMO], processes=[process]))


def test_an_entrypoint_that_is_not_a_flow_is_refused(throwaway_package: str) -> None:
    with pytest.raises(TypeError, match="is not a Prefect flow"):
        load_flow(f"{throwaway_package}/export.py:flow")
