"""The simulator's notion of "now", and Starweb's timestamp format.

Starweb writes ISO-8601 with the shop's UTC offset and whole seconds ("2019-11-28T13:38:17+01:00").
The clock can be moved forward from the admin surface so tests can age tokens and separate
timestamps without sleeping.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _shop_zone() -> tzinfo:
    try:
        return ZoneInfo("Europe/Stockholm")
    except ZoneInfoNotFoundError:  # a system without tz data: Swedish winter time is close enough
        return timezone(timedelta(hours=1))


SHOP_ZONE = _shop_zone()


class SimClock:
    """Wall-clock time in the shop's zone, shifted by an offset the admin surface controls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = timedelta(0)

    def now(self) -> datetime:
        with self._lock:
            offset = self._offset
        return (datetime.now(SHOP_ZONE) + offset).replace(microsecond=0)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += timedelta(seconds=seconds)

    @property
    def offset_seconds(self) -> float:
        with self._lock:
            return self._offset.total_seconds()

    def reset(self) -> None:
        with self._lock:
            self._offset = timedelta(0)


def to_iso(moment: datetime) -> str:
    return moment.astimezone(SHOP_ZONE).isoformat(timespec="seconds")


def parse_iso(text: str) -> datetime:
    """A client-sent or stored ISO-8601 timestamp; one without an offset is taken as shop time."""
    moment = datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=SHOP_ZONE)
