"""Regressions found by review: a release overtaken by a shipment, warehouse-numbered rows through
successive Starweb edits, and bundles (whose parts Ongoing receives as rows "bundleItemId-partItemId")."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import tasks.order_changes
import tasks.recording
from domain.config import load_merchants
from domain.hashing import payload_hash
from domain.order_mapping import to_ongoing_order
from domain.order_sync import CopyLineChanges, plan_warehouse_changes, with_agreed_row_numbers
from domain.release import ReleaseCandidate, choose_releases
from domain.shipments import detect_shipment, plan_starweb_update
from domain.statuses import ShopStatus, StatusTable
from integrations.ongoing.models import Order as OngoingOrder
from integrations.ongoing.models import OrderWrite, OrderWriteResponse
from integrations.simulation.demo_data import DEMO_ORDER_STATUSES
from integrations.starweb.models import Order as StarwebOrder
from ledger import bindings
from ledger.bindings import LineSpec
from ledger.db import Ledger
from ledger.models import LineBinding, OrderBinding
from tasks.order_changes import BoundOrders
from tests.integrations.ongoing.payloads import order_json
from tests.integrations.starweb.payloads import order as starweb_json
from tests.integrations.starweb.payloads import order_item

DEMO = load_merchants()["demo"]
TABLE = StatusTable(DEMO.state_rules(), [ShopStatus(sid, code) for sid, code, *_ in DEMO_ORDER_STATUSES])
CREATED = 1  # the demo shop's "created" status


def ongoing(status: int, lines: list[tuple[str, str, float, float]]) -> OngoingOrder:
    """FJ-1042 in Ongoing: (row, SKU, ordered, packed) per line."""
    body = order_json(50163, "FJ-1042", status=status)
    template = body["orderLines"][0]
    body["orderLines"] = [
        {**template, "id": 48800 + n, "rowNumber": row, "orderedNumberOfItems": ordered, "pickedNumberOfItems": packed,
         "packedNumberOfItems": packed, "reportedNumberOfItems": None,
         "article": {"articleSystemId": n, "articleNumber": sku, "articleName": sku}}
        for n, (row, sku, ordered, packed) in enumerate(lines, 1)]
    return OngoingOrder.model_validate(body)


def starweb(items: list[dict[str, Any]]) -> StarwebOrder:
    return StarwebOrder.model_validate(starweb_json(1042, with_includes=True, statusId=CREATED,
                                                    createdAt="2026-11-20T10:00:00+01:00", items={"data": items}))


# --- a release left half done is completed after the order shipped ----------------------------


def test_a_half_done_release_of_an_order_that_has_since_shipped_is_not_completed() -> None:
    # Run 1 claimed the order but Ongoing refused the status change (a 5xx): the claim time stays, so the order
    # is "half released". The TPL then released and shipped it itself and the shipment flow set Starweb to
    # "completed". Completing the release now moves the Starweb order back to "picking" (and the ledger's
    # state from "sent" back to "picking").
    shipped = ReleaseCandidate(binding_id=1, starweb_order_id=1042, order_number="FJ-1042", ongoing_order_id=50163,
                               state="sent", starweb_created_at=datetime(2026, 12, 1, 20, 0, tzinfo=UTC),
                               on_hold=False, started=True, lines=1, units=2.0)
    (decision,) = choose_releases([shipped], table=TABLE, shop_status={}, releasable_status_ids={CREATED},
                                  warehouse_status={"FJ-1042": 450}, held_order_ids=set())
    assert not decision.release, decision.reason


# --- a pushed Starweb edit forgets which Starweb item a warehouse-numbered row is ----------------

KNOWN = {"POLE-CF-120", "TENT-2P", "SOCK-MER-38"}


class RecordingWarehouse:
    """Stands in for the Ongoing client: records every PUT /orders body and reads the last one back."""

    def __init__(self) -> None:
        self.puts: list[OrderWrite] = []

    async def get_order(self, order_id: int) -> OngoingOrder:
        return ongoing(210, [(line.row_number, line.article_number, float(line.number_of_items or 0), 0)
                             for line in self.puts[-1].order_lines or []])

    async def __aenter__(self) -> RecordingWarehouse:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def put_order(self, order: OrderWrite) -> OrderWriteResponse:
        self.puts.append(order)
        return OrderWriteResponse(order_id=50163)


@pytest.fixture
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Ledger, RecordingWarehouse]]:
    ledger, warehouse = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}"), RecordingWarehouse()

    async def client(_merchant: Any) -> RecordingWarehouse:
        return warehouse

    for module in (tasks.order_changes, tasks.recording):
        monkeypatch.setattr(module, "ledger", lambda: ledger)
    monkeypatch.setattr(tasks.order_changes, "ongoing_client", client)
    monkeypatch.setattr(tasks.order_changes, "starweb_client", client)
    yield ledger, warehouse
    ledger.dispose()


def items(poles: int, tents: int) -> list[dict[str, Any]]:
    # Item 9 is the sock the TPL added as its row "3" while the order was open; the status sync copied it here.
    return [order_item(1, quantity=poles), order_item(2, sku="TENT-2P", quantity=tents),
            order_item(9, sku="SOCK-MER-38", quantity=1)]


async def test_a_row_the_warehouse_numbered_keeps_its_number_through_successive_starweb_edits(
    book: tuple[Ledger, RecordingWarehouse]
) -> None:
    # Today the first edit is sent right, but the ledger then records row "3" as Starweb item 3 (lines_of reads
    # the itemId from the row number), so the second edit sends the sock as a new row "9": Ongoing drops the
    # TPL's row 3 (or, if it keeps omitted rows, picks the sock twice).
    ledger, warehouse = book
    with ledger.session() as s:
        binding = bindings.mark_exported(
            s, "demo", starweb_order_id=1042, order_number="FJ-1042", ongoing_order_id=50163, pushed_hash="",
            lines=[LineSpec("1", "POLE-CF-120", 2, 1), LineSpec("2", "TENT-2P", 1, 2),
                   LineSpec("3", "SOCK-MER-38", 1, 9)],
            starweb_status_id=CREATED, starweb_created_at=None, starweb_modified_at=None, silent=False)
        bindings.mark_initial_status(binding, state="open_in_stock", ongoing_status=210)
        binding.pushed_hash = payload_hash(with_agreed_row_numbers(
            to_ongoing_order(starweb(items(2, 1)), DEMO, known_skus=KNOWN), binding))
    in_warehouse = {"FJ-1042": ongoing(210, [("1", "POLE-CF-120", 2, 0), ("2", "TENT-2P", 1, 0),
                                             ("3", "SOCK-MER-38", 1, 0)])}
    for poles, tents in ((3, 1), (3, 2)):  # two edits in Starweb while the order is open
        with ledger.session() as s:
            found = bindings.find_order(s, "demo", 1042)
            assert found is not None
            bound = {1042: found}
        await tasks.order_changes.push_starweb_edits.fn(DEMO, TABLE, [starweb(items(poles, tents))],
                                                        BoundOrders(bound, set(), []), in_warehouse, KNOWN, False)
    sent = [[(line.row_number, line.article_number) for line in put.order_lines or []] for put in warehouse.puts]
    assert sent[1] == [("1", "POLE-CF-120"), ("2", "TENT-2P"), ("3", "SOCK-MER-38")]


# --- bundles (latent) --------------------------------------------------------------------------

# Item 3 is two thermoses; item 10 a hiking kit bundling two poles (item 11) and a sock (item 12). The mapper
# sends the bundle as its parts, rows "10-11" and "10-12"; the export binds those rows without an itemId.
BUNDLE_ORDER = starweb([order_item(3, sku="THERMOS-1L", quantity=2),
                        order_item(10, sku="KIT-HIKE", quantity=1, bundledItems={"data": [
                            order_item(11, sku="POLE-CF-120", quantity=2, unitPrice=0),
                            order_item(12, sku="SOCK-MER-42", quantity=1, unitPrice=0)]})])


def test_a_line_the_tpl_adjusted_on_an_order_with_a_bundle_is_copied_to_starweb() -> None:
    # Only the warehouse changed something (two thermoses became one). The bundle's own itemId (10), which no
    # agreed line carries, makes it look as if Starweb changed too, so the change is skipped as "changed on both
    # sides" on every run and never reaches Starweb.
    agreed = OrderBinding(merchant_id="demo", starweb_order_id=1042, order_number="FJ-1042", state="open_in_stock",
                          lines=[LineBinding(row_number="3", sku="THERMOS-1L", quantity=2, starweb_item_id=3),
                                 LineBinding(row_number="10-11", sku="POLE-CF-120", quantity=2, starweb_item_id=None),
                                 LineBinding(row_number="10-12", sku="SOCK-MER-42", quantity=1, starweb_item_id=None)])
    warehouse = ongoing(210, [("3", "THERMOS-1L", 1, 0), ("10-11", "POLE-CF-120", 2, 0),
                              ("10-12", "SOCK-MER-42", 1, 0)])
    actions = plan_warehouse_changes(warehouse, BUNDLE_ORDER, agreed, TABLE, picked_status=DEMO.orders.picked_status)
    assert actions == [CopyLineChanges(adjusted=[(3, 1.0)])]


def test_cancelling_the_remainder_keeps_a_bundle_whose_parts_all_shipped() -> None:
    # One thermos of two shipped and the whole kit; the merchant cancels unshipped remainders. Only the thermos
    # item should be cut (to 1). The kit (item 10) is cut to 0, i.e. deleted from the order the customer is
    # invoiced for, because its shipped units are under rows "10-11"/"10-12", not "10".
    warehouse = ongoing(450, [("3", "THERMOS-1L", 2, 1), ("10-11", "POLE-CF-120", 2, 2),
                              ("10-12", "SOCK-MER-42", 1, 1)])
    shipment = detect_shipment(warehouse, TABLE)
    assert shipment is not None and shipment.partial
    update = plan_starweb_update(shipment, BUNDLE_ORDER, TABLE, exported_by_us=True, exported_silently=False,
                                 go_live_cutoff=DEMO.go_live_cutoff, remainder="cancel",
                                 tracking_types=DEMO.tracking_types)
    assert update.item_quantities == {3: 1}
