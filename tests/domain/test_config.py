"""Merchant configuration: the shipped demo loads, and every mistake names file, field and problem."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from domain.config import ConfigError, ReturnKind, load_merchant, load_merchant_by_id, load_merchants
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
    assert demo.statuses[OrderState.PARTIALLY_SENT].alternate_starweb == 9
    assert demo.shipments.tracking_grace_minutes == 30
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
        (("{starweb: picking, ongoing: 300}", "{starweb: picking, alternate_starweb: 6, ongoing: 300}"),
         "statuses.picking.alternate_starweb: only partially_sent may have an alternate Starweb status"),
        (("tracking_grace_minutes: 30", "tracking_grace_minutes: -5"),
         "shipments.tracking_grace_minutes: Input should be greater than or equal to 0"),
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


# Files that used to pass but meant something else -------------------------------------------------

def with_release_times(times: str) -> str:
    old = '  times: ["07:00", "13:00"]'
    assert old in DEMO
    return DEMO.replace(old, f"  times: {times}")


def test_unquoted_release_times_are_times_of_day_not_base_60_numbers(tmp_path: Path) -> None:
    from deployments.registry import release_crons

    config = load_merchant(write(tmp_path, with_release_times("[07:30, 13:00]")))

    assert [t.strftime("%H:%M") for t in config.release.times] == ["07:30", "13:00"]
    assert release_crons(config.release.times, weekdays_only=True) == ["0 13 * * 1-5", "30 7 * * 1-5"]


@pytest.mark.parametrize(
    ("times", "expected"),
    [('["07:00:30"]', "'07:00:30' has seconds; the release runs on whole minutes"),
     ("[780]", '780 is a number, not a time of day: write release times as "HH:MM"'),
     ('["25:00"]', "'25:00' is not a time of day")],
)
def test_release_times_that_cannot_be_scheduled_are_refused_at_load(tmp_path: Path, times: str,
                                                                    expected: str) -> None:
    path = write(tmp_path, with_release_times(times))
    with pytest.raises(ConfigError) as caught:
        load_merchant(path)
    assert str(path) in str(caught.value)
    assert "release.times" in str(caught.value)
    assert expected in str(caught.value)


def test_a_key_given_twice_is_refused_with_both_lines(tmp_path: Path) -> None:
    text = DEMO.replace("  picking:          {starweb: picking, ongoing: 300}\n",
                        "  picking:          {starweb: picking, ongoing: 300}\n  picking: {starweb: 9, ongoing: 310}\n")
    first = text.splitlines().index("  picking:          {starweb: picking, ongoing: 300}") + 1
    path = write(tmp_path, text)

    with pytest.raises(ConfigError) as caught:
        load_merchant(path)

    assert str(caught.value) == (f"{path}: line {first + 1}: the key 'picking' appears twice in one mapping (first on "
                                 f"line {first}); YAML would silently keep only the last one, so remove one of them")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("exportable_starweb_statuses: [created]", "exportable_starweb_statuses: []"),
         "orders.exportable_starweb_statuses: Value error, an empty list would export no order at all"),
        (("releasable_starweb_statuses: [created]", "releasable_starweb_statuses: []"),
         "release.releasable_starweb_statuses: Value error, an empty list would release nothing"),
        (("picking:          {starweb: picking, ongoing: 300}", "picking:          {starweb: picking, ongoing: 500}"),
         "statuses: Value error, Ongoing numbers must grow: picking (500) < sent (450)"),
        (("open_in_stock:    {starweb: created, ongoing: 210}", "open_in_stock:    {starweb: created, ongoing: 320}"),
         "open_in_stock (320) must be below picking (300)"),
        (("base_url: http://127.0.0.1:8801/api/v2", "base_url: http://shop.example.com/api/v2"),
         "starweb.base_url: Value error, http://shop.example.com/api/v2 uses http://, which would send the "
         "credentials in clear"),
        (("base_url: http://127.0.0.1:8802/demo/api/v1", "base_url: http://api.ongoingsystems.se/demo/api/v1"),
         "ongoing.base_url: Value error, http://api.ongoingsystems.se/demo/api/v1 uses http://"),
        (("1: {transporter_code: SBTL, transporter_service_code: BPA}",
          "1: {way_of_delivery_code: X, transporter_service_code: BPA}"),
         "transporter_service_code needs the transporter_code it belongs to"),
        (("  complaint: COMPLAINT", "  complaint: ''"),
         "return_causes.complaint: String should have at least 1 character"),
        (("  regret: REGRET", "  exchange: SWAP"),
         "return_causes.exchange.[key]: Input should be 'regret', 'complaint'"),
    ],
)
def test_files_that_would_run_wrong_are_refused(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert old in DEMO
    path = write(tmp_path, DEMO.replace(old, new))
    with pytest.raises(ConfigError) as caught:
        load_merchant(path)
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)


def test_https_and_this_machine_over_http_are_both_accepted(tmp_path: Path) -> None:
    text = DEMO.replace("http://127.0.0.1:8801/api/v2", "https://fjallbutiken.starweb.se/api/v2")
    text = text.replace("http://127.0.0.1:8802/demo/api/v1", "http://localhost:8802/demo/api/v1")
    config = load_merchant(write(tmp_path, text))
    assert config.starweb.base_url.startswith("https://")
    assert config.ongoing.base_url.startswith("http://localhost")


def test_return_causes_are_optional(tmp_path: Path) -> None:
    block = "return_causes:\n  regret: REGRET\n  complaint: COMPLAINT\n  not_collected: NOTCOLLECTED\n"
    assert block in DEMO
    assert load_merchant(write(tmp_path, DEMO.replace(block, ""))).return_causes == {}
    assert load_merchant(write(tmp_path, DEMO)).return_causes[ReturnKind.NOT_COLLECTED] == "NOTCOLLECTED"


def test_a_file_that_is_not_utf8_is_named_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    # Saved by an editor in Latin-1: the same text, but "ä" is the single byte 0xe4.
    path.write_bytes(DEMO.encode().replace("name: Fjällbutiken (demo)".encode(), b"name: Fj\xe4llbutiken (demo)"))
    line = DEMO.splitlines().index("name: Fjällbutiken (demo)") + 1

    with pytest.raises(ConfigError) as caught:
        load_merchant(path)

    assert str(caught.value) == f"{path}: line {line}: byte 0xe4 is not UTF-8; save the file as UTF-8 text"


@pytest.mark.parametrize("merchant_id", ["../x/evil", "x/../demo", "/tmp/evil", "Demo", "demo.yaml", ""])
def test_a_merchant_id_cannot_reach_outside_the_merchants_folder(tmp_path: Path, merchant_id: str) -> None:
    merchants, elsewhere = tmp_path / "merchants", tmp_path / "x"
    merchants.mkdir()
    elsewhere.mkdir()
    (merchants / "demo.yaml").write_text(DEMO)
    (elsewhere / "evil.yaml").write_text(DEMO.replace("merchant_id: demo", "merchant_id: evil"))

    with pytest.raises(ConfigError, match=f"^{re.escape(repr(merchant_id))} is not a merchant id: use lowercase"):
        load_merchant_by_id(merchant_id, merchants)


def test_webhooks_are_optional_and_off_without_the_section(tmp_path: Path) -> None:
    section = DEMO[DEMO.index("\n# Webhooks into"):]
    without = load_merchant(write(tmp_path, DEMO.replace(section, "\n")))

    assert not without.webhooks.enabled
    assert without.webhooks.token_for("starweb") is None and without.webhooks.token_for("ongoing") is None
    demo = load_merchant(write(tmp_path, DEMO))
    assert demo.webhooks.token_for("ongoing").env == "DEMO_WEBHOOK_ONGOING_TOKEN"
    assert (demo.webhooks.backstop_polling_minutes, demo.webhooks.event_window_seconds) == (15, 60)


@pytest.mark.parametrize(("change", "expected"), [
    (("  starweb_token: {env: DEMO_WEBHOOK_STARWEB_TOKEN}\n  ongoing_token: {env: DEMO_WEBHOOK_ONGOING_TOKEN}\n", ""),
     "webhooks: Value error, enabled webhooks need starweb_token, ongoing_token or both"),
    (("starweb_token: {env: DEMO_WEBHOOK_STARWEB_TOKEN}", "starweb_token: plain-text-secret"),
     "webhooks.starweb_token"),
    (("backstop_polling_minutes: 15", "backstop_polling_minutes: 0"),
     "webhooks.backstop_polling_minutes: Input should be greater than 0"),
    (("event_window_seconds: 60", "event_window_seconds: 3600"),
     "webhooks.event_window_seconds: Input should be less than or equal to 600"),
])
def test_webhook_settings_are_checked_at_load(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert old in DEMO
    with pytest.raises(ConfigError, match=re.escape(expected)):
        load_merchant(write(tmp_path, DEMO.replace(old, new)))


def test_a_disabled_section_needs_no_secret(tmp_path: Path) -> None:
    section = DEMO[DEMO.index("\nwebhooks:"):]
    config = load_merchant(write(tmp_path, DEMO.replace(section, "\nwebhooks:\n  enabled: false\n")))

    assert config.webhooks.token_for("starweb") is None
