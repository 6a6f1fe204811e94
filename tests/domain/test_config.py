"""Merchant configuration: the shipped demo loads, and every mistake names file, field and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.config import ConfigError, load_merchant, load_merchant_by_id, load_merchants
from domain.statuses import OrderState

DEMO = (Path(__file__).resolve().parents[2] / "deployments" / "merchants" / "demo.yaml").read_text()


def write(tmp_path: Path, text: str, name: str = "demo") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return path


def test_the_demo_merchant_ships_valid() -> None:
    demo = load_merchants()["demo"]
    assert demo.order_number(1042) == "FJ-1042"
    assert demo.shipping_methods[1].transporter_code == "SBTL"
    assert demo.statuses[OrderState.PARTIALLY_SENT].starweb == 5
    assert [t.strftime("%H:%M") for t in demo.release.times] == ["07:00", "13:00"]
    assert demo.starweb.client_secret.env == "DEMO_STARWEB_CLIENT_SECRET"


def test_rows_left_out_of_the_status_map_keep_their_defaults(tmp_path: Path) -> None:
    text = DEMO.split("\nstatuses:")[0] + "\nstatuses:\n  picking: {starweb: 9, ongoing: 310}\n"
    config = load_merchant(write(tmp_path, text))
    assert config.statuses[OrderState.PICKING].ongoing == 310
    assert config.statuses[OrderState.CANCELLED].ongoing == 1000


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("goods_owner_id: 1", "goods_owner_id: -1"), "ongoing.goods_owner_id: Input should be greater than 0"),
        (("client_secret: {env: DEMO_STARWEB_CLIENT_SECRET}", "client_secret: s3cr3t"), "starweb.client_secret"),
        (("client_secret: {env: DEMO_STARWEB_CLIENT_SECRET}", "client_secret: {env: A, secret_block: b}"),
         "give exactly one of 'env'"),
        (("timezone: Europe/Stockholm", "timezone: Mars/Olympus"), "timezone: Value error, unknown timezone"),
        (("go_live_cutoff: 2026-11-01T00:00:00+01:00", "go_live_cutoff: 2026-11-01T00:00:00"), "needs a UTC offset"),
        (("1: {transporter_code: SBTL, transporter_service_code: BPA}", "1: {transporter_service_code: BPA}"),
         "shipping_methods.1: Value error, give transporter_code"),
        (("  picking:          {starweb: picking, ongoing: 300}", "  packing: {starweb: picking, ongoing: 300}"),
         "statuses.packing"),
        (("base_url: http://127.0.0.1:8802/demo/api/v1", "base_url: http://127.0.0.1:8802/other/api/v1"),
         "does not contain the warehouse"),
        (("name: Fjällbutiken (demo)", "nmae: typo"), "nmae: Extra inputs are not permitted"),
        (("complaint_causes: [COMPLAINT]", "complaint_causes: [COMPLAINT, REGRET]"),
         "returns: Value error, return cause 'REGRET' is in both regret_causes and complaint_causes"),
        (('purchase_order_reference: "{prefix}([0-9]+)"', 'purchase_order_reference: "{prefix}[0-9]+"'),
         "purchase_order_reference needs a group around the order id"),
        (('purchase_order_reference: "{prefix}([0-9]+)"', 'purchase_order_reference: "([0-9]+"'),
         "purchase_order_reference is not a valid regular expression"),
        (("  returns: 15", "  returns: 0"), "polling_minutes.returns: Input should be greater than 0"),
    ],
)
def test_invalid_files_name_the_file_the_field_and_the_problem(tmp_path: Path, change: tuple[str, str],
                                                              expected: str) -> None:
    old, new = change
    assert old in DEMO
    path = write(tmp_path, DEMO.replace(old, new))
    with pytest.raises(ConfigError) as caught:
        load_merchant(path)
    message = str(caught.value)
    assert str(path) in message
    assert expected in message


def test_a_file_without_a_returns_section_keeps_working_with_quiet_defaults(tmp_path: Path) -> None:
    text = DEMO.split("\n# Returns the warehouse registers.")[0] + "\n"
    returns = load_merchant(write(tmp_path, text)).returns
    assert (returns.regret_causes, returns.not_collected_causes, returns.complaint_causes) == ([], [], [])
    assert (returns.full_return_status, returns.partial_return_status, returns.notify_customer,
            returns.refund_shipping) == (None, None, False, False)
    assert returns.reference_pattern("FJ-").findall("RET-9 för FJ-1042") == ["1042"]
    assert load_merchants()["demo"].returns.complaint_causes == ["COMPLAINT"]


def test_file_name_and_merchant_id_must_agree(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="must match the file name 'acme'"):
        load_merchant(write(tmp_path, DEMO, name="acme"))


def test_unreadable_yaml_and_unknown_merchants_are_explained(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_merchant(write(tmp_path, "merchant_id: [demo"))
    with pytest.raises(ConfigError, match=r"no such merchant \(known merchants: demo\)"):
        write(tmp_path, DEMO)
        load_merchant_by_id("acme", tmp_path)
