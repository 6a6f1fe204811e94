"""Times as Ongoing writes and reads them: UTC with a ``Z`` on the way out, any ISO-8601 on the way in.

Response datetimes carry milliseconds and ``Z`` (``2019-10-10T09:03:49.437Z``); date-only inputs such as
``deliveryDate: "2019-10-10"`` come back date-only. Incoming values without an offset are taken as UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def format_time(value: datetime) -> str:
    value = as_utc(value)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def now_text() -> str:
    return format_time(utc_now())


def parse_time(text: str | None) -> datetime | None:
    """Parse a stored or incoming time; date-only texts mean midnight UTC."""
    if not text:
        return None
    return as_utc(datetime.fromisoformat(text))


def _to_millisecond(value: datetime) -> datetime:
    # Stored times have millisecond precision; compare bounds at the same precision.
    value = as_utc(value)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def at_or_after(stored: str | None, bound: datetime | None) -> bool:
    if bound is None:
        return True
    moment = parse_time(stored)
    return moment is not None and moment >= _to_millisecond(bound)


def at_or_before(stored: str | None, bound: datetime | None) -> bool:
    if bound is None:
        return True
    moment = parse_time(stored)
    return moment is not None and moment <= _to_millisecond(bound)


def older_than(bound: datetime, age: timedelta) -> bool:
    return as_utc(bound) < utc_now() - age


def normalise_vendor_time(value: Any) -> Any:
    """Keep date-only values date-only; render datetimes as UTC with ``Z``."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text).isoformat()
            return format_time(datetime.fromisoformat(text))
        except ValueError as exc:
            raise ValueError(f"'{value}' is not a valid date or time") from exc
    raise ValueError("expected a date or time")


# Request-body date/time fields, stored in the form Ongoing returns them.
VendorTime = Annotated[str | None, BeforeValidator(normalise_vendor_time)]
RequiredVendorTime = Annotated[str, BeforeValidator(normalise_vendor_time)]
