"""The connector's processes: the one table of Prefect flows that run for every merchant.

A row names the flow (its Prefect flow name, the first half of every deployment name
``<flow-name>/<merchant-id>``), where its code lives, what it does, and the rule that turns a
merchant's configuration into its schedule. Adding a process for every merchant is adding a row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Literal, Protocol

from domain.config import MerchantConfig, PollingMinutes
from domain.webhook_events import LISTENERS, Listener

CollisionStrategy = Literal["CANCEL_NEW", "ENQUEUE"]


@dataclass(frozen=True)
class ScheduleSpec:
    """One Prefect schedule: a fixed interval from an anchor, or a cron expression read in a timezone."""

    interval_seconds: int | None = None
    cron: str | None = None
    timezone: str | None = None
    anchor_date: datetime | None = None  # an interval's runs fall at anchor_date + k × interval

    def __post_init__(self) -> None:
        if (self.interval_seconds is None) == (self.cron is None):
            raise ValueError("a schedule has either interval_seconds or cron")


@dataclass(frozen=True)
class Timing:
    """When a process runs for one merchant, and the same in words for the deployment's description."""

    schedules: tuple[ScheduleSpec, ...]
    wording: str


class ScheduleRule(Protocol):
    # What a second run should do while one is still going (Prefect's concurrency collision strategy).
    collision_strategy: CollisionStrategy

    def __call__(self, merchant: MerchantConfig) -> Timing: ...


@dataclass(frozen=True)
class Polling:
    """Every ``polling_minutes.<setting>`` minutes. An overlapping run is dropped: the next tick
    picks up whatever it would have done."""

    setting: str
    collision_strategy: CollisionStrategy = "CANCEL_NEW"

    def __post_init__(self) -> None:
        if self.setting not in PollingMinutes.model_fields:
            raise ValueError(f"polling_minutes has no setting {self.setting!r}")

    def __call__(self, merchant: MerchantConfig) -> Timing:
        return _every(merchant, self.setting, int(getattr(merchant.polling_minutes, self.setting)))

    def as_backstop(self, merchant: MerchantConfig, listener: Listener) -> Timing:
        """The poll behind a process that starts on webhook events: rarer, as it only catches lost events."""
        minutes = max(int(getattr(merchant.polling_minutes, self.setting)), merchant.webhooks.backstop_polling_minutes)
        every = _every(merchant, self.setting, minutes)
        return Timing(every.schedules, f"on {listener.source.capitalize()} webhook events, and {every.wording} "
                                       "to catch any a lost webhook missed")


def _every(merchant: MerchantConfig, setting: str, minutes: int) -> Timing:
    unit = "minute" if minutes == 1 else f"{minutes} minutes"
    anchor = polling_anchor(merchant.merchant_id, setting, minutes)
    return Timing((ScheduleSpec(interval_seconds=minutes * 60, anchor_date=anchor),), f"every {unit}")


# Interval schedules without an anchor all fire on the same whole minutes: every poll of every merchant
# at once. Each (merchant, polling setting) gets an anchor of its own instead. Intervals are whole minutes,
# so a deployment always fires at the same second of the minute: a merchant's polls take distinct seconds,
# evenly apart, and merchants are spread over the minute (and over the interval) by a hash of their id.
ANCHOR_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
_POLLING_SETTINGS = tuple(PollingMinutes.model_fields)


def _stable_fraction(*parts: str) -> float:
    """A number in [0, 1) that depends only on ``parts`` (the same on every machine and Python run)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def polling_anchor(merchant_id: str, setting: str, minutes: int) -> datetime:
    """Where the merchant's ``setting`` poll sits in its interval: a second of the minute set apart from the
    merchant's other polls, in a minute of the interval of its own."""
    position = _POLLING_SETTINGS.index(setting)
    second = int(_stable_fraction(merchant_id) * 60 + position * 60 / len(_POLLING_SETTINGS)) % 60
    minute = int(_stable_fraction(merchant_id, setting) * minutes)
    return ANCHOR_EPOCH + timedelta(minutes=minute, seconds=second)


@dataclass(frozen=True)
class AtReleaseTimes:
    """At each of ``release.times`` on the merchant's wall clock, Monday to Friday when
    ``release.weekdays_only``. A run that comes due while another is going waits its turn."""

    collision_strategy: CollisionStrategy = "ENQUEUE"

    def __call__(self, merchant: MerchantConfig) -> Timing:
        release = merchant.release
        crons = release_crons(release.times, weekdays_only=release.weekdays_only)
        if not crons:
            return Timing((), "only when started by hand (no release times configured)")
        clock = ", ".join(f"{t:%H:%M}" for t in sorted(release.times))
        days = "Monday to Friday" if release.weekdays_only else "every day"
        return Timing(tuple(ScheduleSpec(cron=c, timezone=merchant.timezone) for c in crons),
                      f"at {clock} {merchant.timezone} time, {days}")


@dataclass(frozen=True)
class DailyAt:
    """Once a day at a fixed wall-clock time in the merchant's timezone (e.g. yesterday's statistics)."""

    at: time
    collision_strategy: CollisionStrategy = "CANCEL_NEW"

    def __call__(self, merchant: MerchantConfig) -> Timing:
        (cron,) = release_crons([self.at], weekdays_only=False)
        return Timing((ScheduleSpec(cron=cron, timezone=merchant.timezone),),
                      f"daily at {self.at:%H:%M} {merchant.timezone} time")


@dataclass(frozen=True)
class OnDemand:
    """No schedule: the process runs when someone starts it (Prefect UI, ``prefect deployment run``,
    the ``swo`` command line). A second run started meanwhile waits its turn."""

    collision_strategy: CollisionStrategy = "ENQUEUE"

    def __call__(self, merchant: MerchantConfig) -> Timing:
        return Timing((), "only when started by hand")


def release_crons(times: Sequence[time], *, weekdays_only: bool) -> list[str]:
    """Cron expressions firing at every given wall-clock time: one per distinct minute, hours joined."""
    hours_by_minute: dict[int, set[int]] = {}
    for moment in times:
        if moment.second or moment.microsecond:
            raise ValueError(f"release time {moment.isoformat()} has seconds; cron runs on whole minutes")
        hours_by_minute.setdefault(moment.minute, set()).add(moment.hour)
    weekdays = "1-5" if weekdays_only else "*"
    return [f"{minute} {','.join(str(hour) for hour in sorted(hours))} * * {weekdays}"
            for minute, hours in sorted(hours_by_minute.items())]


@dataclass(frozen=True)
class Process:
    """One flow run per merchant: ``entrypoint`` is ``<file>.py:<function>`` from the project root."""

    flow_name: str
    entrypoint: str
    summary: str
    schedule: ScheduleRule

    def listener(self, merchant: MerchantConfig) -> Listener | None:
        """The events this process starts on for this merchant: None unless the merchant has webhooks
        from the vendor the process listens to (``domain.webhook_events.LISTENERS``)."""
        listener = LISTENERS.get(self.flow_name)
        if listener is None or not isinstance(self.schedule, Polling):
            return None
        return listener if merchant.webhooks.token_for(listener.source) is not None else None


PROCESSES: tuple[Process, ...] = (
    Process("sync-products", "flows/product_sync.py:sync_products",
            "Create and update Ongoing articles from the Starweb catalogue", Polling("products")),
    Process("export-orders", "flows/order_export.py:export_orders",
            "Export new Starweb orders to Ongoing", Polling("export_orders")),
    Process("sync-order-changes", "flows/order_changes.py:sync_order_changes",
            "Carry changes to exported Starweb orders over to Ongoing", Polling("order_changes")),
    Process("sync-order-statuses", "flows/order_statuses.py:sync_order_statuses",
            "Bring warehouse-side status and line changes back to Starweb", Polling("order_statuses")),
    Process("release-orders", "flows/order_release.py:release_orders",
            "Release approved orders to picking in Ongoing and Starweb", AtReleaseTimes()),
    Process("report-shipments", "flows/shipment_report.py:report_shipments",
            "Report shipments to Starweb (status, tracking, one customer email per shipment)", Polling("shipments")),
    Process("sync-stock", "flows/stock_sync.py:sync_stock",
            "Set Starweb stock to the warehouse's sellable stock less the buffer", Polling("stock")),
    Process("register-returns", "flows/return_registration.py:register_returns",
            "Register warehouse returns in Starweb and keep the refund worklist", Polling("returns")),
    Process("report-statistics", "flows/statistics.py:report_statistics",
            "Publish yesterday's connector statistics", DailyAt(time(6, 0))),
    Process("push-purchase-orders", "flows/purchase_orders.py:push_purchase_orders",
            "Send a purchase-order list (CSV/XLSX file or rows) to Ongoing", OnDemand()),
    Process("initial-inbound", "flows/initial_inbound.py:initial_inbound",
            "Send the shop's current stock to Ongoing as the one initial inbound", OnDemand()),
    Process("track-receipts", "flows/receipts.py:track_receipts",
            "Report purchase-order receipts and their deviations, and sync the received stock to Starweb",
            Polling("receipts")),
    Process("reconcile", "flows/reconcile.py:reconcile",
            "Compare Starweb and Ongoing (orders, statuses, shipments, stock) and report every difference",
            DailyAt(time(5, 30))),
)
