"""End to end: the long runs of a new merchant (first product push, first activation, full stock resync)
each move a progress artifact to 100 %, and the two-minute polls after them publish none."""

from __future__ import annotations

import json

import pytest
from prefect.artifacts import Artifact

from flows.order_export import export_orders
from flows.product_sync import sync_products
from flows.stock_sync import sync_stock
from tasks.progress import ProgressUpdate, watching_progress
from tests.flows.actors import Shop
from tests.flows.conftest import World

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


async def test_first_runs_and_full_resyncs_show_progress_and_polls_do_not(world: World) -> None:
    shop = Shop(world.sims.starweb_api)
    for _ in range(3):
        await shop.place_order([("THERMOS-1L", 1)])
    seen: list[ProgressUpdate] = []

    with watching_progress(seen.append):
        await sync_products("demo")
        await export_orders("demo")
        await sync_stock("demo")
        first_runs = list(seen)
        await sync_products("demo")
        await export_orders("demo")
        await sync_stock("demo")

    assert seen == first_runs, "the polls after the first runs are not long runs"
    by_key: dict[str, list[ProgressUpdate]] = {}
    for update in first_runs:
        by_key.setdefault(update.key, []).append(update)
    assert list(by_key) == ["sync-products-demo-progress", "export-orders-demo-progress", "sync-stock-demo-progress"]
    for key, updates in by_key.items():
        percents = [u.percent for u in updates]
        assert percents == sorted(percents) and percents[0] == 0 and percents[-1] == 100, key
        artifact = await Artifact.aget(key)
        assert artifact is not None and json.loads(str(artifact.data)) == 100.0, key
        assert artifact.description is not None and artifact.description.endswith(" for demo: done")
    notes = {key: [u.note for u in updates] for key, updates in by_key.items()}
    assert "sending articles to Ongoing: 7 of 8" in notes["sync-products-demo-progress"]
    assert "creating orders in Ongoing: 2 of 3" in notes["export-orders-demo-progress"]
    assert "writing Starweb's stock" in notes["sync-stock-demo-progress"]
    assert by_key["export-orders-demo-progress"][0].title == "First activation (first export) for demo"
