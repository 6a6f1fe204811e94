"""Merchant configuration: one YAML file per merchant under ``deployments/merchants/``.

A merchant is one Starweb shop plus one Ongoing goods owner. The file holds where both live,
*references* to their credentials (environment variables or Prefect Secret blocks, never values),
the status and shipping-method maps, release times, the go-live cutoff, the stock buffer and how
often each process runs. It is validated when loaded; errors name the file, the field and the problem.
A file that loads is also one the merchant meant: see ``domain.merchant_yaml`` for how the YAML is read.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from domain.merchant_yaml import MerchantYamlError, parse_merchant_yaml
from domain.statuses import MAPPED_STATES, OrderState, StarwebStatusRef, StateRule, ongoing_number_order_problems

MERCHANTS_DIR = Path(__file__).resolve().parent.parent / "deployments" / "merchants"
_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$"


class ConfigError(ValueError):
    """A merchant file is missing, unreadable or invalid; the message names file, field and problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CredentialRef(_Strict):
    """Where a credential lives: an environment variable or a Prefect Secret block, by name."""

    env: str | None = None
    secret_block: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> CredentialRef:
        if (self.env is None) == (self.secret_block is None):
            raise ValueError("give exactly one of 'env' (an environment variable) or 'secret_block' "
                             "(a Prefect Secret block name)")
        if self.secret_block is not None and not re.fullmatch(r"[a-z0-9-]+", self.secret_block):
            raise ValueError("a Prefect Secret block name uses lowercase letters, digits and dashes only")
        return self

    def describe(self) -> str:
        return f"environment variable {self.env}" if self.env else f"Prefect Secret block {self.secret_block}"


def is_loopback_url(url: str) -> bool:
    """Does the URL name this machine (localhost, 127.0.0.0/8, ::1), as the simulators' URLs do?"""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _credentials_travel_safely(url: str) -> str:
    # Starweb's client secret and Ongoing's Basic credentials go with every call: never in clear over a network.
    if url.startswith("http://") and not is_loopback_url(url):
        raise ValueError(f"{url} uses http://, which would send the credentials in clear; use https:// "
                         "(plain http is accepted only for this machine, e.g. the simulators)")
    return url


class StarwebConnection(_Strict):
    base_url: Annotated[str, Field(pattern=r"^https?://")]
    client_id: CredentialRef
    client_secret: CredentialRef

    _safe_url = field_validator("base_url")(_credentials_travel_safely)


class OngoingConnection(_Strict):
    base_url: Annotated[str, Field(pattern=r"^https?://")]
    warehouse: str
    goods_owner_id: Annotated[int, Field(gt=0)]
    username: CredentialRef
    password: CredentialRef

    _safe_url = field_validator("base_url")(_credentials_travel_safely)

    @model_validator(mode="after")
    def _warehouse_in_url(self) -> OngoingConnection:
        if f"/{self.warehouse}/" not in self.base_url.rstrip("/") + "/":
            raise ValueError(f"base_url {self.base_url!r} does not contain the warehouse {self.warehouse!r}")
        return self


class StatusRule(_Strict):
    """One row of the status map, as written in YAML."""

    starweb: str | int
    ongoing: Annotated[int, Field(gt=0)]
    notify_customer: bool = False
    process_payment: bool = False
    # Partially sent only: a second Starweb status meaning the same. Starweb emails on a status change
    # only, so a further partial shipment moves the order to whichever of the two it is not in.
    alternate_starweb: str | int | None = None


def _default_status_map() -> dict[OrderState, StatusRule]:
    return {
        OrderState.OPEN_IN_STOCK: StatusRule(starweb="created", ongoing=210),
        OrderState.OPEN_BACKORDERED: StatusRule(starweb="created", ongoing=211),
        OrderState.PICKING: StatusRule(starweb="picking", ongoing=300),
        OrderState.PARTIALLY_SENT: StatusRule(starweb="completed", ongoing=450, notify_customer=True),
        OrderState.SENT: StatusRule(starweb="completed", ongoing=450, notify_customer=True),
        OrderState.RETURNED: StatusRule(starweb="completed", ongoing=800),
        OrderState.CANCELLED: StatusRule(starweb="canceled", ongoing=1000),
    }


class TransporterRoute(_Strict):
    """Where Ongoing should send orders of one Starweb shipping method."""

    transporter_code: str | None = None
    transporter_service_code: str | None = None
    way_of_delivery_code: str | None = None
    way_of_delivery_name: str | None = None

    @model_validator(mode="after")
    def _one_way(self) -> TransporterRoute:
        if not (self.transporter_code or self.way_of_delivery_code):
            raise ValueError("give transporter_code (+ transporter_service_code) or way_of_delivery_code")
        if self.transporter_service_code and not self.transporter_code:
            raise ValueError("transporter_service_code needs the transporter_code it belongs to")
        return self


class ReturnKind(StrEnum):
    """Why goods come back, in the connector's words (see the glossary: ångerköp, reklamation, ej uthämtad)."""

    REGRET = "regret"
    COMPLAINT = "complaint"
    NOT_COLLECTED = "not_collected"


_CLOCK_TIME = re.compile(r"(?P<hour>[01]?[0-9]|2[0-3]):(?P<minute>[0-5][0-9])")


def _clock_time(value: Any) -> time:
    """A release time as the merchant wrote it: "HH:MM" on the 24-hour clock, whole minutes."""
    if isinstance(value, time) and not (value.second or value.microsecond or value.tzinfo):
        return value
    if isinstance(value, bool | int | float):
        raise ValueError(f"{value!r} is a number, not a time of day: write release times as \"HH:MM\", e.g. \"13:00\"")
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a time of day: write release times as \"HH:MM\", e.g. \"13:00\"")
    found = _CLOCK_TIME.fullmatch(value.strip())
    if found is None:
        if re.fullmatch(r"\d{1,2}:\d{2}:\d{2}", value.strip()):
            raise ValueError(f"{value!r} has seconds; the release runs on whole minutes: write \"HH:MM\"")
        raise ValueError(f"{value!r} is not a time of day: write release times as \"HH:MM\" on the 24-hour clock, "
                         "e.g. \"07:00\"")
    return time(int(found["hour"]), int(found["minute"]))


class ReleaseSchedule(_Strict):
    times: list[time] = Field(default_factory=lambda: [time(7, 0), time(13, 0)])
    weekdays_only: bool = True
    releasable_starweb_statuses: list[str | int] = Field(default_factory=lambda: ["created"])
    # Orders exported as "open, backordered" are released too unless this is set.
    skip_backordered: bool = False

    @field_validator("times", mode="before")
    @classmethod
    def _clock_times(cls, value: Any) -> Any:
        return [_clock_time(item) for item in value] if isinstance(value, list) else value

    @field_validator("releasable_starweb_statuses")
    @classmethod
    def _releases_something(cls, value: list[str | int]) -> list[str | int]:
        if not value:
            raise ValueError("an empty list would release nothing; to release only by hand, set release.times: [] "
                             "instead")
        return value


class ShipmentSettings(_Strict):
    # What happens to the unshipped rest of a partial delivery: wait for a later shipment, or cancel it
    # in Starweb (items cut to what shipped) so the customer's receipt matches the parcel.
    remainder: Literal["keep_open", "cancel"] = "keep_open"
    # A sent order may get its waybill after it reached "sent" in Ongoing: its report to Starweb (and the
    # customer email) waits for the waybill this long after the shipment; later waybills still follow.
    tracking_grace_minutes: Annotated[int, Field(ge=0)] = 30


class StockSettings(_Strict):
    safety_buffer: Annotated[int, Field(ge=0)] = 0
    full_resync_hours: Annotated[float, Field(gt=0)] = 6.0


class ProductSettings(_Strict):
    deactivate_removed: bool = True
    removal_check_hours: Annotated[float, Field(gt=0)] = 24.0


class OrderSettings(_Strict):
    number_prefix: Annotated[str, Field(max_length=10, pattern=r"^[A-Za-z0-9-]*$")] = ""
    exportable_starweb_statuses: list[str | int] = Field(default_factory=lambda: ["created"])
    overlap_minutes: Annotated[int, Field(ge=0)] = 10
    first_run_lookback_days: Annotated[int, Field(ge=0)] = 7
    # Ongoing status from which picking is finished (standard 400 "Picked"); short picks are noted from here.
    picked_status: Annotated[int, Field(gt=0)] = 400

    @field_validator("exportable_starweb_statuses")
    @classmethod
    def _exports_something(cls, value: list[str | int]) -> list[str | int]:
        if not value:
            raise ValueError("an empty list would export no order at all: name at least one Starweb status, "
                             "e.g. [created]")
        return value


class InboundSettings(_Strict):
    """Purchase orders (inbound deliveries) sent to Ongoing, and the one-step initial inbound."""

    # The initial inbound's purchase-order number; {date} becomes the day it is first sent (YYYYMMDD).
    initial_purchase_order_number: Annotated[str, Field(min_length=1, max_length=40)] = "INIT-{date}"
    # The supplier named on the initial inbound (the stock comes from the merchant's own storage).
    initial_supplier: Annotated[str, Field(min_length=1, max_length=100)] = "Initial stock"

    @field_validator("initial_purchase_order_number")
    @classmethod
    def _only_the_date_placeholder(cls, value: str) -> str:
        try:
            number = value.format(date="20260101")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"{value!r} may contain only the placeholder {{date}}") from exc
        if not re.fullmatch(r"[A-Za-z0-9_./-]+", number):
            raise ValueError(f"{value!r} gives {number!r}; use letters, digits, - _ . / only")
        return value

    def initial_number(self, day: date) -> str:
        return self.initial_purchase_order_number.format(date=f"{day:%Y%m%d}")


class ReturnSettings(_Strict):
    """How returns the warehouse registers reach Starweb. Return-cause codes are the goods owner's own
    (``GET /returnOrders/returnCauses``); a cause in none of the lists counts as a regret return."""

    regret_causes: list[str] = Field(default_factory=list)
    not_collected_causes: list[str] = Field(default_factory=list)  # parcel returned to sender
    complaint_causes: list[str] = Field(default_factory=list)
    # Starweb statuses (idCode or id). Full: everything shipped came back (unset: the status map's
    # `returned`); partial: unset leaves the status alone; not collected: unset is handled as any return.
    full_return_status: str | int | None = None
    partial_return_status: str | int | None = None
    not_collected_status: str | int | None = None
    notify_customer: bool = False
    refund_shipping: bool = False
    # Finds the Starweb order id in a return inbound's number, reference or comment: group 1 is the id;
    # {prefix} stands for the merchant's order-number prefix.
    purchase_order_reference: str = "{prefix}([0-9]+)"
    # Does the warehouse count goods received against a return order on the sales order's lines too?
    return_orders_on_sales_order: bool = True
    overlap_minutes: Annotated[int, Field(ge=0)] = 10
    first_run_lookback_days: Annotated[int, Field(ge=0)] = 30

    @model_validator(mode="after")
    def _causes_and_pattern(self) -> ReturnSettings:
        lists = {"regret_causes": self.regret_causes, "not_collected_causes": self.not_collected_causes,
                 "complaint_causes": self.complaint_causes}
        seen: dict[str, str] = {}
        for name, codes in lists.items():
            for code in codes:
                if code in seen and seen[code] != name:
                    raise ValueError(f"return cause {code!r} is in both {seen[code]} and {name}")
                seen[code] = name
        try:
            pattern = re.compile(self.purchase_order_reference.replace("{prefix}", ""))
        except re.error as exc:
            raise ValueError(f"purchase_order_reference is not a valid regular expression: {exc}") from exc
        if pattern.groups < 1:
            raise ValueError("purchase_order_reference needs a group around the order id, e.g. 'FJ-([0-9]+)'")
        return self

    def reference_pattern(self, prefix: str) -> re.Pattern[str]:
        """The compiled order-reference pattern with the merchant's prefix filled in."""
        return re.compile(self.purchase_order_reference.replace("{prefix}", re.escape(prefix)))


class PollingMinutes(_Strict):
    """How often each process runs, in minutes."""

    products: Annotated[int, Field(gt=0)] = 30
    export_orders: Annotated[int, Field(gt=0)] = 2
    order_changes: Annotated[int, Field(gt=0)] = 5
    order_statuses: Annotated[int, Field(gt=0)] = 5
    shipments: Annotated[int, Field(gt=0)] = 5
    stock: Annotated[int, Field(gt=0)] = 10
    receipts: Annotated[int, Field(gt=0)] = 15
    returns: Annotated[int, Field(gt=0)] = 15


class WebhookSettings(_Strict):
    """Vendor webhooks into the connector's receiver (``swo webhooks serve``), off unless enabled.

    Starweb signs nothing, so its web-hook URL carries ``starweb_token``; Ongoing sends ``ongoing_token`` in
    its ``X-Auth-Token`` header. A process fed by a side with a token starts on that side's events and
    polls only every ``backstop_polling_minutes`` (or its own interval, if longer) to catch what a lost
    webhook missed. A run started by an event stays ``event_window_seconds`` for the events that follow.
    """

    enabled: bool = False
    starweb_token: CredentialRef | None = None
    ongoing_token: CredentialRef | None = None
    backstop_polling_minutes: Annotated[int, Field(gt=0)] = 15
    event_window_seconds: Annotated[int, Field(ge=1, le=600)] = 60

    @model_validator(mode="after")
    def _enabled_needs_a_secret(self) -> WebhookSettings:
        if self.enabled and self.starweb_token is None and self.ongoing_token is None:
            raise ValueError("enabled webhooks need starweb_token, ongoing_token or both (each an {env: …} or "
                             "{secret_block: …} reference); without one no call could be authenticated")
        return self

    def token_for(self, source: Literal["starweb", "ongoing"]) -> CredentialRef | None:
        """The secret a vendor's calls must carry, or None when that vendor's webhooks are not in use."""
        if not self.enabled:
            return None
        return self.starweb_token if source == "starweb" else self.ongoing_token


class MerchantConfig(_Strict):
    merchant_id: Annotated[str, Field(pattern=_ID_PATTERN)]
    name: str
    starweb: StarwebConnection
    ongoing: OngoingConnection
    timezone: str = "Europe/Stockholm"
    go_live_cutoff: datetime | None = None
    orders: OrderSettings = Field(default_factory=OrderSettings)
    statuses: dict[OrderState, StatusRule] = Field(default_factory=_default_status_map)
    shipping_methods: dict[int, TransporterRoute] = Field(default_factory=dict)
    tracking_types: dict[str, int] = Field(default_factory=dict, description="Ongoing transporter code → "
                                           "Starweb shippingTrackerType")
    return_causes: dict[ReturnKind, Annotated[str, Field(min_length=1)]] = Field(
        default_factory=dict, description="kind of return → the warehouse's return cause code (optional)")
    release: ReleaseSchedule = Field(default_factory=ReleaseSchedule)
    shipments: ShipmentSettings = Field(default_factory=ShipmentSettings)
    stock: StockSettings = Field(default_factory=StockSettings)
    products: ProductSettings = Field(default_factory=ProductSettings)
    inbound: InboundSettings = Field(default_factory=InboundSettings)
    returns: ReturnSettings = Field(default_factory=ReturnSettings)
    polling_minutes: PollingMinutes = Field(default_factory=PollingMinutes)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @field_validator("go_live_cutoff")
    @classmethod
    def _cutoff_has_offset(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("go_live_cutoff needs a UTC offset, e.g. 2026-12-01T00:00:00+01:00")
        return value

    @field_validator("statuses", mode="before")
    @classmethod
    def _merge_with_defaults(cls, value: Any) -> Any:
        """A file may override single rows; the rest keep their defaults."""
        if not isinstance(value, dict):
            return value
        return {**{k.value: v for k, v in _default_status_map().items()}, **value}

    @field_validator("statuses")
    @classmethod
    def _ongoing_numbers_in_order(cls, value: dict[OrderState, StatusRule]) -> dict[OrderState, StatusRule]:
        # The same rule the run applies when it builds its status table, so check-config catches it first.
        problems = ongoing_number_order_problems({state: rule.ongoing for state, rule in value.items()})
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @model_validator(mode="after")
    def _alternate_only_for_partially_sent(self) -> MerchantConfig:
        for state, rule in self.statuses.items():
            if rule.alternate_starweb is not None and state is not OrderState.PARTIALLY_SENT:
                raise ValueError(f"statuses.{state.value}.alternate_starweb: only partially_sent may have an "
                                 "alternate Starweb status")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def state_rules(self) -> list[StateRule]:
        return [
            StateRule(state=state, starweb=StarwebStatusRef.parse(rule.starweb), ongoing=rule.ongoing,
                      notify_customer=rule.notify_customer, process_payment=rule.process_payment,
                      alternate=StarwebStatusRef.parse(rule.alternate_starweb)
                      if rule.alternate_starweb is not None else None)
            for state, rule in self.statuses.items() if state in MAPPED_STATES
        ]

    def order_number(self, starweb_order_id: int) -> str:
        """The Ongoing order number for a Starweb order: the business key both sides upsert on."""
        return f"{self.orders.number_prefix}{starweb_order_id}"


def _describe(error: ValidationError, path: Path) -> str:
    lines = [f"{path}: invalid merchant configuration"]
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "(top level)"
        lines.append(f"  {field}: {item['msg']}")
    return "\n".join(lines)


def load_merchant(path: Path) -> MerchantConfig:
    """Read and validate one merchant file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read merchant configuration: {exc.strerror}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: line {line}: byte 0x{data[exc.start]:02x} is not UTF-8; save the file as UTF-8 "
                          "text") from exc
    try:
        raw = parse_merchant_yaml(text)
    except MerchantYamlError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    try:
        config = MerchantConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path)) from exc
    if config.merchant_id != path.stem:
        raise ConfigError(f"{path}: merchant_id {config.merchant_id!r} must match the file name {path.stem!r}")
    return config


def load_merchants(directory: Path = MERCHANTS_DIR) -> dict[str, MerchantConfig]:
    """Every merchant file in a directory, by merchant id."""
    return {p.stem: load_merchant(p) for p in sorted(directory.glob("*.yaml"))}


def check_merchant_id(merchant_id: str) -> str:
    """The id, if it can name a merchant file: lowercase letters, digits and dashes, nothing path-like."""
    if not re.fullmatch(_ID_PATTERN, merchant_id):
        raise ConfigError(f"{merchant_id!r} is not a merchant id: use lowercase letters, digits and dashes "
                          "(2 to 40 characters, starting and ending with a letter or digit)")
    return merchant_id


def load_merchant_by_id(merchant_id: str, directory: Path = MERCHANTS_DIR) -> MerchantConfig:
    """The merchant's file ``<directory>/<merchant_id>.yaml``, read and validated."""
    path = directory / f"{check_merchant_id(merchant_id)}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in directory.glob("*.yaml"))) or "none"
        raise ConfigError(f"{path}: no such merchant (known merchants: {known})")
    return load_merchant(path)
