"""Adopting orders the warehouse already holds under their number, and closing quarantined orders whose
cause is gone."""

from __future__ import annotations

import pytest

from domain.config import load_merchants
from domain.order_export import Adoption, ExportPlan, plan_adoption, plan_exports, settle_quarantined
from domain.order_mapping import to_ongoing_order
from domain.order_sync import Unchanged, plan_starweb_edit, with_agreed_row_numbers
from domain.statuses import OrderState, ShopStatus, StatusTable
from domain.stock import SellableStock
from integrations.ongoing.models import Order as OngoingOrder
from integrations.simulation.demo_data import DEMO_ORDER_STATUSES
from integrations.starweb.models import Order
from ledger.models import LineBinding, OrderBinding
from tests.integrations.ongoing.payloads import order_json as ongoing_json
from tests.integrations.starweb.payloads import order as starweb_json
from tests.integrations.starweb.payloads import order_item

DEMO = load_merchants()["demo"]  # goes live 2026-11-01T00:00:00+01:00, numbers orders "FJ-<orderId>"
TABLE = StatusTable(DEMO.state_rules(), [ShopStatus(sid, code) for sid, code, *_ in DEMO_ORDER_STATUSES])
CREATED, COMPLETED, CANCELED = 1, 3, 4
KNOWN = {"POLE-CF-120", "TENT-2P"}


def starweb(created_at: str = "2026-11-20T10:00:00+01:00", status_id: int = CREATED,
            skus: tuple[str, str] = ("POLE-CF-120", "TENT-2P")) -> Order:
    """Order 1042: item 701 is two poles, item 702 one tent."""
    body = starweb_json(1042, with_includes=True, createdAt=created_at, statusId=status_id)
    body["items"] = {"data": [order_item(701, sku=skus[0], quantity=2), order_item(702, sku=skus[1], quantity=1)]}
    return Order.model_validate(body)


def in_warehouse(status: int, rows: tuple[str, str]) -> OngoingOrder:
    """FJ-1042 as GET /orders shows it, its two lines numbered ``rows``."""
    body = ongoing_json(50163, "FJ-1042", status=status)
    template = body["orderLines"][0]
    body["orderLines"] = [
        {**template, "id": 48801, "rowNumber": rows[0], "orderedNumberOfItems": 2.0,
         "article": {"articleSystemId": 1, "articleNumber": "POLE-CF-120", "articleName": "Stav"}},
        {**template, "id": 48802, "rowNumber": rows[1], "orderedNumberOfItems": 1.0,
         "article": {"articleSystemId": 2, "articleNumber": "TENT-2P", "articleName": "Tält"}},
    ]
    return OngoingOrder.model_validate(body)


def bound(adoption: Adoption) -> OrderBinding:
    """The binding the ledger records for an adoption."""
    return OrderBinding(merchant_id="demo", starweb_order_id=1042, order_number=adoption.order_number,
                        state=adoption.state.value, pushed_hash=adoption.payload_hash,
                        lines=[LineBinding(row_number=line.row_number, sku=line.sku, quantity=line.quantity,
                                           starweb_item_id=line.starweb_item_id) for line in adoption.lines])


@pytest.mark.parametrize(
    ("rows", "who"),
    [(("701", "702"), "this connector, before its ledger was lost"), (("1", "2"), "the previous integration"),
     (("702", "701"), "another numbering whose row numbers happen to be other items' ids")],
)
def test_an_adopted_order_is_bound_as_the_warehouse_holds_it_and_is_not_an_edit(rows: tuple[str, str],
                                                                                who: str) -> None:
    adoption = plan_adoption(starweb(), in_warehouse(300, rows), DEMO, TABLE, known_skus=KNOWN)
    assert [(line.row_number, line.sku, line.quantity, line.starweb_item_id, line.ongoing_line_id)
            for line in adoption.lines] == [(rows[0], "POLE-CF-120", 2.0, 701, 48801),
                                            (rows[1], "TENT-2P", 1.0, 702, 48802)], who
    assert (adoption.ongoing_order_id, adoption.ongoing_status, adoption.state) == (50163, 300, OrderState.PICKING)
    assert not adoption.needs_initial_status and not adoption.silent
    # The order-changes flow sees no edit in the order as Starweb has it now (no spurious "refused edit").
    binding = bound(adoption)
    payload = with_agreed_row_numbers(to_ongoing_order(starweb(), DEMO, known_skus=KNOWN), binding)
    assert plan_starweb_edit(starweb(), binding, 300, TABLE, payload) == Unchanged("no change since the last push",
                                                                                in_sync=True)


@pytest.mark.parametrize(
    ("sellable", "state"),
    [({"POLE-CF-120": 0, "TENT-2P": 3}, OrderState.OPEN_IN_STOCK),  # its own units are already taken out
     ({"POLE-CF-120": -1, "TENT-2P": 3}, OrderState.OPEN_BACKORDERED),  # the warehouse is short
     ({"POLE-CF-120": 4}, OrderState.OPEN_BACKORDERED)],  # the tent's stock is unknown
)
def test_an_adopted_order_still_in_the_start_status_gets_its_initial_state_from_stock(
        sellable: dict[str, float], state: OrderState) -> None:
    adoption = plan_adoption(starweb(), in_warehouse(200, ("701", "702")), DEMO, TABLE, known_skus=KNOWN,
                             stock=SellableStock(sellable))
    assert adoption.needs_initial_status and adoption.state is state


def test_an_order_is_adopted_even_when_it_could_not_be_sent_and_old_ones_stay_silent() -> None:
    old_and_unknown = starweb("2026-10-01T10:00:00+02:00", skus=("POLE-CF-120", "NO-SUCH-SKU"))
    adoption = plan_adoption(old_and_unknown, in_warehouse(450, ("1", "2")), DEMO, TABLE, known_skus=KNOWN)
    assert adoption.payload_hash is None, "any later edit is judged as a change"
    assert (adoption.state, adoption.silent) == (OrderState.SENT, True)


def test_plan_exports_adopts_the_orders_ongoing_has_and_exports_the_others() -> None:
    other = Order.model_validate({**starweb_json(1043, with_includes=True, createdAt="2026-11-20T11:00:00+01:00")})
    plans = plan_exports([starweb(), other], DEMO, sellable={"POLE-CF-120": 9, "TENT-2P": 9}, known_skus=KNOWN,
                         in_warehouse={"FJ-1042": in_warehouse(450, ("1", "2"))}, table=TABLE)
    assert [(type(p).__name__, p.order.order_id) for p in plans] == [("Adoption", 1042), ("ExportPlan", 1043)]
    assert isinstance(plans[1], ExportPlan) and plans[1].payload.order_number == "FJ-1043"


def orders(*specs: tuple[int, int, bool]) -> list[Order]:
    return [Order.model_validate(starweb_json(order_id, statusId=status, isComplete=complete))
            for order_id, status, complete in specs]


def test_quarantined_orders_close_when_their_cause_is_gone() -> None:
    seen = orders((1, CREATED, True), (2, CANCELED, True), (3, COMPLETED, True), (4, CREATED, True),
                  (5, CANCELED, True), (6, CREATED, False))
    settled = settle_quarantined({1, 2, 3, 4, 6, 9}, seen, gone=[9, 10], exportable_status_ids={CREATED},
                                 bound_order_ids={4})
    assert settled == {
        9: "deleted in Starweb",
        2: f"no longer exportable (Starweb status {CANCELED})",
        3: f"no longer exportable (Starweb status {COMPLETED})",
        4: "already bound in the ledger",
        6: "not a complete order in Starweb (an abandoned checkout)",
    }, "1 is still to export; 5 and 10 were never quarantined"
