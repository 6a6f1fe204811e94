"""Mapping checks: every code in a merchant file against what the warehouse and the shop offer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.config import MerchantConfig, load_merchant, load_merchants
from domain.mapping_checks import (
    Finding,
    OngoingRegisters,
    ShopRegisters,
    Transporter,
    Verdict,
    clock_finding,
    go_live_finding,
    ongoing_findings,
    ongoing_mismatch,
    starweb_findings,
)
from domain.statuses import ShopStatus
from integrations.simulation.demo_data import (
    DEMO_ONGOING_ORDER_STATUSES,
    DEMO_ORDER_STATUSES,
    DEMO_RETURN_CAUSES,
    DEMO_SHIPPING_METHODS,
    DEMO_TRACKING_TYPES,
    DEMO_TRANSPORTER_CONTRACTS,
)

DEMO_FILE = Path(__file__).resolve().parents[2] / "deployments" / "merchants" / "demo.yaml"

WAREHOUSE = OngoingRegisters(
    order_statuses=dict(DEMO_ONGOING_ORDER_STATUSES),
    transporters={code: Transporter(code, name, {service: service_name for service, service_name in services})
                  for code, name, services in DEMO_TRANSPORTER_CONTRACTS},
    return_causes={code: name for code, name, _ in DEMO_RETURN_CAUSES},
)
SHOP = ShopRegisters(
    statuses=[ShopStatus(status_id, id_code) for status_id, id_code, _, _ in DEMO_ORDER_STATUSES],
    status_names={status_id: name for status_id, _, name, _ in DEMO_ORDER_STATUSES},
    shipping_methods={method_id: name for method_id, name, _ in DEMO_SHIPPING_METHODS},
    tracking_types=dict(DEMO_TRACKING_TYPES),
)


def demo_with(tmp_path: Path, old: str, new: str) -> MerchantConfig:
    text = DEMO_FILE.read_text()
    assert old in text
    path = tmp_path / "demo.yaml"
    path.write_text(text.replace(old, new))
    return load_merchant(path)


def problems(findings: list[Finding]) -> dict[str, str]:
    return {f.key: f.detail for f in findings if f.verdict is Verdict.PROBLEM}


def test_the_demo_file_matches_the_demo_warehouse_and_shop() -> None:
    demo = load_merchants()["demo"]

    warehouse = ongoing_findings(demo, WAREHOUSE)
    shop = starweb_findings(demo, SHOP)

    assert problems(warehouse) == {} and problems(shop) == {}
    checked = {f.key: f.detail for f in warehouse + shop}
    assert checked["statuses.open_in_stock.ongoing"] == "Öppen-OK"
    assert checked["orders.picked_status"] == "Plockad"
    assert checked["shipping_methods.1.transporter_service_code"] == "DB SCHENKERparcel"
    assert checked["return_causes.not_collected"] == "Ej uthämtad"
    assert checked["statuses.picking.starweb"] == "picking (#2 Plockning)"
    assert checked["statuses.partially_sent.starweb"] == "#5 Delvis skickad"
    assert checked["tracking_types.SBTL"] == "DB Schenker"
    warned = [f for f in shop if f.verdict is Verdict.WARNING]
    assert [f.detail for f in warned] == ["the shop's shipping method 4 Hämta i butik has no Ongoing transporter: its "
                                          "orders are quarantined until it is mapped"]


@pytest.mark.parametrize(
    ("old", "new", "key", "detail"),
    [
        ("picking:          {starweb: picking, ongoing: 300}", "picking:          {starweb: picking, ongoing: 310}",
         "statuses.picking.ongoing",
         "Ongoing has no order status 310; it offers 150 Fel, 200 Öppen, 210 Öppen-OK, 211 Öppen-Restad, "
         "300 Plockning"),
        ("first_run_lookback_days: 7", "first_run_lookback_days: 7\n  picked_status: 410",
         "orders.picked_status", "Ongoing has no order status 410"),
        ("1: {transporter_code: SBTL, transporter_service_code: BPA}",
         "1: {transporter_code: DHL, transporter_service_code: BPA}", "shipping_methods.1.transporter_code",
         "Ongoing has no transporter DHL for this goods owner; it offers SBTL (DB Schenker), "
         "PLAB (PostNord Sverige AB)"),
        ("1: {transporter_code: SBTL, transporter_service_code: BPA}",
         "1: {transporter_code: SBTL, transporter_service_code: BPX}", "shipping_methods.1.transporter_service_code",
         "transporter SBTL has no service BPX; it offers BPA (DB SCHENKERparcel), BDI (DB SCHENKERdirect)"),
        ("  complaint: COMPLAINT", "  complaint: BROKEN", "return_causes.complaint",
         "Ongoing has no return cause BROKEN; it offers REGRET (Ångerköp), NOTCOLLECTED (Ej uthämtad), COMPLAINT "
         "(Reklamation), WRONGSIZE (Fel storlek)"),
    ],
)
def test_an_ongoing_code_the_warehouse_lacks_is_a_problem_that_lists_what_it_offers(
        tmp_path: Path, old: str, new: str, key: str, detail: str) -> None:
    merchant = demo_with(tmp_path, old, new)

    found = problems(ongoing_findings(merchant, WAREHOUSE))

    assert list(found) == [key]
    assert found[key].startswith(detail)


def test_the_run_fails_with_the_file_every_wrong_key_and_what_ongoing_offers(tmp_path: Path) -> None:
    merchant = demo_with(tmp_path, "2: {transporter_code: PLAB, transporter_service_code: P19}",
                         "2: {transporter_code: PLAB, transporter_service_code: P99}")
    merchant = merchant.model_copy(update={"return_causes": {**merchant.return_causes, "regret": "ANGER"}})

    error = ongoing_mismatch(tmp_path / "demo.yaml", ongoing_findings(merchant, WAREHOUSE))

    assert error is not None
    assert str(error).splitlines() == [
        f"{tmp_path / 'demo.yaml'}: 2 setting(s) name what Ongoing does not offer; nothing was written:",
        "  shipping_methods.2.transporter_service_code: transporter PLAB has no service P99; it offers P19 (PostNord "
        "MyPack Collect), P18 (PostNord Parcel (Nordic)), P24 (PostNord Return Drop Off)",
        "  return_causes.regret: Ongoing has no return cause ANGER; it offers REGRET (Ångerköp), NOTCOLLECTED (Ej "
        "uthämtad), COMPLAINT (Reklamation), WRONGSIZE (Fel storlek)",
    ]
    assert ongoing_mismatch(tmp_path / "demo.yaml", ongoing_findings(load_merchants()["demo"], WAREHOUSE)) is None


def test_return_causes_are_checked_only_when_read_and_a_way_of_delivery_is_free_text(tmp_path: Path) -> None:
    merchant = demo_with(tmp_path, "  regret: REGRET", "  regret: NOPE")
    merchant = merchant.model_copy(update={"shipping_methods": {
        **merchant.shipping_methods, 4: merchant.shipping_methods[1].model_copy(
            update={"transporter_code": None, "transporter_service_code": None, "way_of_delivery_code": "PICKUP"})}})
    unread = OngoingRegisters(WAREHOUSE.order_statuses, WAREHOUSE.transporters, return_causes=None)

    findings = ongoing_findings(merchant, unread)

    assert problems(findings) == {}
    assert not [f for f in findings if f.key.startswith("return_causes")]
    assert [f.detail for f in findings if f.key == "shipping_methods.4.way_of_delivery_code"] == [
        "a way of delivery: the warehouse assigns the transporter"]


def test_a_tracking_type_keyed_by_a_transporter_ongoing_lacks_is_a_warning(tmp_path: Path) -> None:
    merchant = demo_with(tmp_path, "  SBTL: 2", "  SBTL: 2\n  DHL: 3")

    (warning,) = [f for f in ongoing_findings(merchant, WAREHOUSE) if f.verdict is Verdict.WARNING]

    assert warning.key == "tracking_types.DHL"


@pytest.mark.parametrize(
    ("old", "new", "key", "detail"),
    [
        ("picking:          {starweb: picking, ongoing: 300}", "picking:          {starweb: packing, ongoing: 300}",
         "statuses.picking.starweb",
         "the shop has no order status with idCode 'packing'; it offers created (#1 Mottagen), picking (#2 "
         "Plockning), completed (#3 Skickad), canceled (#4 Makulerad), #5 Delvis skickad"),
        ("returned:         {starweb: 7, ongoing: 800}", "returned:         {starweb: 17, ongoing: 800}",
         "statuses.returned.starweb", "the shop has no order status with id 17"),
        ("exportable_starweb_statuses: [created]", "exportable_starweb_statuses: [created, paid]",
         "orders.exportable_starweb_statuses[1]", "the shop has no order status with idCode 'paid'"),
        ("releasable_starweb_statuses: [created]", "releasable_starweb_statuses: [99]",
         "release.releasable_starweb_statuses[0]", "the shop has no order status with id 99"),
        ("3: {transporter_code: PLAB, transporter_service_code: P18}",
         "3: {transporter_code: PLAB, transporter_service_code: P18}\n  7: {transporter_code: PLAB}",
         "shipping_methods.7", "the shop has no shipping method 7; it offers 1 Schenker Parcel, 2 PostNord MyPack "
                               "Collect, 3 PostNord Parcel, 4 Hämta i butik"),
        ("  PLAB: 1", "  PLAB: 11", "tracking_types.PLAB",
         "the shop has no shipping tracking type 11; it offers 1 Posten Sverige, 2 DB Schenker, 3 DHL Freight, "
         "4 Bring"),
    ],
)
def test_a_starweb_reference_the_shop_lacks_is_a_problem_that_lists_what_it_offers(
        tmp_path: Path, old: str, new: str, key: str, detail: str) -> None:
    merchant = demo_with(tmp_path, old, new)

    found = problems(starweb_findings(merchant, SHOP))

    assert list(found) == [key]
    assert found[key].startswith(detail)


def test_an_inactive_unmapped_shipping_method_is_no_warning() -> None:
    shop = ShopRegisters(SHOP.statuses, SHOP.status_names, SHOP.shipping_methods, SHOP.tracking_types,
                         inactive_shipping_methods=frozenset({4}))
    assert [f for f in starweb_findings(load_merchants()["demo"], shop) if f.verdict is not Verdict.OK] == []


def test_go_live_cutoff_missing_is_a_warning_and_set_is_explained() -> None:
    now = datetime(2026, 10, 20, 12, tzinfo=UTC)
    assert go_live_finding(None, now).verdict is Verdict.WARNING
    future = go_live_finding(datetime(2026, 11, 1, tzinfo=UTC), now)
    assert (future.verdict, future.detail) == (Verdict.OK, "in 11 day(s): orders created before it are synced "
                                                           "without customer emails")
    assert go_live_finding(datetime(2026, 10, 1, tzinfo=UTC), now).detail.startswith("passed")


@pytest.mark.parametrize(
    ("seconds", "verdict", "detail"),
    [(1, Verdict.OK, "Starweb's clock agrees with this machine's"),
     (2, Verdict.OK, "Starweb is 2 s ahead of this machine"),
     (-59, Verdict.OK, "Starweb is 59 s behind this machine"),
     (-240, Verdict.WARNING, "Starweb is 240 s behind this machine: within the cursor overlap (10 min)"),
     (7200, Verdict.PROBLEM, "Starweb is 7200 s ahead of this machine: more than the cursor overlap (10 min), so "
                             "changes made in the gap can be missed")],
)
def test_clock_skew_is_judged_against_the_cursor_overlap(seconds: int, verdict: Verdict, detail: str) -> None:
    finding = clock_finding("Starweb", timedelta(seconds=seconds), timedelta(minutes=10))
    assert finding.verdict is verdict
    assert finding.detail.startswith(detail)


def test_an_unknown_clock_is_a_warning() -> None:
    assert clock_finding("Ongoing", None, timedelta(minutes=10)).verdict is Verdict.WARNING
