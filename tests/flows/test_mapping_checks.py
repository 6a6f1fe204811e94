"""End to end: a merchant file naming an Ongoing code the warehouse does not offer fails the run at its
start, naming the file, the key and what Ongoing offers, before anything is written anywhere."""

from __future__ import annotations

import pytest

from domain.mapping_checks import MappingMismatch
from flows.order_export import export_orders
from flows.order_release import release_orders
from tests.flows.actors import Shop, Warehouse, binding, quarantined, writes
from tests.flows.conftest import World

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def break_merchant_file(world: World, old: str, new: str) -> str:
    path = world.merchants_dir / "demo.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return str(path)


async def test_a_wrong_service_code_fails_the_export_before_any_order_is_sent(world: World) -> None:
    shop, warehouse = Shop(world.sims.starweb_api), Warehouse(world.ongoing, world.sims.ongoing_api)
    order_id = await shop.place_order([("THERMOS-1L", 1)], shipping_method_id=2)
    merchant_file = break_merchant_file(world, "2: {transporter_code: PLAB, transporter_service_code: P19}",
                                        "2: {transporter_code: PLAB, transporter_service_code: P91}")

    with pytest.raises(MappingMismatch) as caught:
        await export_orders("demo")

    assert str(caught.value).splitlines() == [
        f"{merchant_file}: 1 setting(s) name what Ongoing does not offer; nothing was written:",
        "  shipping_methods.2.transporter_service_code: transporter PLAB has no service P91; it offers P19 "
        "(PostNord MyPack Collect), P18 (PostNord Parcel (Nordic)), P24 (PostNord Return Drop Off)"]
    assert warehouse.order(f"FJ-{order_id}") is None
    assert binding(order_id) is None
    assert quarantined() == {} and writes() == []


async def test_a_status_number_or_return_cause_the_warehouse_lacks_stops_the_release(world: World) -> None:
    merchant_file = break_merchant_file(world, "picking:          {starweb: picking, ongoing: 300}",
                                        "picking:          {starweb: picking, ongoing: 310}")
    break_merchant_file(world, "  regret: REGRET", "  regret: ANGER")

    with pytest.raises(MappingMismatch) as caught:
        await release_orders("demo", dry_run=True)

    message = str(caught.value)
    assert message.startswith(f"{merchant_file}: 2 setting(s)")
    assert "  statuses.picking.ongoing: Ongoing has no order status 310; it offers 150 Fel, 200 Öppen" in message
    assert "  return_causes.regret: Ongoing has no return cause ANGER; it offers REGRET (Ångerköp)" in message
