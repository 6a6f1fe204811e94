"""End to end: an operator in a second terminal, with none of the demo's variables set, releases one
order with ``swo release`` as the README shows; asking again says it is already released."""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner

from flows.order_export import export_orders
from swo.cli import app
from tests.flows.actors import Shop, Warehouse, binding
from tests.flows.conftest import DEMO_CREDENTIALS, World

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def test_swo_release_in_a_new_terminal_releases_the_order_and_then_says_it_is_done(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    shop, warehouse = Shop(world.sims.starweb_api), Warehouse(world.ongoing, world.sims.ongoing_api)
    wanted = asyncio.run(shop.place_order([("THERMOS-1L", 1)]))
    other = asyncio.run(shop.place_order([("THERMOS-1L", 1)]))
    asyncio.run(export_orders("demo"))
    for name in DEMO_CREDENTIALS:
        monkeypatch.delenv(name)
    runner = CliRunner()

    first = runner.invoke(app, ["release", "demo", "--order", str(wanted)])
    again = runner.invoke(app, ["release", "demo", "--order", str(wanted)])

    assert first.exit_code == 0, first.output
    assert "Using the simulators' demo credentials" in first.output
    assert "released: 1" in first.output
    assert warehouse.status(f"FJ-{wanted}") == 300
    assert asyncio.run(shop.order(wanted)).status_id == 2
    assert warehouse.status(f"FJ-{other}") == 210, "only the order asked for"
    assert again.exit_code == 1
    assert f"Order {wanted} of demo was already released (" in again.output
    assert "Nothing was released." in again.output
    assert binding(wanted).released_at is not None
